import type { MirrorVipError } from '../errors.ts';
import type { PlanChange } from '../providers/types.ts';
import type { CallLog, CallRecord } from './calls.ts';
import type { MemberRole } from './health.ts';

export const TRIGGERS = ['event', 'alarm', 'schedule', 'manual'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const OUTCOMES = ['moved', 'unchanged', 'planned', 'rejected', 'failed', 'paused'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One place a VIP can point (see providers/types.ts Binding). */
export interface SlotRef {
  vip: string;
  slot: string;
  to: string;
}

/** What one invocation did for one mirror: returned as JSON, logged as one line, published on a move or failure. */
export interface FailoverResult {
  ok: boolean;
  outcome: Outcome;
  trigger: Trigger;
  eventId?: string;
  mirror?: string;
  from?: string | null;
  to?: string;
  plan?: PlanChange[];
  probes?: Record<string, MemberRole>;
  warnings: string[];
  calls: CallRecord[];
  writeCalls: number;
  serialRounds: number;
  durationMs: number;
  error?: { code: string; message: string };
  /** Per slot: what was moved to `to` and what failed (with the error), when a move was attempted. */
  slots?: { moved: SlotRef[]; failed: (SlotRef & { error: { code: string; message: string } })[] };
  /** How many observe → probe → apply rounds the convergence took. */
  rounds?: number;
  /** On replayed_event: the answer the first delivery got (when it is still remembered). */
  original?: { status: number; outcome: string; to?: string };
}

/** The HTTP status a result maps to: 200 when it converged or had nothing to do, else the error's status. */
export function statusOf(result: FailoverResult, error?: MirrorVipError): number {
  return result.ok ? 200 : (error?.status ?? 500);
}

/** A result before the call log's figures are added. */
export type ResultDraft = Omit<FailoverResult, 'calls' | 'writeCalls' | 'serialRounds' | 'durationMs'>;

/** The figures every result carries, read from the call log. */
export function callFigures(
  log: CallLog,
): Pick<FailoverResult, 'calls' | 'writeCalls' | 'serialRounds' | 'durationMs'> {
  return {
    calls: log.records,
    writeCalls: log.writes,
    serialRounds: log.serialRounds,
    durationMs: Math.round(log.elapsed() * 10) / 10,
  };
}

/** The error as the caller may see it: the stable code always, the message only when it is safe to show. */
export function publicError(e: MirrorVipError): { code: string; message: string } {
  return { code: e.code, message: e.expose ? e.message : 'internal error; see the function log' };
}

/** A complete result for a request refused before the engine saw it (platform-level checks at the entry point). */
export function rejectedResult(code: string, message: string, trigger: Trigger = 'event'): FailoverResult {
  return {
    ok: false,
    outcome: 'rejected',
    trigger,
    warnings: [],
    calls: [],
    writeCalls: 0,
    serialRounds: 0,
    durationMs: 0,
    error: { code, message },
  };
}
