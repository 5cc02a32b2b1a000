import { setTimeout as delay } from 'node:timers/promises';
import { type CallContext, call } from '../../core/retry.ts';
import { DeadlineError, TransientError } from '../../errors.ts';
import type { PollCadence } from '../poll-cadence.ts';
import { apiCodeOf } from './azure-errors.ts';
import type { CallOptions, Lro } from './network-api.ts';

const backoff = (ctx: CallContext, attempt: number) =>
  Math.random() * Math.min(ctx.retry.maxMs, ctx.retry.baseMs * 2 ** (attempt - 1));

/**
 * One Resource Manager call, each attempt recorded. A TransientError is retried; when the answer carried
 * Retry-After (429, AnotherOperationInProgress) that wait is honoured, and if it would pass the deadline the call
 * fails at once with a DeadlineError naming the wait, rather than sleeping into a timeout.
 */
export async function armCall<T>(
  ctx: CallContext,
  op: string,
  write: boolean,
  fn: (o: CallOptions) => Promise<T>,
): Promise<T> {
  const once = { ...ctx, retry: { ...ctx.retry, maxAttempts: 1 } };
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(once, op, write, (signal) => fn({ signal }));
    } catch (e: unknown) {
      if (!(e instanceof TransientError) || attempt >= ctx.retry.maxAttempts) throw e;
      const hinted = e.detail?.retryAfterMs as number | undefined;
      const wait = hinted ?? backoff(ctx, attempt);
      if (Date.now() + wait >= ctx.deadline) {
        throw new DeadlineError(`${op}: ${apiCodeOf(e)} asks to wait ${Math.round(wait)} ms, past the deadline`, {
          cause: e,
        });
      }
      await delay(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }
}

/** How a provider paces its LRO polls: its instance's cadence and the mirror's coarse interval (pollIntervalMs). */
export interface LroPacing {
  cadence: PollCadence;
  coarseMs: number;
}

/**
 * Poll a started write to its end on the instance's cadence (shared/providers/poll-cadence.ts), never at the
 * server's Retry-After: ARM's async-operation guide gives Retry-After as the seconds to wait before checking the
 * status (learn.microsoft.com/azure/azure-resource-manager/management/async-operations), a schedule hint, often 10 s
 * for a NIC update done in 2; an early status read is answered, unlike a read sent before a 429's Retry-After, which
 * armCall honours. Each poll is recorded as a read; the deadline bounds the wait.
 */
export async function waitLro(ctx: CallContext, what: { op: string; target: string }, lro: Lro, pacing: LroPacing) {
  const track = pacing.cadence.track(what.op, pacing.coarseMs);
  try {
    while (!lro.done) {
      const left = ctx.deadline - Date.now();
      if (left <= 0) throw new DeadlineError(`${what.op} on ${what.target} was still running at the deadline`);
      await delay(Math.min(track.next(), left), undefined, { signal: ctx.signal }).catch(() => undefined);
      if (ctx.signal.aborted) throw new DeadlineError(`${what.op} on ${what.target} was still running at the deadline`);
      const at = performance.now();
      const ended = await armCall(ctx, 'network.asyncOperations.get', false, (o) => lro.poll(o));
      track.saw(ended, at);
    }
  } finally {
    track.close();
  }
}

/** Start a write and wait for its LRO; an LRO that ended Failed/Canceled is a ProviderError naming it. */
export async function writeAndWait(
  ctx: CallContext,
  what: { op: string; target: string },
  start: (o: CallOptions) => Promise<Lro>,
  pacing: LroPacing,
): Promise<void> {
  const lro = await armCall(ctx, what.op, true, start);
  await waitLro(ctx, what, lro, pacing);
}
