import { type MemberShape, withMemberShape } from '../../local-cloud/member-pages.ts';
import { signedParts } from '../../local-cloud/worlds/signed.ts';
import type { FailoverEngine } from '../../shared/core/engine.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import type { VerificationKey } from '../../shared/protocol/verify.ts';
import { MEMBERS, type Member, RACE_PROBE_TIMEOUT_MS, type RaceWorld, type WorldOptions } from './harness.ts';

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

/** The world's configuration document with the race probe timeout, its members read in `shape` (default IRIS). */
export function raceConfig(config: unknown, shape: MemberShape = 'iris'): string {
  const c = withMemberShape(structuredClone(config), shape) as { mirrors: { health: Record<string, unknown> }[] };
  for (const m of c.mirrors) m.health = { ...m.health, timeoutMs: RACE_PROBE_TIMEOUT_MS };
  return JSON.stringify(c);
}

/** What the OCI SDK prints on every refused call it does not retry (its retrier's console.warn): counted, not shown. */
export const sdkWarnings = { ociNotRetried: 0 };
let quiet = false;
/** Route the OCI SDK's "Request cannot be retried" console lines into a count (a 412 in a race is expected). */
export function quietOciSdkWarnings(): void {
  if (quiet) return;
  quiet = true;
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Request cannot be retried. Not Retrying.')) {
      sdkWarnings.ociNotRetried++;
      return;
    }
    warn(...args);
  };
}

/** The parts of a race world every adapter builds alike: one instance per engine, the members' roles, their events. */
export function commonParts(
  engines: readonly FailoverEngine[],
  world: {
    members: { set(m: Member, r: MemberRole): void; roles: Record<string, MemberRole> };
    secrets: Record<Member, string>;
  },
): Pick<RaceWorld, 'instances' | 'setRole' | 'roles' | 'signed'> {
  return {
    instances: engines.map((e) => ({
      handleEvent: (req) => e.handleEvent(req),
      reconcile: async () => (await e.reconcile('schedule', 'IRISMIRROR'))[0] as never,
    })),
    setRole: (m, r) => world.members.set(m, r),
    roles: () => Object.fromEntries(MEMBERS.map((m) => [m, world.members.roles[m]])) as never,
    signed: (member, ts) => {
      const { body, headers } = signedParts(world.secrets, member, { ts });
      return { rawBody: body, headers };
    },
  };
}
