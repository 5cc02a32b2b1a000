import { describe, expect, it } from 'vitest';
import { awsAdapter } from './aws-adapter.ts';
import { azureAdapter } from './azure-adapter.ts';
import { gcpAdapter } from './gcp-adapter.ts';
import { check, GRACE_MS, type RaceWorld, seeded, trial } from './harness.ts';
import { ociAdapter } from './oci-adapter.ts';
import { SCENARIOS } from './scenarios.ts';

/** A fixed-seed sample of the soak (npm run soak runs ≥ 200 randomized trials per scenario per cloud). */
const SAMPLE_SEEDS = [1];
const JITTER: [number, number] = [2, 25];

const ADAPTERS = [
  awsAdapter,
  gcpAdapter('alias-ip'),
  gcpAdapter('route'),
  azureAdapter('ip-config'),
  azureAdapter('route'),
  ociAdapter('private-ip'),
  ociAdapter('route'),
];

describe.each(ADAPTERS)('race: $name', (adapter) => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: never split, never off the sole primary', async (_n, s) => {
    for (const seed of SAMPLE_SEEDS) {
      const out = await trial(adapter, s, seed, JITTER);
      expect(out, `seed ${seed}`).toMatchObject({ ok: true });
    }
  });
});

/**
 * Patroni-shaped members (GET /primary JSON read by the patroni probe): one VIP mode of each cloud, the scenarios of
 * two instances (the 50-instance one tests the engines' queue, not the page; `npm run soak -- --members=patroni`
 * runs it too).
 */
const PATRONI_ADAPTERS = [awsAdapter, gcpAdapter('alias-ip'), azureAdapter('ip-config'), ociAdapter('private-ip')];
const PAIR_SCENARIOS = SCENARIOS.filter((s) => (s.initial.instances ?? 2) <= 2);

describe.each(PATRONI_ADAPTERS)('race, Patroni members: $name', (adapter) => {
  it.each(PAIR_SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: never split, never off the sole primary',
    async (_n, s) => {
      for (const seed of SAMPLE_SEEDS) {
        const out = await trial(adapter, s, seed, JITTER, 'patroni');
        expect(out, `seed ${seed}`).toMatchObject({ ok: true });
      }
    },
  );
});

describe.each(ADAPTERS.filter((a) => a.name.startsWith('azure') || a.name.startsWith('oci')))(
  'race world: $name',
  (adapter) => {
    it('sees a binding moved behind its back as a split, and one reconcile repairs it', async () => {
      const roles = { 'iris-a': 'primary', 'iris-b': 'backup' } as const;
      const w = await adapter.start({ instances: 2, jitterMs: [2, 10], rng: seeded(1), roles });
      try {
        expect(check(w, performance.now()).ok).toBe(true);
        w.displace?.();
        expect(check(w, performance.now())).toMatchObject({ ok: false, why: expect.stringMatching(/^split/) });
        const reply = await w.instances[1]?.reconcile();
        expect(reply?.result).toMatchObject({ ok: true, outcome: 'moved' });
        expect(check(w, performance.now())).toMatchObject({ ok: true, bindings: expect.arrayContaining(['iris-a']) });
        expect(new Set(w.bindings())).toEqual(new Set(['iris-a']));
      } finally {
        await w.close();
      }
    });
  },
);

describe('race property', () => {
  const fake = (bindings: string[], roles: Record<'iris-a' | 'iris-b', 'primary' | 'backup'>, writes: number[]) =>
    ({ bindings: () => bindings, roles: () => roles, writeTimes: () => writes }) as unknown as RaceWorld;

  it('fails a split, a binding off the sole primary, and a write after the roles left no single primary', () => {
    const one = { 'iris-a': 'primary', 'iris-b': 'backup' } as const;
    const two = { 'iris-a': 'primary', 'iris-b': 'primary' } as const;
    expect(check(fake(['iris-a', 'iris-b'], one, []), 0).ok).toBe(false);
    expect(check(fake(['iris-b', 'iris-b'], one, []), 0).ok).toBe(false);
    expect(check(fake(['none', 'none'], two, [GRACE_MS + 1]), 0).ok).toBe(false);
    expect(check(fake(['iris-a', 'iris-a'], one, [5]), 0).ok).toBe(true);
    expect(check(fake(['none', 'none'], two, [GRACE_MS - 1]), 0).ok).toBe(true);
  });
});
