import type { MirrorConfig } from '../config/schema.ts';
import {
  asMirrorVipError,
  ConvergenceError,
  DeadlineError,
  DecisionError,
  type MirrorVipError,
  TransientError,
} from '../errors.ts';
import type { PlanChange, Provider, SlotResult } from '../providers/types.ts';
import { type Claim, type ClaimOrder, probeAll, type Roles, soleTarget } from './decide.ts';
import type { Probe } from './health.ts';
import { computePlan, currentHolder, hasChanges } from './plan.ts';
import { publicError, type SlotRef } from './result.ts';
import type { CallContext } from './retry.ts';
import { stillFresh, type TimedRead } from './timed-read.ts';

/** Rounds of observe → probe → apply one invocation may run before it gives up (the deadline bounds them too). */
export const MAX_ROUNDS = 5;

/** What a convergence saw and did, whether it ended well (`error` unset) or not. */
export interface Progress {
  rounds: number;
  from?: string | null;
  to?: string;
  probes?: Roles;
  plan: PlanChange[];
  warnings: string[];
  /** True once any write was attempted. */
  wrote: boolean;
  moved: Map<string, SlotRef>;
  failed: Map<string, SlotRef & { error: MirrorVipError }>;
  error?: MirrorVipError;
  /** The claim this convergence acted on, when one of several was confirmed by the probes. */
  claim?: Claim;
  /** True when an operator's pause, read before a write round, stopped the convergence. */
  stoppedByPause?: boolean;
}

export interface ConvergeInput {
  mirror: MirrorConfig;
  /** The claim of an event (null: a reconcile). With probes on, several claims may share one convergence. */
  claim: Claim | null;
  /** Further claims answered by the same convergence (probes on): the one the probes confirm is acted on. */
  claims?: Claim[];
  /** A reconcile shares the convergence: when no claim is confirmed, it still moves to the sole primary. */
  alsoReconcile?: boolean;
  /** Read right before each write round: true stops the convergence before it writes more (an operator's pause). */
  paused?: () => Promise<boolean>;
  /**
   * The pause read the event started on arrival (never rejects). It is awaited alongside the first look, stops the
   * convergence when paused, and serves the first write round's pause check while still fresh (timed-read.ts).
   */
  earlyPause?: TimedRead<boolean>;
  provider: Provider;
  probe: Probe;
  order: ClaimOrder;
  ctx: CallContext;
  /**
   * Probe and observe at once (an event whose claimant already answered primary): a refusal then costs one read,
   * and a dead member's connect window is no longer followed by the observation's round trip.
   */
  overlap?: boolean;
  /** The reconcile's snapshot of many mirrors (Provider.snapshot): the first observation comes from it. */
  snapshot?: Promise<unknown>;
}

/** A change is tried again unless the same write failed for good earlier in this invocation. */
const retryable = (failed: { to: string; error: MirrorVipError } | undefined, c: PlanChange) =>
  failed === undefined || failed.to !== c.to || failed.error instanceof TransientError;

const keyOf = (c: { vip: string; slot: string }) => `${c.vip}\u0000${c.slot}`;

/**
 * The target of this round: the sole primary by probe (the claimant on the first round of an event). `hold` keeps a
 * silent member's connect window open until it settles (health.ts Probe).
 */
async function targetOf(input: ConvergeInput, asClaim: boolean, p: Progress, hold?: Promise<unknown>): Promise<string> {
  const { mirror, order } = input;
  const claim = asClaim ? input.claim : null;
  if (!mirror.health.enabled) {
    if (input.claim) {
      if (claim) order.check(mirror.name, claim);
      return input.claim.member;
    }
    const last = order.latest(mirror.name);
    if (!last) throw new DecisionError('no_primary', 'health probes are off and no claim was received yet', 409);
    return last.member;
  }
  // every member, every time: the sole member answering primary is the truth, whoever sent the event
  const probes = await probeAll(mirror, input.probe, undefined, hold);
  p.probes = probes;
  return soleTarget(probes, claim && chosenClaim(input, probes, p));
}

/**
 * Of the claims sharing this convergence, the one the probes confirm (at most one member is the sole primary);
 * otherwise the first, which the probes then refuse. Once chosen, the choice holds for the invocation.
 */
function chosenClaim(input: ConvergeInput, probes: Roles, p: Progress): Claim | null {
  if (p.claim) return p.claim;
  const all = [input.claim, ...(input.claims ?? [])].filter((c): c is Claim => c !== null);
  const sole = Object.keys(probes).filter((m) => probes[m] === 'primary');
  const confirmed = sole.length === 1 ? all.find((c) => c.member === sole[0]) : undefined;
  if (confirmed) p.claim = confirmed;
  return confirmed ?? (input.alsoReconcile ? null : (all[0] ?? null));
}

interface Look {
  target: string;
  observed: Awaited<ReturnType<Provider['observe']>>;
  /** The probes ended after the observation did: they are as fresh as a probe made after it. */
  fresh: boolean;
}

/**
 * The target and the bindings of one round. Serial (probe, then observe) unless `overlap`; overlapped, the round's
 * last probe answer must come after the observation for the write to go ahead on these probes, which is the order
 * the serial path gets by probing again. A member that has not connected is held open until the observation ends,
 * so a dead member's verdict comes after it and costs no second probe.
 */
async function look(input: ConvergeInput, p: Progress, first: boolean): Promise<Look> {
  const observe = async () => {
    const snapshot = first ? await input.snapshot : undefined;
    return input.provider.observe(input.mirror, input.ctx, { warnings: first, snapshot });
  };
  if (!input.overlap) {
    const target = await targetOf(input, !p.wrote, p);
    return { target, observed: await observe(), fresh: false };
  }
  let probedAt = 0;
  let observedAt = 0;
  const stamp = (set: (t: number) => void) => () => set(performance.now());
  const observing = observe().finally(stamp((x) => (observedAt = x)));
  const observed = observing.then(
    () => undefined,
    () => undefined,
  );
  const [t, o] = await Promise.allSettled([
    targetOf(input, !p.wrote, p, observed).finally(stamp((x) => (probedAt = x))),
    observing,
  ]);
  // the probes decide first: a refusal is the answer even when the read failed too
  if (t.status === 'rejected') throw t.reason;
  if (o.status === 'rejected') throw o.reason;
  return { target: t.value, observed: o.value, fresh: probedAt >= observedAt };
}

/** Apply, and never let a provider's throw hide which slots got through: the read-back will say. */
async function applyChanges(input: ConvergeInput, changes: PlanChange[]): Promise<SlotResult[]> {
  try {
    const report = await input.provider.apply(input.mirror, changes, input.ctx);
    return report?.results ?? changes.map((change) => ({ change }));
  } catch (e: unknown) {
    return changes.map((change) => ({ change, error: e }));
  }
}

function record(p: Progress, results: SlotResult[]): void {
  for (const r of results) {
    const ref = { vip: r.change.vip, slot: r.change.slot, to: r.change.to };
    if (r.error === undefined) {
      p.moved.set(keyOf(ref), ref);
      p.failed.delete(keyOf(ref));
    } else {
      p.moved.delete(keyOf(ref));
      p.failed.set(keyOf(ref), { ...ref, error: asMirrorVipError(r.error) });
    }
  }
}

/** The pause as read right before a write round; an unreadable store does not stop a failover (the check logs it). */
async function pausedNow(input: ConvergeInput): Promise<boolean> {
  if (!input.paused) return false;
  return input.paused().catch(() => false);
}

/**
 * The pause before a write round: the event's early read when this is the first round and it is still fresh (no
 * older than one of its own round trips), else a read made now.
 */
function pausedBeforeWrite(input: ConvergeInput, first: boolean): Promise<boolean> {
  const early = input.earlyPause;
  if (first && stillFresh(early)) return early.value;
  return pausedNow(input);
}

/** The slot failures that stop this invocation: the first one's error, with every failed slot in its detail. */
function slotFailure(p: Progress): MirrorVipError {
  const first = [...p.failed.values()][0];
  return first?.error ?? new ConvergenceError('read-back still shows the VIP elsewhere');
}

/**
 * Level-triggered convergence: observe the bindings, probe every member, write what differs, and go round again
 * until a read-back and a probe agree that every binding is on the sole primary, or the rounds or the deadline run
 * out. A failing slot does not stop the others; a slot that failed for good is not retried in this invocation.
 */
export async function convergeMirror(input: ConvergeInput): Promise<Progress> {
  const { mirror, ctx } = input;
  const p: Progress = { rounds: 0, plan: [], warnings: [], wrote: false, moved: new Map(), failed: new Map() };
  try {
    for (;;) {
      p.rounds++;
      const first = p.rounds === 1;
      // probe first (or with the read, see look): until something is written, an event's target must be its
      // claimant; after that, whoever the probes say. Serial, a refusal costs no cloud call at all.
      const { target, observed, fresh } = await look(input, p, first);
      // the event's pause read ran alongside: a paused mirror stops here, whatever the plan (nothing was written)
      if (first && input.earlyPause && (await input.earlyPause.value)) {
        p.stoppedByPause = true;
        return p;
      }
      p.to = target;
      if (first) p.from = currentHolder(observed);
      const plan = computePlan(mirror.name, target, observed);
      if (first) [p.plan, p.warnings] = [plan.changes, plan.warnings];
      if (!hasChanges(plan)) return p;
      const pending = plan.changes.filter((c) => retryable(p.failed.get(keyOf(c)), c));
      if (pending.length === 0) throw slotFailure(p);
      if (p.rounds > MAX_ROUNDS) throw new ConvergenceError(`not converged after ${MAX_ROUNDS} rounds`);
      if (Date.now() >= ctx.deadline) throw new DeadlineError('deadline passed before the move converged');
      // probe again right before writing when the observation ended last (the roles may have moved on meanwhile), and
      // read the pause: an operator's pause takes effect for every write round not yet begun, whichever instance took it
      const [moved, paused] = await Promise.all([
        fresh ? false : targetOf(input, !p.wrote, p).then((t) => t !== target),
        fresh ? pausedBeforeWrite(input, first) : pausedNow(input),
      ]);
      if (moved) continue;
      if (paused) {
        p.stoppedByPause = true;
        return p;
      }
      p.wrote = true;
      record(p, await applyChanges(input, pending));
    }
  } catch (e: unknown) {
    const error = asMirrorVipError(e);
    // a deadline that ends the retries of failed writes is best told by naming those writes
    p.error = error instanceof DeadlineError && p.failed.size > 0 ? slotFailure(p) : error;
    return p;
  }
}

/** The per-slot summary for a result. */
export function slotSummary(p: Progress) {
  if (!p.wrote) return undefined;
  return {
    moved: [...p.moved.values()],
    failed: [...p.failed.values()].map(({ error, ...ref }) => ({ ...ref, error: publicError(error) })),
  };
}
