import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, MIRROR, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { answerLog, electThenFailOver, keepalivedPair, netnsPrefix } from './keepalived-support.ts';

// Two real keepalived daemons, each in a network namespace of its own, joined by a bridge that also reaches the
// function: VRRP (unicast) elects a MASTER, and keepalived itself runs the documented notify_master line.
const pair = keepalivedPair({ prefix: netnsPrefix('mv'), subnet: '10.231.7' });
const log = answerLog();
let world: AwsWorld;
let fn: Awaited<ReturnType<typeof serveFunctionUrl>>;

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
    await electThenFailOver(pair, log, world, { url: fn.url, mirror: MIRROR }, (m) => {
      expect(world.routeHolders()).toEqual([m, m]);
      expect(world.eipHolder()).toBe(m);
    });
  }, 40_000);
});
