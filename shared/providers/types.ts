import type { MirrorConfig } from '../config/schema.ts';
import type { CheckFinding } from '../core/check.ts';
import type { CallContext } from '../core/retry.ts';

/**
 * One place a VIP can point: a route in one route table, an Elastic IP association, an alias range.
 * `holder` is the member that place points at now (null when it points nowhere or at something else,
 * which `resource` then names).
 */
export interface Binding {
  vip: string;
  mode: string;
  slot: string;
  holder: string | null;
  resource: string | null;
}

/** Where every VIP of a mirror points now, plus anything a human should know (e.g. source/dest check on). */
export interface Observation {
  bindings: Binding[];
  /** Warnings that apply when the VIP is moved to a given member, keyed by member name. */
  memberWarnings: Record<string, string[]>;
}

/** One write the provider must make: point `slot` of `vip` at member `to`. */
export interface PlanChange {
  vip: string;
  mode: string;
  slot: string;
  from: string | null;
  to: string;
}

/** `warnings: false` when only the bindings matter (the read-back after a move): reads that feed warnings alone are skipped. */
export interface ObserveOptions {
  warnings?: boolean;
  /** What `snapshot` read for every mirror of this reconcile: the observation comes from it, with no call. */
  snapshot?: unknown;
}

/** How one change of an apply ended: `error` is set when that slot's write failed for good. */
export interface SlotResult {
  change: PlanChange;
  error?: unknown;
}

/** What an apply did, slot by slot: a failing slot never stops the others (partial progress). */
export interface ApplyReport {
  results: SlotResult[];
}

/**
 * A cloud's moves for one mirror. Providers observe and apply; they never decide.
 * `apply` should try every change and return an ApplyReport (see settleSlots in core/retry.ts). A provider that
 * returns nothing and throws instead is still accepted: the engine then counts every change it cannot see on the
 * target at the read-back as failed with that error.
 */
export interface Provider<M extends MirrorConfig = MirrorConfig> {
  observe(mirror: M, ctx: CallContext, options?: ObserveOptions): Promise<Observation>;
  /**
   * Read what `observe` needs for many mirrors at once (a scheduled reconcile of a whole deployment), in calls
   * that grow with regions, not mirrors; each mirror's first observation then comes from it. Optional.
   */
  snapshot?(mirrors: readonly M[], ctx: CallContext): Promise<unknown>;
  // biome-ignore lint/suspicious/noConfusingVoidType: providers written against the older `Promise<void>` still fit
  apply(mirror: M, changes: readonly PlanChange[], ctx: CallContext): Promise<ApplyReport | void>;
  /**
   * The provider's preflight (shared/core/check.ts): every member as a possible target, every check of its cloud.
   * It makes ZERO write calls (ctx.log counts them) and reports a read it could not make as status 'error'.
   */
  check?(mirror: M, ctx: CallContext): Promise<CheckFinding[]>;
}
