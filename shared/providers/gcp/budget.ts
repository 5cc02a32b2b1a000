import { setMaxListeners } from 'node:events';
import { timingOf } from '../../config/timing.ts';
import type { CallContext } from '../../core/retry.ts';
import { DeadlineError } from '../../errors.ts';

/**
 * Compute runs one operation at a time per instance (a second write gets 400 resourceNotReady), so the writes
 * of one move are queued per instance: each lane runs its tasks one after the other; lanes run side by side.
 */
export class InstanceLanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `task` after every task queued before it on `instance` has settled. */
  run<T>(instance: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(instance) ?? Promise.resolve();
    const next = prev.then(task, task);
    this.tails.set(
      instance,
      next.catch(() => undefined),
    );
    return next;
  }
}

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
