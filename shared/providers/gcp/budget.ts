/**
 * Compute runs one operation at a time per instance (a second write gets 400 resourceNotReady), so the writes
 * of one move are queued per instance: each lane runs its tasks one after the other; lanes run side by side.
 * The move's time budget (requireTimeFor, commitContext) is cloud-neutral: shared/providers/budget.ts.
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
