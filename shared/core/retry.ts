import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { DeadlineError, ProviderError, TransientError } from '../errors.ts';
import type { ApplyReport, PlanChange } from '../providers/types.ts';
import type { CallLog } from './calls.ts';

/** Backoff between attempts of a transient failure: exponential with full jitter, capped. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 100, maxMs: 2000, maxAttempts: 8 };

/** What a provider needs to make calls: the deadline, the abort signal and the log to record into. */
export interface CallContext {
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly log: CallLog;
  readonly retry: RetryPolicy;
}

export function createCallContext(log: CallLog, deadlineMs: number, retry: RetryPolicy = DEFAULT_RETRY): CallContext {
  const signal = AbortSignal.timeout(deadlineMs);
  // Every parallel SDK call listens on this one signal; 50 route tables are 50 listeners, not a leak.
  setMaxListeners(1000, signal);
  return { deadline: Date.now() + deadlineMs, signal, log, retry };
}

function errorCode(e: unknown): string {
  if (e instanceof ProviderError) return String(e.detail?.apiCode ?? e.code);
  return e instanceof Error ? e.name : 'Error';
}

/** Wait for every write of a move to settle (none is left running), then fail with the first failure, if any. */
export async function settleAll(moves: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(moves)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Run one move per change, all at once, and report each change's end; nothing is left running and nothing throws. */
export async function settleSlots(
  changes: readonly PlanChange[],
  move: (c: PlanChange) => Promise<unknown>,
): Promise<ApplyReport> {
  const settled = await Promise.allSettled(changes.map((c) => Promise.resolve().then(() => move(c))));
  return {
    results: changes.map((change, i) => {
      const s = settled[i];
      return s?.status === 'rejected' ? { change, error: s.reason } : { change };
    }),
  };
}

/**
 * Run one API call, retrying TransientError with backoff until it succeeds, fails for good, or the deadline
 * would pass. Each attempt is recorded. `fn` must turn SDK errors into ProviderError/TransientError.
 */
export async function call<T>(ctx: CallContext, op: string, write: boolean, fn: (signal: AbortSignal) => Promise<T>) {
  for (let attempt = 1; ; attempt++) {
    const at = ctx.log.elapsed();
    try {
      const value = await fn(ctx.signal);
      ctx.log.add({ op, write, attempt, ok: true, ms: ctx.log.elapsed() - at, at });
      return value;
    } catch (e: unknown) {
      const requestId = e instanceof ProviderError ? (e.detail?.requestId as string | undefined) : undefined;
      ctx.log.add({ op, write, attempt, ok: false, ms: ctx.log.elapsed() - at, at, error: errorCode(e), requestId });
      if (ctx.signal.aborted) throw new DeadlineError(`deadline passed during ${op}`, { cause: e });
      if (!(e instanceof TransientError) || attempt >= ctx.retry.maxAttempts) throw e;
      const wait = Math.random() * Math.min(ctx.retry.maxMs, ctx.retry.baseMs * 2 ** (attempt - 1));
      if (Date.now() + wait >= ctx.deadline) {
        throw new DeadlineError(`${op} still failing (${errorCode(e)}) when the deadline came`, { cause: e });
      }
      await delay(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }
}
