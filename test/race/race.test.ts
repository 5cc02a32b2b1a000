import { describe, expect, it } from 'vitest';
import { awsAdapter } from './aws-adapter.ts';
import { azureAdapter } from './azure-adapter.ts';
import { gcpAdapter } from './gcp-adapter.ts';
import { check, GRACE_MS, type RaceWorld, trial } from './harness.ts';
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
