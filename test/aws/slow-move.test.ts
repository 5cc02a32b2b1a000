import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let world: AwsWorld | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function notifier(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn('python3', [join(root, 'iris/mirror_vip_notify.py'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout }));
  });
}

describe('a move slower than one notifier attempt', () => {
  it('ends with the notifier reporting success (exit 0) and exactly one move', async () => {
    // every EC2 call takes 700 ms: observe, writes and read-back make the move take several 1 s attempts
    world = await startAwsWorld({ latencyMs: 700, topic: false });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const served = await serveFunctionUrl(world.handler as never);
    dir = mkdtempSync(join(tmpdir(), 'mirror-vip-slow-'));
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `${world.secrets['iris-b']}\n`, { mode: 0o600 });
    try {
      const out = await notifier([
        ...['--url', served.url, '--mirror', 'IRISMIRROR', '--member', 'iris-b'],
        ...['--key-id', 'iris-b-k1', '--key-file', keyFile, '--timeout', '1', '--deadline', '20', '--json'],
      ]);
      const outcome = JSON.parse(out.stdout) as { ok: boolean; attempts: number };
      expect(out.code).toBe(0);
      expect(outcome.ok).toBe(true);
      // the first attempt timed out: the success came from a resend of the identical request
      expect(outcome.attempts).toBeGreaterThan(1);
    } finally {
      await served.close();
    }
    const decisions = world.lines.filter((l) => l.msg === 'mirror-vip decision');
    expect(decisions.filter((l) => l.outcome === 'moved')).toHaveLength(1);
    // one move: each route table and the Elastic IP written once
    expect(world.writes()).toBe(3);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
  });
});
