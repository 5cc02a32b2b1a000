import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  type SecretManagerEmulator,
  startSecretManagerEmulator,
} from '../../local-cloud/gcp/secret-manager.ts';
import { gcloudRunner, requireGcloud } from './references.ts';

/**
 * The Secret Manager emulator answering the real gcloud CLI (an independent client: apitools, its own CRC32C on
 * add and its integrity check on access) for the calls the pause makes, and the ones an operator reads history with.
 * Secret data goes through files only (--data-file, --out-file), never a command line.
 */
const PROJECT = 'demo-project';
const SECRET = `projects/${PROJECT}/secrets/mirror-vip-pause-IRISMIRROR`;
let emu: SecretManagerEmulator;
let config: string;

beforeAll(async () => {
  requireGcloud();
  emu = await startSecretManagerEmulator();
  emu.createSecret(SECRET);
  config = mkdtempSync(join(tmpdir(), 'mirror-vip-gcloud-sm-'));
}, 60_000);
afterAll(async () => {
  await emu?.close();
  if (config) rmSync(config, { recursive: true, force: true });
});

// the override is the API's root: gcloud appends v1/projects/…
const secrets = gcloudRunner({
  config: () => config,
  project: PROJECT,
  overrides: () => ({ CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER: `${emu.url}/` }),
});
const gcloud = (args: string[]) => secrets(['secrets', ...args]);
const file = (name: string, data: string | Buffer) => {
  const p = join(config, name);
  writeFileSync(p, data, { mode: 0o600 });
  return p;
};
const answered = (from: number) => emu.calls.slice(from).map((c) => `${c.op} ${c.status}`);
const id = SECRET.split('/').pop() as string;

describe('gcloud secrets against the Secret Manager emulator', () => {
  it('versions add (addVersion with gcloud’s dataCrc32c) then versions access latest: the text round-trips', async () => {
    const from = emu.calls.length;
    const text = JSON.stringify({ paused: true, by: 'ops-2026', since: '2026-12-02T03:00:00.000Z' });
    const add = await gcloud(['versions', 'add', id, `--data-file=${file('pause.json', text)}`]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('Created version [1]');
    const read = await gcloud(['versions', 'access', 'latest', `--secret=${id}`]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe(text);
    expect(answered(from)).toEqual(['secrets.addVersion 200', 'versions.access 200']);
    expect(emu.versions(SECRET)).toEqual([text]);
  }, 90_000);

  it('a 64 KiB binary payload (the documented maximum) round-trips byte for byte, gcloud’s checksum check passing', async () => {
    const data = randomBytes(MAX_PAYLOAD_BYTES);
    const add = await gcloud(['versions', 'add', id, `--data-file=${file('max.bin', data)}`]);
    expect(add.code, add.stderr).toBe(0);
    const out = join(config, 'back.bin');
    const read = await gcloud(['versions', 'access', '2', `--secret=${id}`, `--out-file=${out}`]);
    expect(read.code, read.stderr).toBe(0);
    expect(readFileSync(out).equals(data)).toBe(true);
  }, 90_000);

  it('versions list (the pause history): newest first, every version ENABLED', async () => {
    const r = await gcloud(['versions', 'list', id, '--format=json']);
    expect(r.code, r.stderr).toBe(0);
    const listed = JSON.parse(r.stdout) as { name: string; state: string }[];
    expect(listed.map((v) => [v.name, v.state])).toEqual([
      [`${SECRET}/versions/2`, 'ENABLED'],
      [`${SECRET}/versions/1`, 'ENABLED'],
    ]);
  }, 90_000);

  it('an unknown secret or version is NOT_FOUND, which gcloud reports; nothing is added', async () => {
    const from = emu.calls.length;
    const missing = await gcloud(['versions', 'add', 'no-such-secret', `--data-file=${file('x', 'x')}`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NOT_FOUND');
    const noVersion = await gcloud(['versions', 'access', '9', `--secret=${id}`]);
    expect(noVersion.code).not.toBe(0);
    expect(noVersion.stderr).toContain('NOT_FOUND');
    expect(answered(from)).toEqual(['secrets.addVersion 404', 'versions.access 404']);
    expect(emu.versions(SECRET)).toHaveLength(2);
  }, 90_000);
});
