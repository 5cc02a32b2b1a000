import { setTimeout as delay } from 'node:timers/promises';
import type { MemberShape } from '../../local-cloud/member-pages.ts';
import type { Reply, SignedRequest } from '../../shared/core/engine.ts';
import type { MemberRole } from '../../shared/core/health.ts';

export type Member = 'iris-a' | 'iris-b';
export const MEMBERS: readonly Member[] = ['iris-a', 'iris-b'];

/** One function instance: its own engine (own memory: queue, replay cache), sharing the world's cloud. */
export interface Instance {
  handleEvent(req: SignedRequest): Promise<Reply>;
  reconcile(): Promise<Reply>;
}

/** A world a scenario runs in: one emulated cloud account, the members' status pages, N instances. */
export interface RaceWorld {
  instances: Instance[];
  setRole(member: Member, role: MemberRole): void;
  roles(): Record<Member, MemberRole>;
  /** A signed became-primary request of `member`, signed at `ts` (unix seconds; default now). */
  signed(member: Member, ts?: number): SignedRequest;
  /** Where each binding (route table, EIP, alias, access config, route) points: a member, or another word. */
  bindings(): string[];
  /** Start times (performance.now() ms) of every write call the emulator received. */
  writeTimes(): number[];
  /**
   * Change one binding behind the engines' backs, leaving the VIP half on another place (the public IP detached, one
   * route table pointing elsewhere): shows the checker sees a split in this world, and that a reconcile repairs it.
   */
  displace?(): void;
  close(): Promise<void>;
}

export interface WorldOptions {
  instances: number;
  /** Each cloud call takes a uniformly random latency in [min, max] ms. */
  jitterMs: [number, number];
  rng: () => number;
  /** Which member holds every binding at the start (default iris-a); 'none' for a VIP that is nowhere. */
  holder?: Member | 'none';
  roles: Record<Member, MemberRole>;
  /** What the members' pages look like (IRIS, Patroni, a generic page); default IRIS. */
  shape?: MemberShape;
}

/**
 * The members' probe timeout in race worlds. Every instance, the emulator and the status pages share one Node
 * process here (in the cloud each instance has its own), so the event loop may lag far more than a real probe would.
 */
export const RACE_PROBE_TIMEOUT_MS = 3000;

/** A cloud's side of the race suite: Azure, OCI… add one adapter each, the scenarios stay as they are. */
export interface CloudAdapter {
  name: string;
  start(o: WorldOptions): Promise<RaceWorld>;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same trial. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a member-side notifier does: resend the identical request on 5xx or 429 until its deadline. */
export async function notify(inst: Instance, req: SignedRequest, deadlineMs = 8000): Promise<Reply> {
  const end = performance.now() + deadlineMs;
  for (;;) {
    const reply = await inst.handleEvent(req);
    const retry = reply.status >= 500 || reply.status === 429;
    if (!retry || performance.now() > end) return reply;
    // the notifiers wait Retry-After (1 s); a quarter of it keeps trials short without a retry storm
    await delay(Math.max(50, (reply.retryAfterSeconds ?? 0.2) * 250));
  }
}

/** A scenario drives one trial and returns when every invocation it started has returned. */
export interface Scenario {
  name: string;
  initial: { holder?: Member | 'none'; roles: Record<Member, MemberRole>; instances?: number };
  run(w: RaceWorld, rng: () => number): Promise<unknown>;
}

export interface TrialOutcome {
  ok: boolean;
  why?: string;
  writes: number;
  bindings: string[];
  roles: Record<Member, MemberRole>;
  /** A bad trial's role changes and answers, in order. */
  story?: string[];
}

/** Writes that start this long after the last role change may still rest on a probe taken just before it. */
export const GRACE_MS = 50;

/**
 * The property, checked once every invocation has returned: bindings never split; one primary at the end → every
 * binding on it; none or several → no write started after the last role change (beyond GRACE_MS).
 */
export function check(w: RaceWorld, lastChange: number): TrialOutcome {
  const bindings = w.bindings();
  const roles = w.roles();
  const writes = w.writeTimes();
  const primaries = MEMBERS.filter((m) => roles[m] === 'primary');
  const out = { writes: writes.length, bindings, roles };
  if (new Set(bindings).size > 1) return { ...out, ok: false, why: `split: ${bindings.join(',')}` };
  if (primaries.length === 1) {
    const p = primaries[0] as Member;
    if (bindings.some((b) => b !== p)) return { ...out, ok: false, why: `sole primary ${p}, bindings ${bindings}` };
    return { ...out, ok: true };
  }
  const late = writes.filter((t) => t > lastChange + GRACE_MS).length;
  if (late > 0)
    return { ...out, ok: false, why: `${late} writes after the roles became ${primaries.length} primaries` };
  return { ...out, ok: true };
}

/** Run one trial of a scenario on a fresh world. */
export async function trial(
  adapter: CloudAdapter,
  s: Scenario,
  seed: number,
  jitterMs: [number, number],
  shape?: MemberShape,
) {
  const rng = seeded(seed);
  const w = await adapter.start({
    instances: s.initial.instances ?? 2,
    jitterMs,
    rng,
    holder: s.initial.holder,
    roles: s.initial.roles,
    shape,
  });
  const t0 = performance.now();
  let lastChange = t0;
  // what happened, for a bad trial's report: role changes and every answer, in ms since the trial began
  const story: string[] = [];
  const ms = () => Math.round(performance.now() - t0);
  const told = (i: number, what: string, started: number) => (reply: Reply) => {
    const r = reply.result;
    story.push(
      `${started}-${ms()} #${i} ${what} ${reply.status} ${r.outcome}${r.error ? ` ${r.error.code}` : ''}${r.to ? ` to ${r.to}` : ''}`,
    );
    return reply;
  };
  // every role change is a moment the property may refer to
  const tracked: RaceWorld = {
    ...w,
    instances: w.instances.map((inst, i) => ({
      handleEvent: (req) => inst.handleEvent(req).then(told(i, 'event', ms())),
      reconcile: () => inst.reconcile().then(told(i, 'reconcile', ms())),
    })),
    setRole: (m, r) => {
      w.setRole(m, r);
      lastChange = performance.now();
      story.push(`${ms()} ${m} ${r}`);
    },
  };
  try {
    await s.run(tracked, rng);
    const out = check(w, lastChange);
    return out.ok ? out : { ...out, story };
  } finally {
    await w.close();
  }
}
