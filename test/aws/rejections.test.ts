import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsWorld, functionUrlEvent, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { eventFrom, rejectionCases, type Tamper } from '../support/rejection-cases.ts';

let world: AwsWorld;
beforeAll(async () => {
  world = await startAwsWorld({ roles: { 'iris-a': 'primary', 'iris-b': 'backup' } });
});
afterAll(async () => world.close());
beforeEach(() => {
  world.emu.reset();
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
});

async function send(event: unknown) {
  const res = (await world.handler(event)) as { statusCode: number; body: string };
  return { status: res.statusCode, result: JSON.parse(res.body) as FailoverResult };
}

describe('AWS function: what must change nothing', () => {
  const request = (t: Tamper) => (t.unsigned ? functionUrlEvent(eventFrom(), {}) : world.signedRequest('iris-b', t));
  const cases: [string, number, string, () => unknown][] = [
    ...rejectionCases().map(([what, status, code, tamper]): [string, number, string, () => unknown] => [
      what,
      status,
      code,
      () => request(tamper()),
    ]),
    ['a malformed body', 400, 'malformed_body', () => world.signedRequest('iris-b', { body: '{"version":1,' })],
  ];

  it.each(cases)('%s → %i %s, zero write calls', async (_what, status, code, make) => {
    const out = await send(make());
    expect(out.status).toBe(status);
    expect(out.result).toMatchObject({ ok: false, outcome: 'rejected', error: { code } });
    expect(world.writes()).toBe(0);
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
  });

  it('a replayed event id → 409 replayed_event, even after the first was accepted', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const first = world.signedRequest('iris-b');
    expect((await send(first)).result.outcome).toBe('moved');
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'down');
    world.emu.reset();
    const again = await send(first);
    expect(again).toMatchObject({ status: 409, result: { error: { code: 'replayed_event' } } });
    expect(world.writes()).toBe(0);
    // put the world back for the next tests
    await send(world.signedRequest('iris-a'));
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
  });

  it('a stale event from the old primary cannot undo a newer move while its page briefly says primary', async () => {
    const t = Date.now() / 1000;
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    expect((await send(world.signedRequest('iris-b', { ts: t }))).result.outcome).toBe('moved');
    world.members.set('iris-a', 'primary');
    world.emu.reset();
    // both answer primary: no write, and an answer the sender retries (not a final 4xx)
    const stale = await send(world.signedRequest('iris-a', { ts: t - 20 }));
    expect(stale).toMatchObject({ status: 503, result: { outcome: 'rejected', error: { code: 'several_primaries' } } });
    expect(world.emu.calls).toHaveLength(0);
    expect(world.writes()).toBe(0);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    // once iris-a is the sole primary, the very same old claim is what the probes confirm: no ordering blocks it
    world.members.set('iris-b', 'backup');
    expect((await send(world.signedRequest('iris-a', { ts: t - 20 }))).result.outcome).toBe('moved');
  });

  it('a 2 MB body (plain or base64) is refused as too large without being decoded whole', async () => {
    for (const isBase64Encoded of [false, true]) {
      const ev = Object.assign(world.signedRequest('iris-b'), { body: 'A'.repeat(2 * 1024 * 1024), isBase64Encoded });
      expect(await send(ev)).toMatchObject({ status: 413, result: { error: { code: 'body_too_large' } } });
    }
    expect(world.writes()).toBe(0);
  });

  it('a non-POST request is refused', async () => {
    const ev = functionUrlEvent('', {});
    ev.requestContext.http.method = 'GET';
    expect((await world.handler(ev)) as { statusCode: number }).toMatchObject({ statusCode: 405 });
  });

  it('fuzz: random and mutated requests only ever get typed 4xx errors and never a write', async () => {
    const valid = () => world.signedRequest('iris-b');
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('body' as const),
        body: fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
      }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.string({ minLength: 1, maxLength: 1 }) }),
      fc.record({
        kind: fc.constant('header' as const),
        name: fc.constantFrom('x-mirror-vip-key-id', 'x-mirror-vip-timestamp', 'x-mirror-vip-signature'),
        value: fc.string({ maxLength: 80 }),
      }),
      fc.record({
        kind: fc.constant('drop' as const),
        name: fc.constantFrom('x-mirror-vip-key-id', 'x-mirror-vip-timestamp', 'x-mirror-vip-signature'),
      }),
      fc.record({ kind: fc.constant('base64' as const), bytes: fc.uint8Array({ maxLength: 6000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const ev = valid();
        if (m.kind === 'body') ev.body = m.body;
        if (m.kind === 'flip' && ev.body)
          ev.body = ev.body.slice(0, m.at % ev.body.length) + m.ch + ev.body.slice((m.at % ev.body.length) + 1);
        if (m.kind === 'header') ev.headers[m.name] = m.value;
        if (m.kind === 'drop') delete ev.headers[m.name];
        if (m.kind === 'base64')
          Object.assign(ev, { body: Buffer.from(m.bytes).toString('base64'), isBase64Encoded: true });
        const out = await send(ev);
        // iris-b answers backup, so even an accidentally valid request may not move anything.
        expect(out.status).toBeGreaterThanOrEqual(400);
        expect(out.status).toBeLessThan(500);
        expect(out.result.error?.code).toMatch(/^[a-z_]+$/);
        expect(world.writes()).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
  });
});
