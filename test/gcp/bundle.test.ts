import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailoverResult } from '../../shared/core/result.ts';
import { ensureBundle, ROOT } from '../support/bundle.ts';
import { type GcpWorld, startGcpWorld } from '../support/gcp-world.ts';

const FRAMEWORK = join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

let world: GcpWorld;
let bundle: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  bundle = await ensureBundle('dist/gcp/index.mjs');
  world = await startGcpWorld();
}, 60_000);
afterAll(async () => {
  for (const c of children) c.kill();
  await world.close();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Start the bundle under the Functions Framework CLI, as Cloud Functions runs it, and resolve once it listens.
 * Returns the process, its port and when it was spawned (performance.now()).
 */
async function serve(target: string, env: Record<string, string>, extraArgs: string[] = []) {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [FRAMEWORK, `--source=${bundle}`, `--target=${target}`, `--port=${port}`, ...extraArgs],
    {
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  );
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('URL: http://localhost:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`functions-framework exited ${code}: ${err}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/`, spawnedAt, output: () => out, errors: () => err };
}

describe('the bundled function (dist/gcp/index.mjs) under the Functions Framework', () => {
  it('moves the VIP for a signed HTTP event end to end; cold start is measured from process start', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const fn = await serve('mirrorVip', world.env);
    const listening = performance.now() - fn.spawnedAt;
    const req = world.signedRequest('iris-b');
    const res = await fetch(fn.url, { method: 'POST', headers: req.headers, body: req.body });
    const coldStart = performance.now() - fn.spawnedAt;
    const result = (await res.json()) as FailoverResult;
    expect(res.status).toBe(200);
    expect(result).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect([world.aliasHolders(), world.accessConfigHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(world.secretManager.reads.length).toBeGreaterThanOrEqual(2); // once in this process, once in the bundle
    const log = fn
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.find((l) => l.message === 'mirror-vip decision')).toMatchObject({ severity: 'INFO', outcome: 'moved' });
    expect(fn.output()).not.toContain(world.secrets['iris-b']);
    console.log(
      `gcp bundle cold start: listening after ${listening.toFixed(0)} ms, first response (a move with ${result.calls.length} Compute calls) after ${coldStart.toFixed(0)} ms; the move itself took ${result.durationMs} ms`,
    );
  });

  it('serves the event function from the same bundle (--signature-type=cloudevent)', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    const fn = await serve('mirrorVipEvents', world.env, ['--signature-type=cloudevent']);
    const data = {
      message: { data: Buffer.from(JSON.stringify({ kind: 'mirror-vip.reconcile' })).toString('base64') },
    };
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-id': '1',
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
        'ce-source': '//pubsub.googleapis.com/projects/demo-project/topics/mirror-vip',
      },
      body: JSON.stringify(data),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: FailoverResult[] }).results).toMatchObject([
      { trigger: 'schedule', outcome: 'moved', to: 'iris-a' },
    ]);
  });

  it('fails at cold start, naming the field, when the configuration is wrong', async () => {
    const bad = JSON.parse(world.env.MIRROR_VIP_CONFIG) as { mirrors: { project: string }[] };
    (bad.mirrors[0] as { project: string }).project = 'Bad_Project';
    await expect(serve('mirrorVip', { ...world.env, MIRROR_VIP_CONFIG: JSON.stringify(bad) })).rejects.toThrow(
      /mirrors\[0\]\.project: must be a project id/,
    );
  });
});
