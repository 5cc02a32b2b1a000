import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Member, SignOverrides } from '../../local-cloud/worlds/signed.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { eventBody } from '../../shared/protocol/event.ts';

/** A request as it goes on the wire: the body and the headers. */
export interface WireRequest {
  body: string | Uint8Array;
  headers: Record<string, string>;
}

/** What one cloud's test supplies: how a request is signed and delivered, and what the suite may look at. */
export interface RejectionGlue {
  /** A request from iris-b signed with its key (overrides forge it). */
  signed(o?: SignOverrides): WireRequest;
  /** Deliver it through the cloud's transport; `result` is undefined when the answer is not the function's JSON. */
  send(req: WireRequest, method?: string): Promise<{ status: number; result?: FailoverResult }>;
  /** Write calls the emulator has seen since the last reset. */
  writes(): number;
  /** All calls the emulator has seen since the last reset. */
  calls(): number;
  /** Where the VIP is now, in the cloud's own terms; it must not move. */
  vip(): unknown;
  /** Where the VIP is while iris-a is the primary. */
  home: unknown;
  /** Answers the platform gives before the function runs (GCP's body parser), and how to count the function's runs. */
  platform?: { statuses: number[]; decisions(): number };
  /** fast-check runs for the fuzz (default 200). */
  fuzzRuns?: number;
}

/** A world whose HTTP entry takes a WireRequest (Azure, GCP, OCI): the glue is its own methods. */
export interface WireWorld {
  signedRequest(member: 'iris-b', o?: SignOverrides): WireRequest;
  post(req: WireRequest, method?: string): Promise<{ status: number; result?: FailoverResult }>;
  writes(): number;
  emu: { calls: unknown[] };
}

/** The glue for a WireWorld (read when the tests run, after `beforeAll` started it). */
export const wireGlue = (world: () => WireWorld): Pick<RejectionGlue, 'signed' | 'send' | 'writes' | 'calls'> => ({
  signed: (o) => world().signedRequest('iris-b', o),
  send: (req, method) => world().post(req, method),
  writes: () => world().writes(),
  calls: () => world().emu.calls.length,
});

/** What the suite resets between tests: the emulator's records and the members' roles. */
interface ResettableWorld {
  emu: { reset(): void };
  members: { set(member: string, role: MemberRole): void };
  close(): Promise<void>;
}

const HOME: Record<Member, MemberRole> = { 'iris-a': 'primary', 'iris-b': 'backup' };

/** One world for the file, from `start(roles)`; before each test iris-a is primary and iris-b backup again. */
export function rejectionWorld<W extends ResettableWorld>(start: (roles: Record<Member, MemberRole>) => Promise<W>) {
  let world: W | undefined;
  beforeAll(async () => {
    world = await start({ ...HOME });
  });
  afterAll(async () => world?.close());
  beforeEach(() => {
    world?.emu.reset();
    for (const [m, role] of Object.entries(HOME)) world?.members.set(m, role);
  });
  return (): W => {
    if (!world) throw new Error('the world is read before beforeAll started it');
    return world;
  };
}

/** A valid event body from iris-b of IRISMIRROR, with fields overridden. */
export const eventFrom = (o: Record<string, unknown> = {}) =>
  eventBody({ eventId: randomUUID(), mirror: 'IRISMIRROR', member: 'iris-b', ...o });

type Case = [what: string, status: number, code: string, make: (signed: RejectionGlue['signed']) => WireRequest];

/**
 * Requests every function must refuse with this status and error code, making no write call: the same table for
 * every cloud (iris-b answers backup while they run).
 */
export const REJECTION_CASES: readonly Case[] = [
  ['a forged signature', 401, 'bad_signature', (s) => s({ secret: 'x'.repeat(43) })],
  ['an unknown key id', 401, 'unknown_key', (s) => s({ keyId: 'iris-z-k9' })],
  ['a timestamp outside the window', 401, 'timestamp_out_of_window', (s) => s({ ts: Date.now() / 1000 - 301 })],
  ['a timestamp from the future', 401, 'timestamp_out_of_window', (s) => s({ ts: Date.now() / 1000 + 400 })],
  ['an unknown mirror', 404, 'unknown_mirror', (s) => s({ body: eventFrom({ mirror: 'OTHER' }) })],
  ['an unknown member', 404, 'unknown_member', (s) => s({ body: eventFrom({ member: 'iris-c' }) })],
  ["another member's key", 403, 'key_not_for_member', (s) => s({ body: eventFrom({ member: 'iris-a' }) })],
  ['an oversized body', 413, 'body_too_large', (s) => s({ body: eventFrom({ reason: 'x'.repeat(5000) }) })],
  ['a body of the wrong shape', 400, 'invalid_event', (s) => s({ body: '{"version":2}' })],
  [
    'no signature headers',
    400,
    'missing_header',
    () => ({ body: eventFrom(), headers: { 'content-type': 'application/json' } }),
  ],
  ['a claimant that answers backup', 409, 'claimant_not_primary', (s) => s()],
  [
    'a body that is not JSON (sent as text)',
    400,
    'malformed_body',
    (s) => s({ body: 'hello', headers: { 'content-type': 'text/plain' } }),
  ],
  ['malformed JSON sent as application/json', 400, 'malformed_body', (s) => s({ body: '{"version":1,' })],
  [
    'a megabyte body (only the first bytes are read)',
    413,
    'body_too_large',
    (s) => ({ ...s(), body: new Uint8Array(1 << 20).fill(65) }),
  ],
];

const SIGNATURE_HEADERS = ['x-mirror-vip-key-id', 'x-mirror-vip-timestamp', 'x-mirror-vip-signature'] as const;

/** A random change to a valid signed request: its body, one character, a header (set or dropped), or raw bytes. */
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
    name: fc.constantFrom(...SIGNATURE_HEADERS, 'content-type'),
    // what HTTP can carry in a header value
    value: fc.string({ maxLength: 80 }).map((v) => v.replace(/[^\x20-\x7e]/g, '')),
  }),
  fc.record({ kind: fc.constant('drop' as const), name: fc.constantFrom(...SIGNATURE_HEADERS) }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 6000 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(req: WireRequest, m: Mutation): WireRequest {
  const b = req.body as string;
  if (m.kind === 'body') return { ...req, body: m.body };
  if (m.kind === 'flip') return { ...req, body: b.slice(0, m.at % b.length) + m.ch + b.slice((m.at % b.length) + 1) };
  if (m.kind === 'header') return { ...req, headers: { ...req.headers, [m.name]: m.value } };
  if (m.kind === 'drop') {
    const { [m.name]: _dropped, ...headers } = req.headers;
    return { ...req, headers };
  }
  return { body: m.bytes, headers: { ...req.headers, 'content-type': 'application/octet-stream' } };
}

/**
 * The tests every function's HTTP entry must pass, driven by the same cases on every cloud: the table above, a
 * non-POST request, and a fuzz of mutated requests. Call inside the cloud's `describe`; the world is reset before each.
 */
export function itRejects(glue: RejectionGlue): void {
  it.each(REJECTION_CASES)('%s → %i %s, zero write calls', async (_what, status, code, make) => {
    const out = await glue.send(make((o) => glue.signed(o)));
    expect(out.status).toBe(status);
    expect(out.result).toMatchObject({ ok: false, outcome: 'rejected', error: { code } });
    expect(glue.writes()).toBe(0);
    expect(glue.vip()).toEqual(glue.home);
  });

  it('a non-POST request is refused with 405 and calls nothing', async () => {
    const out = await glue.send({ body: '', headers: {} }, 'GET');
    expect(out).toMatchObject({ status: 405, result: { error: { code: 'method_not_allowed' } } });
    expect(glue.calls()).toBe(0);
  });

  it('fuzz: random and mutated requests only ever get typed 4xx errors and never a write', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const before = glue.platform?.decisions();
        const out = await glue.send(mutate(glue.signed(), m));
        // iris-b answers backup, so even an accidentally valid request may not move anything
        expect(out.status).toBeGreaterThanOrEqual(400);
        expect(out.status).toBeLessThan(500);
        if (out.result || !glue.platform) expect(out.result?.error?.code).toMatch(/^[a-z_]+$/);
        // not ours: the platform refused it before the function ran
        else
          expect([glue.platform.statuses.includes(out.status), glue.platform.decisions() - (before ?? 0)]).toEqual([
            true,
            0,
          ]);
        expect(glue.writes()).toBe(0);
      }),
      { numRuns: glue.fuzzRuns ?? 200 },
    );
    expect(glue.vip()).toEqual(glue.home);
  });
}
