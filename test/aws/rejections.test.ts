import { describe, expect, it } from 'vitest';
import { toFunctionUrlEvent } from '../../local-cloud/lambda-url.ts';
import { startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { signedParts } from '../../local-cloud/worlds/signed.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { itRejects, rejectionWorld, type WireRequest } from '../support/rejection-cases.ts';

const world = rejectionWorld((roles) => startAwsWorld({ roles }));

async function send(event: unknown) {
  const res = (await world().handler(event)) as { statusCode: number; body: string };
  return { status: res.statusCode, result: JSON.parse(res.body) as FailoverResult };
}

/** The payload-2.0 event a function URL builds from this request (bytes that are not text arrive base64). */
const urlEvent = (req: WireRequest, method = 'POST') => {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const fake = { url: '/', method, headers, socket: { remoteAddress: '10.109.10.70' } };
  return toFunctionUrlEvent(fake as never, Buffer.from(req.body));
};

describe('AWS function: what must change nothing', () => {
  itRejects({
    signed: (o) => signedParts(world().secrets, 'iris-b', o),
    send: (req, method) => send(urlEvent(req, method)),
    writes: () => world().writes(),
    calls: () => world().emu.calls.length,
    vip: () => world().routeHolders(),
    home: ['iris-a', 'iris-a'],
    fuzzRuns: 300,
  });

  it('a replayed event id → 409 replayed_event, even after the first was accepted', async () => {
    world().members.set('iris-a', 'down');
    world().members.set('iris-b', 'primary');
    const first = world().signedRequest('iris-b');
    expect((await send(first)).result.outcome).toBe('moved');
    world().members.set('iris-a', 'primary');
    world().members.set('iris-b', 'down');
    world().emu.reset();
    const again = await send(first);
    expect(again).toMatchObject({ status: 409, result: { error: { code: 'replayed_event' } } });
    expect(world().writes()).toBe(0);
    // put the world back for the next tests
    await send(world().signedRequest('iris-a'));
    expect(world().routeHolders()).toEqual(['iris-a', 'iris-a']);
  });

  it('a stale event from the old primary cannot undo a newer move while its page briefly says primary', async () => {
    const t = Date.now() / 1000;
    world().members.set('iris-a', 'down');
    world().members.set('iris-b', 'primary');
    expect((await send(world().signedRequest('iris-b', { ts: t }))).result.outcome).toBe('moved');
    world().members.set('iris-a', 'primary');
    world().emu.reset();
    // both answer primary: no write, and an answer the sender retries (not a final 4xx)
    const stale = await send(world().signedRequest('iris-a', { ts: t - 20 }));
    expect(stale).toMatchObject({ status: 503, result: { outcome: 'rejected', error: { code: 'several_primaries' } } });
    expect(world().emu.calls).toHaveLength(0);
    expect(world().writes()).toBe(0);
    expect(world().routeHolders()).toEqual(['iris-b', 'iris-b']);
    // once iris-a is the sole primary, the very same old claim is what the probes confirm: no ordering blocks it
    world().members.set('iris-b', 'backup');
    expect((await send(world().signedRequest('iris-a', { ts: t - 20 }))).result.outcome).toBe('moved');
  });

  it('a 2 MB body (plain or base64) is refused as too large without being decoded whole', async () => {
    for (const isBase64Encoded of [false, true]) {
      const ev = Object.assign(world().signedRequest('iris-b'), { body: 'A'.repeat(2 * 1024 * 1024), isBase64Encoded });
      expect(await send(ev)).toMatchObject({ status: 413, result: { error: { code: 'body_too_large' } } });
    }
    expect(world().writes()).toBe(0);
  });
});
