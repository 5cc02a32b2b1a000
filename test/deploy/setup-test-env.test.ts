// The README's test command does its own set-up on a fresh machine: `npm test` runs scripts/setup-test-env.sh first,
// which apt-installs what is missing (after apt-get update) and names what it cannot install; .ci/run is that command.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';

const run = promisify(execFile);
const script = join(ROOT, 'scripts/setup-test-env.sh');

/** One directory with every command of this PATH except `hide`, and an apt-get that only records its arguments. */
function fakePath(dir: string, hide: string[]): string {
  mkdirSync(dir);
  for (const d of (process.env.PATH ?? '').split(':')) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names)
      if (!hide.includes(n) && n !== 'apt-get' && !existsSync(join(dir, n))) symlinkSync(join(d, n), join(dir, n));
  }
  writeFileSync(join(dir, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> ${join(dir, 'apt.log')}\n`, { mode: 0o755 });
  return dir;
}

describe('scripts/setup-test-env.sh', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirror-vip-setup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what `npm test` runs first, and .ci/run runs `npm ci` then `npm test`, with no set-up of its own', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.pretest).toBe('bash scripts/setup-test-env.sh');
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const commands = ci.split('\n').filter((l) => /^(npm|apt-get|python3|pip)\b/.test(l));
    expect(commands).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
  });

  it('installs nothing when everything is there', async () => {
    const { stderr } = await run('bash', [script], { cwd: ROOT });
    expect(stderr).not.toContain('installing');
  });

  it('apt-installs a missing keepalived and Azure CLI, after apt-get update', async () => {
    const bin = fakePath(join(dir, 'a'), ['keepalived', 'az']);
    const { stderr } = await run('/bin/bash', [script], { cwd: ROOT, env: { PATH: bin, HOME: process.env.HOME } });
    expect(stderr).toContain('installing keepalived azure-cli');
    const log = readFileSync(join(bin, 'apt.log'), 'utf8').trim().split('\n');
    expect(log).toEqual(['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends keepalived azure-cli']);
  });

  it('fails naming gcloud and the test that needs it when gcloud is absent', async () => {
    const bin = fakePath(join(dir, 'b'), ['gcloud']);
    const err = await run('/bin/bash', [script], { cwd: ROOT, env: { PATH: bin, HOME: process.env.HOME } }).catch(
      (e: unknown) => e,
    );
    expect(String((err as { stderr?: string }).stderr)).toContain(
      "gcloud not found (it ships with this machine's image); test/conformance/gcloud-compute.test.ts would fail",
    );
    expect((err as { code?: number }).code).toBe(1);
  });
});
