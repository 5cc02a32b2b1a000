import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { notifyArgs } from '../support/cli.ts';

const run = promisify(execFile);
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2lnbmF0dXJl';
let world: GcpWorld;
let metadata: Server;
let front: Server;
let keyFile: string;
const audiences: string[] = [];
const flavors: (string | undefined)[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  world = await startGcpWorld();
  // The VM's metadata server: an ID token for the audience asked, only with the Metadata-Flavor header.
  metadata = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    flavors.push(req.headers['metadata-flavor'] as string | undefined);
    if (req.headers['metadata-flavor'] !== 'Google' || !url.pathname.endsWith('/service-accounts/default/identity')) {
      res.writeHead(403).end();
      return;
    }
    audiences.push(url.searchParams.get('audience') ?? '');
    res.end(TOKEN);
  });
  // Cloud Run in front of the function: 403 without the invoker's token, else the function answers.
  front = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Error: Forbidden</h1>');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => k.startsWith('x-') || k === 'content-type'),
    ) as Record<string, string>;
    const answer = await fetch(world.urls.http, { method: 'POST', headers, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  process.env.GCE_METADATA_HOST = await listen(metadata);
  const frontUrl = `http://${await listen(front)}/mirrorVip`;
  process.env.FRONT_URL = frontUrl;
  keyFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-auth-')), 'iris-b.key');
  writeFileSync(keyFile, `${world.secrets['iris-b']}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await new Promise((r) => metadata.close(r));
  await new Promise((r) => front.close(r));
  await world.close();
});
beforeEach(() => {
  audiences.length = 0;
  world.members.set('iris-a', 'down');
  world.members.set('iris-b', 'primary');
});

const args = () => [...notifyArgs(process.env.FRONT_URL ?? '', keyFile), '--json'];

async function exec(cmd: string, argv: string[], env: Record<string, string>) {
  try {
    const { stdout } = await run(cmd, argv, { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT });
    return { code: 0, out: JSON.parse(stdout) as Record<string, unknown> };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: (err.stdout ? JSON.parse(err.stdout) : {}) as Record<string, unknown> };
  }
}

describe('members behind an invoker-only GCP function (MIRROR_VIP_AUTH=gcp-id-token)', () => {
  it('without a token the front door refuses the event (exit 1), and nothing moves', async () => {
    const { code } = await exec('python3', [join(ROOT, 'iris/mirror_vip_notify.py'), ...args()], {});
    expect(code).toBe(1);
    expect(world.aliasHolders()).toEqual(['iris-a']);
  });

  it.each([
    ['the Python notifier', 'python3', [join(ROOT, 'iris/mirror_vip_notify.py')]],
    ['the CLI', process.execPath, [join(ROOT, 'bin/mirror-vip.mjs'), 'notify']],
  ])(
    '%s fetches an ID token for the function URL from the metadata server and the VIP moves',
    async (_who, cmd, pre) => {
      world.members.set('iris-a', 'primary');
      world.members.set('iris-b', 'backup');
      await world.publish({ kind: 'mirror-vip.reconcile' });
      world.members.set('iris-a', 'down');
      world.members.set('iris-b', 'primary');
      const env = { MIRROR_VIP_AUTH: 'gcp-id-token', GCE_METADATA_HOST: process.env.GCE_METADATA_HOST ?? '' };
      const { code, out } = await exec(cmd, [...pre, ...args()], env);
      expect(code).toBe(0);
      expect(out).toMatchObject({ ok: true, status: 200 });
      expect(audiences).toEqual([process.env.FRONT_URL]);
      expect(flavors.every((f) => f === 'Google')).toBe(true);
      expect(world.aliasHolders()).toEqual(['iris-b']);
    },
  );
});
