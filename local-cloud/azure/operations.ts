import { randomUUID } from 'node:crypto';

/** One Azure-AsyncOperation: InProgress until `endsAt`, then Succeeded or Failed (and `settle` runs once). */
export interface AsyncOperation {
  id: string;
  endsAt: number;
  error: { code: string; message: string } | null;
  settled: boolean;
  settle: () => void;
}

/**
 * The emulator's running operations. Time is read when asked, and a timer settles each one when its time comes
 * (so the resource leaves Updating then, polled or not, and `onSettle` reports it); `stop()` clears the timers.
 */
export class OperationStore {
  private readonly ops = new Map<string, AsyncOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly onSettle: () => void = () => {}) {}

  start(delayMs: number, error: AsyncOperation['error'], settle: () => void): AsyncOperation {
    const op = { id: randomUUID(), endsAt: Date.now() + delayMs, error, settled: false, settle };
    this.ops.set(op.id, op);
    if (delayMs <= 0) this.finish(op);
    else {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.finish(op);
      }, delayMs);
      t.unref();
      this.timers.add(t);
    }
    return op;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private finish(op: AsyncOperation): void {
    if (op.settled) return;
    op.settled = true;
    op.settle();
    this.onSettle();
  }

  /** Settle every operation whose time has come. */
  tick(now = Date.now()): void {
    for (const op of this.ops.values()) if (!op.settled && op.endsAt <= now) this.finish(op);
  }

  /** The status document GET on the Azure-AsyncOperation URL returns, or undefined for an unknown id. */
  status(id: string): Record<string, unknown> | undefined {
    this.tick();
    const op = this.ops.get(id);
    if (!op) return undefined;
    if (!op.settled) return { name: id, status: 'InProgress' };
    return op.error ? { name: id, status: 'Failed', error: op.error } : { name: id, status: 'Succeeded' };
  }
}
