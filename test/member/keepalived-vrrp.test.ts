import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, MIRROR, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { answerLog, keepalivedPair, type Member, netnsPrefix } from './keepalived-support.ts';

// Two real keepalived daemons, each in a network namespace of its own, joined by a bridge that also reaches the
// function: VRRP (unicast) elects a MASTER, and keepalived itself runs the documented notify_master line.
const pair = keepalivedPair({ prefix: netnsPrefix('mv'), subnet: '10.231.7' });
const log = answerLog();
let world: AwsWorld;
let fn: Awaited<ReturnType<typeof serveFunctionUrl>>;
const settings = (m: Member) => ({ url: fn.url, mirror: MIRROR, secret: world.secrets[m] });

beforeAll(async () => {
  world = await startAwsWorld({ topic: false });
  pair.up();
  const handler = async (event: unknown) => {
    const out = (await world.handler(event)) as { body: string };
    log.record(JSON.parse(out.body) as FailoverResult);
    return out;
  };
  fn = await serveFunctionUrl(handler, 0, pair.functionIp);
}, 30_000);

afterAll(async () => {
  pair.down();
  await fn?.close();
  await world?.close();
});

describe('keepalived (real daemons, VRRP unicast between two network namespaces)', () => {
  it('the elected MASTER notifies through the documented notify_master line; on its death the other takes over and the VIP follows', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    pair.start('iris-a', 100, settings('iris-a'));
    const first = await log.answered((r) => r.ok && r.to === 'iris-a');
    expect(first).toMatchObject({ outcome: 'unchanged', trigger: 'event', writeCalls: 0 });
    // iris-b joins as BACKUP: it hears iris-a's adverts and stays quiet.
    pair.start('iris-b', 90, settings('iris-b'));
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);

    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    pair.resign('iris-a');
    const second = await log.answered((r) => r.ok && r.to === 'iris-b');
    expect(second).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
    expect(log.results.filter((r) => !r.ok)).toEqual([]);
  }, 40_000);
});
