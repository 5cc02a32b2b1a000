import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, serveFunctionsFramework } from '../../local-cloud/bundles.ts';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

let world: GcpWorld;
let bundle: string;
const children: ChildProcess[] = [];
const serve = async (target: string, env: Record<string, string>, extraArgs: string[] = []) => {
  const fn = await serveFunctionsFramework(bundle, target, env, extraArgs, (c) => children.push(c));
  return fn;
};
beforeAll(async () => {
  bundle = await ensureBundle('dist/gcp/index.mjs');
  world = await startGcpWorld();
}, 60_000);
afterAll(async () => {
  for (const c of children) c.kill();
  await world.close();
});

describe('the bundled function (dist/gcp/index.mjs) under the Functions Framework', () => {
  it('moves the VIP for a signed HTTP event end to end; as Cloud Functions runs it', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const fn = await serve('mirrorVip', world.env);
    const req = world.signedRequest('iris-b');
    const res = await fetch(fn.url, { method: 'POST', headers: req.headers, body: req.body });
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
