import type { VerificationKey } from '../../shared/protocol/verify.ts';
import { type Member, RACE_PROBE_TIMEOUT_MS, type WorldOptions } from './harness.ts';

export * from './harness.ts';

let chain: Promise<unknown> = Promise.resolve();

/** Run world starts one after another (a world may point process-wide settings at its emulator while it starts). */
export function serialStart<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

/** Make the named latency fields of an emulator's fault plan a fresh random value on every read (every call). */
export function jitter(faults: object, fields: string[], o: Pick<WorldOptions, 'jitterMs' | 'rng'>): void {
  const [lo, hi] = o.jitterMs;
  for (const f of fields) {
    Object.defineProperty(faults, f, {
      get: () => lo + o.rng() * (hi - lo),
      set: () => undefined,
      enumerable: true,
      configurable: true,
    });
  }
}

/** The verification keys of the worlds' configuration (`<member>-k1`), from the members' secrets. */
export function keysOf(secrets: Record<Member, string>): Map<string, VerificationKey> {
  return new Map(
    (['iris-a', 'iris-b'] as const).map((m) => [
      `${m}-k1`,
      { id: `${m}-k1`, secret: secrets[m], mirror: 'IRISMIRROR', member: m },
    ]),
  );
}

/** The world's configuration document with the race probe timeout. */
export function raceConfig(config: unknown): string {
  const c = structuredClone(config) as { mirrors: { health: Record<string, unknown> }[] };
  for (const m of c.mirrors) m.health = { ...m.health, timeoutMs: RACE_PROBE_TIMEOUT_MS };
  return JSON.stringify(c);
}
