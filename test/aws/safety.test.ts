import { afterEach, describe, expect, it } from 'vitest';
import { createAwsHandler } from '../../functions/aws/app.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

let world: AwsWorld | undefined;
afterEach(async () => world?.close());

type Handler = AwsWorld['handler'];
async function send(handler: Handler, event: unknown) {
  const out = (await handler(event)) as { statusCode: number; headers: Record<string, string>; body: string };
  return { status: out.statusCode, headers: out.headers, result: JSON.parse(out.body) as FailoverResult };
}

const failover = (w: AwsWorld) => {
  w.members.set('iris-a', 'down');
  w.members.set('iris-b', 'primary');
};

describe('AWS function: partial progress', () => {
  it('a route table that is gone fails its slot only: the other tables and the EIP move, the error is named', async () => {
    world = await startAwsWorld({ topic: false });
    failover(world);
    const config = structuredClone(world.config) as { mirrors: { vips: { routeTableIds?: string[] }[] }[] };
    config.mirrors[0]?.vips[0]?.routeTableIds?.push('rtb-0deadbeef0deadbee');
    const env = { ...world.env, MIRROR_VIP_CONFIG: JSON.stringify(config) };
    const handler = await createAwsHandler(env, {
      log: () => undefined,
      retry: { baseMs: 5, maxMs: 50, maxAttempts: 3 },
    });
    const { status, result } = await send(handler, world.signedRequest('iris-b'));
    expect(status).toBe(502);
    expect(result).toMatchObject({ ok: false, outcome: 'failed', to: 'iris-b' });
    expect(result.error?.message).toMatch(/InvalidRouteTableID\.NotFound/);
    expect(result.slots?.failed.map((f) => f.slot)).toEqual(['rtb-0deadbeef0deadbee']);
    expect(result.slots?.moved).toHaveLength(3);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
    // and a reconcile finishes (with the same named failure, nothing else to do)
    const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
    const later = (await handler(tick)) as { results: FailoverResult[] };
    expect(later.results[0]?.slots?.failed.map((f) => f.slot)).toEqual(['rtb-0deadbeef0deadbee']);
  });
});

describe('AWS function: one mirror, several requests', () => {
  it('a resend while the first attempt still runs waits for it and gets its answer: one move', async () => {
    world = await startAwsWorld({ latencyMs: 50, topic: false });
    failover(world);
    const ev = world.signedRequest('iris-b');
    const [first, resend] = await Promise.all([send(world.handler, ev), send(world.handler, structuredClone(ev))]);
    expect(first).toMatchObject({ status: 200, result: { outcome: 'moved' } });
    expect(resend).toMatchObject({ status: 200, result: { outcome: 'moved', eventId: first.result.eventId } });
    expect(world.writes()).toBe(3);
  });

  it('a refused claim waiting in the confirm window does not hold up a genuine one for the same mirror', async () => {
    world = await startAwsWorld({ confirmWindowMs: 2000, topic: false });
    failover(world);
    world.members.set('iris-a', 'backup');
    const order: string[] = [];
    const tagged = (tag: string) => (r: Awaited<ReturnType<typeof send>>) => {
      order.push(tag);
      return r;
    };
    const refused = send(world.handler, world.signedRequest('iris-a')).then(tagged('refused'));
    const genuine = send(world.handler, world.signedRequest('iris-b')).then(tagged('genuine'));
    expect((await genuine).result.outcome).toBe('moved');
    expect((await refused).result.error?.code).toBe('claimant_not_primary');
    expect(order).toEqual(['genuine', 'refused']);
  });

  it('several primaries: no write, 503 with Retry-After (the notifiers retry it)', async () => {
    world = await startAwsWorld({ topic: false });
    world.members.set('iris-b', 'primary');
    const { status, headers, result } = await send(world.handler, world.signedRequest('iris-b'));
    expect(status).toBe(503);
    expect(headers['retry-after']).toBe('1');
    expect(result.error?.code).toBe('several_primaries');
    expect(world.emu.calls).toHaveLength(0);
  });

  it('a member whose clock is 200 s fast does not block the next genuine failover (probes on: no ordering)', async () => {
    world = await startAwsWorld({ topic: false });
    world.members.set('iris-b', 'primary');
    world.members.set('iris-a', 'down');
    const fast = await send(world.handler, world.signedRequest('iris-b', { ts: Date.now() / 1000 + 200 }));
    expect(fast.result.outcome).toBe('moved');
    world.members.set('iris-b', 'down');
    world.members.set('iris-a', 'primary');
    const genuine = await send(world.handler, world.signedRequest('iris-a'));
    expect(genuine.result.outcome).toBe('moved');
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
  });
});

describe('AWS function: any event shape', () => {
  it('answers a typed JSON error, never throws', async () => {
    world = await startAwsWorld({ topic: false });
    const shapes: unknown[] = [
      null,
      42,
      'text',
      [],
      { requestContext: { http: { method: 'POST' } }, body: { not: 'a string' } },
      { requestContext: { http: 7 } },
      { Records: [null] },
      { Records: [{ EventSource: 'aws:sns', Sns: 5 }] },
    ];
    for (const ev of shapes) {
      const out = (await world.handler(ev)) as { statusCode?: number; body?: string; results?: FailoverResult[] };
      const body = out.body ? (JSON.parse(out.body) as FailoverResult) : undefined;
      if (out.results) expect(out.results.every((r) => typeof r.outcome === 'string')).toBe(true);
      else expect(body?.error?.code).toMatch(/^[a-z_]+$/);
    }
    expect(world.writes()).toBe(0);
  });
});
