import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { CallLog, serialRounds } from '../../shared/core/calls.ts';
import { convergeMirror } from '../../shared/core/converge.ts';
import { type Claim, ClaimOrder, soleTarget } from '../../shared/core/decide.ts';
import type { MemberRole, Probe } from '../../shared/core/health.ts';
import { computePlan, currentHolder, hasChanges } from '../../shared/core/plan.ts';
import { call, createCallContext, settleSlots } from '../../shared/core/retry.ts';
import { DeadlineError, DecisionError, ProviderError, TransientError } from '../../shared/errors.ts';
import type { Provider } from '../../shared/providers/types.ts';

const mirror = parseConfig(
  JSON.stringify({
    mirrors: [
      {
        name: 'M',
        cloud: 'aws',
        region: 'us-east-1',
        members: ['a', 'b'].map((n, i) => ({
          name: n,
          instanceId: `i-0000000000000000${i}`,
          eniId: `eni-0000000000000000${i}`,
          healthUrl: `http://${n}.invalid/csp/bin/mirror_status.cxw`,
        })),
        vips: [{ mode: 'eip', allocationId: 'eipalloc-00000000000000000' }],
        health: { confirmWindowMs: 0 },
        keys: [{ id: 'k', member: 'a', secret: 'env:K' }],
      },
    ],
  }),
).mirrors[0]!;

const claim = (member: string, timestamp: number, receivedAt = timestamp) => ({
  member,
  timestamp,
  receivedAt,
  eventId: `evt-${member}-${timestamp}-xxxxxxxx`,
});

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (e: unknown) {
    if (e instanceof DecisionError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('decide', () => {
  it('takes a claimant that is the sole member answering primary', () => {
    expect(soleTarget({ a: 'down', b: 'primary' }, claim('b', 10))).toBe('b');
  });

  it('refuses a claimant that answers backup, unknown or nothing', () => {
    for (const role of ['backup', 'unknown', 'down'] as const) {
      expect(codeOf(() => soleTarget({ a: 'primary', b: role }, claim('b', 10)))).toBe('claimant_not_primary');
    }
  });

  it('answers several_primaries, retryable, when the claimant is not the only primary', () => {
    try {
      soleTarget({ a: 'primary', b: 'primary' }, claim('b', 10));
      expect.unreachable();
    } catch (e: unknown) {
      expect(e).toMatchObject({ code: 'several_primaries', status: 503, detail: { retryAfterSeconds: 1 } });
    }
  });

  it('reconciles to the single primary, and refuses none or several', () => {
    expect(soleTarget({ a: 'backup', b: 'primary' }, null)).toBe('b');
    expect(codeOf(() => soleTarget({ a: 'backup', b: 'down' }, null))).toBe('no_primary');
    expect(codeOf(() => soleTarget({ a: 'primary', b: 'primary' }, null))).toBe('several_primaries');
  });
});

describe('claim order (probes off only)', () => {
  it("refuses a claim sent before another member's accepted claim", () => {
    const order = new ClaimOrder();
    order.accept('M', claim('b', 20), 20);
    expect(codeOf(() => order.check('M', claim('a', 19, 25)))).toBe('stale_event');
    expect(codeOf(() => order.check('M', claim('a', 21, 25)))).toBe('no error');
  });

  it('a member whose clock runs 200 s fast blocks nobody: acceptance is on the function clock', () => {
    const order = new ClaimOrder();
    order.accept('M', claim('b', 1200, 1000), 1000);
    // a's genuine claim, sent 5 s later by a correct clock, passes
    expect(codeOf(() => order.check('M', claim('a', 1005, 1005)))).toBe('no error');
    // and an old event of b (correct clock this time), delivered late, is still stale
    order.accept('M', claim('a', 1005, 1005), 1005);
    expect(codeOf(() => order.check('M', claim('b', 1001, 1010)))).toBe('stale_event');
  });
});

describe('plan', () => {
  const observed = {
    bindings: [
      { vip: 'v', mode: 'route', slot: 'rtb-1', holder: 'a', resource: 'eni-a' },
      { vip: 'v', mode: 'route', slot: 'rtb-2', holder: null, resource: null },
      { vip: 'v', mode: 'route', slot: 'rtb-3', holder: null, resource: 'eni-stranger' },
      { vip: 'v', mode: 'route', slot: 'rtb-4', holder: 'b', resource: 'eni-b' },
    ],
    memberWarnings: { b: ['source/dest check is on'] },
  };

  it('changes only what is not on the target, saying from where', () => {
    const p = computePlan('M', 'b', observed);
    expect(p.changes.map((c) => [c.slot, c.from])).toEqual([
      ['rtb-1', 'a'],
      ['rtb-2', null],
      ['rtb-3', 'eni-stranger'],
    ]);
    expect(p.warnings).toEqual(['source/dest check is on']);
    expect(hasChanges(computePlan('M', 'b', { bindings: [observed.bindings[3]!], memberWarnings: {} }))).toBe(false);
    expect(currentHolder(observed)).toBe('split');
  });
});

describe('calls with retry', () => {
  it('retries transient failures, records each attempt, and stops at the deadline', async () => {
    const log = new CallLog();
    const ctx = createCallContext(log, 5000, { baseMs: 1, maxMs: 2, maxAttempts: 5 });
    let n = 0;
    const v = await call(ctx, 'op', true, async () => {
      if (++n < 3) throw new TransientError('throttled');
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(log.records.map((r) => r.ok)).toEqual([false, false, true]);
    await expect(call(ctx, 'op', true, async () => Promise.reject(new ProviderError('no')))).rejects.toBeInstanceOf(
      ProviderError,
    );
    const short = createCallContext(new CallLog(), 300, { baseMs: 400, maxMs: 400, maxAttempts: 1000 });
    await expect(
      call(short, 'op', false, async () => Promise.reject(new TransientError('5xx'))),
    ).rejects.toBeInstanceOf(DeadlineError);
  });

  it('counts serial rounds: overlapping calls are one round', () => {
    expect(
      serialRounds([
        { startedAt: 0, endedAt: 10 },
        { startedAt: 1, endedAt: 11 },
        { startedAt: 2, endedAt: 9 },
      ]),
    ).toBe(1);
    expect(
      serialRounds([
        { startedAt: 0, endedAt: 10 },
        { startedAt: 10, endedAt: 20 },
        { startedAt: 21, endedAt: 30 },
      ]),
    ).toBe(3);
  });
});

describe('converge (level-triggered, against an in-memory provider)', () => {
  const slots = ['rtb-1', 'rtb-2', 'eip'];
  function world(roles: Record<string, MemberRole>, failing: string[] = []) {
    const bindings = new Map(slots.map((s) => [s, 'a']));
    let observes = 0;
    let writes = 0;
    const provider: Provider = {
      async observe() {
        observes++;
        const list = [...bindings].map(([slot, holder]) => ({
          vip: 'v',
          mode: 'route',
          slot,
          holder,
          resource: holder,
        }));
        return { bindings: list, memberWarnings: {} };
      },
      apply: (_m, changes) =>
        settleSlots(changes, async (c) => {
          writes++;
          if (failing.includes(c.slot)) throw new ProviderError(`${c.slot} is gone`);
          bindings.set(c.slot, c.to);
          // the first write flips the roles once: the primary changed while this instance wrote
          onWrite?.();
        }),
    };
    let onWrite: (() => void) | undefined;
    const probe: Probe = async (url) => ({ role: roles[new URL(url).hostname.split('.')[0]!] ?? 'down', ms: 1 });
    const run = (c: Claim | null) =>
      convergeMirror({
        mirror,
        claim: c,
        provider,
        probe,
        order: new ClaimOrder(),
        ctx: createCallContext(new CallLog(), 5000),
      });
    return {
      bindings,
      run,
      counts: () => ({ observes, writes }),
      flipOnFirstWrite: (to: Record<string, MemberRole>) => {
        onWrite = () => {
          Object.assign(roles, to);
          onWrite = undefined;
        };
      },
    };
  }

  it('reads back and probes again after applying, and follows a primary that changed meanwhile', async () => {
    const w = world({ a: 'down', b: 'primary' });
    w.flipOnFirstWrite({ a: 'primary', b: 'backup' });
    const p = await w.run(claim('b', 10));
    expect(p.error).toBeUndefined();
    expect(p.to).toBe('a');
    expect([...w.bindings.values()]).toEqual(['a', 'a', 'a']);
    expect(p.rounds).toBe(3);
  });

  it('several primaries: refused before any cloud call', async () => {
    const w = world({ a: 'primary', b: 'primary' });
    const p = await w.run(claim('b', 10));
    expect(p.error?.code).toBe('several_primaries');
    expect(w.counts()).toEqual({ observes: 0, writes: 0 });
  });

  it('a slot that fails for good does not stop the others and is named; it is not retried', async () => {
    const w = world({ a: 'down', b: 'primary' }, ['rtb-2']);
    const p = await w.run(null);
    expect(p.error?.message).toBe('rtb-2 is gone');
    expect([...w.bindings.values()]).toEqual(['b', 'a', 'b']);
    expect([...p.failed.values()].map((f) => f.slot)).toEqual(['rtb-2']);
    expect(w.counts().writes).toBe(3);
  });
});
