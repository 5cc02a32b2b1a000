import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { CallLog, serialRounds } from '../../shared/core/calls.ts';
import { ClaimOrder, soleTarget } from '../../shared/core/decide.ts';
import { computePlan, currentHolder, hasChanges } from '../../shared/core/plan.ts';
import { call, createCallContext } from '../../shared/core/retry.ts';
import { DeadlineError, DecisionError, ProviderError, TransientError } from '../../shared/errors.ts';

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
