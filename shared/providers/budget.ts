import { setMaxListeners } from 'node:events';
import { timingOf } from '../config/timing.ts';
import type { CallContext } from '../core/retry.ts';
import { DeadlineError } from '../errors.ts';

/**
 * The time budget of a break-before-make move, for every cloud that has one (GCP alias-ip, Azure ip-config): a
 * move is only started when its serial operations fit in the time left, and once its removal is under way the
 * writes that complete it run under a later deadline. The figures are per cloud (shared/config/timing.ts).
 */

/**
 * Refuse to start a move whose serial operations cannot all fit in the time left: a deadline that expired
 * after the removal would leave the VIP on nobody. `serialOps` is the longest chain of operations, one after the other.
 */
export function requireTimeFor(
  ctx: CallContext,
  mirror: { cloud: string; name: string; operationMs?: number },
  serialOps: number,
): void {
  const { operationMs } = timingOf(mirror);
  const left = ctx.deadline - Date.now();
  const needed = serialOps * operationMs;
  if (left < needed) {
    throw new DeadlineError(
      `not starting the move of ${mirror.name}: ${Math.max(0, Math.round(left))} ms left, its ${serialOps} serial operations may take ${needed} ms (operationMs ${operationMs}); nothing was changed`,
      { detail: { leftMs: Math.round(left), neededMs: needed } },
    );
  }
}

/**
 * The context of the writes that complete a move once its removal has started: the same log and retries, but a
 * deadline `commitGraceMs` later and its own abort signal, so a deadline passing between the remove and the add
 * never abandons the add. The function timeout leaves room for it (shared/config/timing.ts).
 */
export function commitContext(ctx: CallContext, mirror: { cloud: string }): CallContext {
  const { commitGraceMs } = timingOf(mirror);
  const deadline = ctx.deadline + commitGraceMs;
  const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  setMaxListeners(1000, signal);
  return { ...ctx, deadline, signal };
}
