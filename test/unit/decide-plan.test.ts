import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { CallLog, serialRounds } from '../../shared/core/calls.ts';
import { ClaimHistory, decideTarget } from '../../shared/core/decide.ts';
import type { MemberRole, Probe } from '../../shared/core/health.ts';
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

const probeOf =
  (roles: Record<string, MemberRole>): Probe =>
  async (url) => ({ role: roles[new URL(url).hostname.split('.')[0]!] ?? 'down', ms: 1 });
const claim = (member: string, timestamp: number) => ({
  member,
  timestamp,
  eventId: `evt-${member}-${timestamp}-xxxxxxxx`,
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof DecisionError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('decide', () => {
  it('takes a claimant that the probe confirms', async () => {
    const d = await decideTarget(mirror, claim('b', 10), probeOf({ a: 'down', b: 'primary' }), new ClaimHistory());
    expect(d).toMatchObject({ target: 'b', basis: 'claim-confirmed', probes: { b: 'primary' } });
  });

  it('refuses a claimant that answers backup, unknown or nothing', async () => {
    for (const role of ['backup', 'unknown', 'down'] as const) {
      expect(
        await codeOf(decideTarget(mirror, claim('b', 10), probeOf({ a: 'primary', b: role }), new ClaimHistory())),
      ).toBe('claimant_not_primary');
    }
  });

  it('refuses an older claim from another member once a newer one was accepted', async () => {
    const h = new ClaimHistory();
    h.accept('M', claim('b', 20));
    expect(await codeOf(decideTarget(mirror, claim('a', 19), probeOf({ a: 'primary' }), h))).toBe('stale_event');
    expect((await decideTarget(mirror, claim('a', 21), probeOf({ a: 'primary' }), h)).target).toBe('a');
  });

  it('reconciles to the single primary, and refuses none or several', async () => {
    const h = new ClaimHistory();
    expect((await decideTarget(mirror, null, probeOf({ a: 'backup', b: 'primary' }), h)).target).toBe('b');
    expect(await codeOf(decideTarget(mirror, null, probeOf({ a: 'backup', b: 'down' }), h))).toBe('no_primary');
    expect(await codeOf(decideTarget(mirror, null, probeOf({ a: 'primary', b: 'primary' }), h))).toBe(
      'several_primaries',
    );
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
