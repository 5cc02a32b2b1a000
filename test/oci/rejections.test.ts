import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { eventFrom, rejectionCases, type Tamper } from '../support/rejection-cases.ts';

let world: OciWorld;
beforeAll(async () => {
  world = await startOciWorld({ roles: { 'iris-a': 'primary', 'iris-b': 'backup' } });
});
afterAll(async () => world.close());
beforeEach(() => {
  world.emu.reset();
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
});

describe('OCI function: what must change nothing (through the API Gateway and the FDK)', () => {
  type Req = { body: string; headers: Record<string, string> };
  const request = (t: Tamper): Req =>
    t.unsigned
      ? { body: eventFrom(), headers: { 'content-type': 'application/json' } }
      : world.signedRequest('iris-b', t);
  const cases: [string, number, string, () => Req][] = [
    ...rejectionCases().map(([what, status, code, tamper]): [string, number, string, () => Req] => [
      what,
      status,
      code,
      () => request(tamper()),
    ]),
    [
      'a body that is not JSON (sent as text)',
      400,
      'malformed_body',
      () => world.signedRequest('iris-b', { body: 'hello', headers: { 'content-type': 'text/plain' } }),
    ],
    // the FDK hands the function the raw bytes in buffer mode, so malformed JSON reaches the core's own check
    [
      'malformed JSON sent as application/json',
      400,
      'malformed_body',
      () => world.signedRequest('iris-b', { body: '{"version":1,' }),
    ],
  ];

  it.each(cases)('%s → %i %s, zero write calls', async (_what, status, code, make) => {
    const out = await world.post(make());
    expect(out.status).toBe(status);
    expect(out.result).toMatchObject({ ok: false, outcome: 'rejected', error: { code } });
    expect(world.writes()).toBe(0);
    expect(world.privateIpHolder()).toBe('iris-a');
  });

  it('a non-POST request is refused with 405', async () => {
    const out = await world.post({ body: '', headers: {} }, 'GET');
    expect(out).toMatchObject({ status: 405, result: { error: { code: 'method_not_allowed' } } });
    expect(world.emu.calls).toHaveLength(0);
  });

  it('an invocation that is neither an alarm nor a reconcile is answered and changes nothing', async () => {
    const out = await world.invoke({ hello: 'world' });
    expect(out.results).toEqual([]);
    expect((await world.invoke('not json')).results).toEqual([]);
    expect(world.emu.calls).toHaveLength(0);
    expect(world.lines.filter((l) => l.msg === 'mirror-vip ignored an invocation').length).toBeGreaterThanOrEqual(2);
  });

  it('fuzz: random and mutated requests only ever get typed 4xx errors and never a write', async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('body' as const), body: fc.oneof(fc.string({ maxLength: 300 }), fc.json()) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.string({ minLength: 1, maxLength: 1 }) }),
      fc.record({
        kind: fc.constant('header' as const),
        name: fc.constantFrom(
          'x-mirror-vip-key-id',
          'x-mirror-vip-timestamp',
          'x-mirror-vip-signature',
          'content-type',
        ),
        value: fc.string({ maxLength: 80 }).map((v) => v.replace(/[^\x20-\x7e]/g, '')),
      }),
      fc.record({
        kind: fc.constant('drop' as const),
        name: fc.constantFrom('x-mirror-vip-key-id', 'x-mirror-vip-timestamp', 'x-mirror-vip-signature'),
      }),
      fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 6000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const req: { body: string | Uint8Array; headers: Record<string, string> } = world.signedRequest('iris-b');
        if (m.kind === 'body') req.body = m.body;
        if (m.kind === 'flip') {
          const b = req.body as string;
          req.body = b.slice(0, m.at % b.length) + m.ch + b.slice((m.at % b.length) + 1);
        }
        if (m.kind === 'header') req.headers[m.name] = m.value;
        if (m.kind === 'drop') delete req.headers[m.name];
        if (m.kind === 'bytes') {
          Object.assign(req, {
            body: m.bytes,
            headers: { ...req.headers, 'content-type': 'application/octet-stream' },
          });
        }
        const out = await world.post(req);
        // iris-b answers backup, so even an accidentally valid request may not move anything
        expect(out.status).toBeGreaterThanOrEqual(400);
        expect(out.status).toBeLessThan(500);
        expect(out.result?.error?.code).toMatch(/^[a-z_]+$/);
        expect(world.writes()).toBe(0);
      }),
      { numRuns: 200 },
    );
    expect(world.privateIpHolder()).toBe('iris-a');
  });
});
