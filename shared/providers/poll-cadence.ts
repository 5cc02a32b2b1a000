/**
 * When to read a running cloud operation again (an Azure LRO, an OCI public IP while ASSIGNING).
 *
 * The lag between an operation ending and the function seeing it is up to one interval, so the interval is short
 * (`FINE_POLL_MS`) whenever the end may be near: always for an operation of a kind this instance has not yet seen
 * end, and, once it has, from shortly before the earliest end seen until one coarse interval after the latest.
 * Elsewhere it polls at the mirror's coarse interval. Operations in flight at once share `MAX_POLLS_PER_SECOND`
 * for the reads the short intervals add.
 */

/** The short interval near an operation's end (never longer than the mirror's own interval). */
export const FINE_POLL_MS = 250;

/**
 * Status reads per second one provider instance makes at most across the operations it polls at once. 8/s is a
 * third of ARM's per-subscription read refill (25/s, bucket 250) and a quarter of Microsoft.Network's 10,000 reads
 * per 5 minutes (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
 */
export const MAX_POLLS_PER_SECOND = 8;

/** Elapsed ms, from the write's answer, of the last read that still saw it running and of the one that saw it end. */
interface Seen {
  runningAt: number;
  endedAt: number;
}

/** One followed operation: `next()` is the wait before the next read, `saw()` records what that read found. */
export interface PollTrack {
  next(): number;
  saw(ended: boolean, readStartedAt: number): void;
  /** Stop following (ended, failed or abandoned): frees its share of the poll budget. */
  close(): void;
  /** performance.now() when the operation was started (the write's answer). */
  readonly startedAt: number;
}

/** The cadence of one provider instance: what it learned of each kind of operation, and what it polls now. */
export class PollCadence {
  private readonly seen = new Map<string, Seen>();
  private inFlight = 0;

  /**
   * The interval a track uses now: the one it asks for, stretched so the reads the cadence adds stay within the
   * instance's budget, never past the mirror's own interval (what it polled at before the cadence existed).
   */
  private share(intervalMs: number, coarseMs: number): number {
    return Math.max(intervalMs, Math.min(coarseMs, (this.inFlight * 1000) / MAX_POLLS_PER_SECOND));
  }

  /** What was learned of `kind` (for tests and logs). */
  learned(kind: string): Readonly<Seen> | undefined {
    return this.seen.get(kind);
  }

  /**
   * Follow one operation of `kind` that has just started, read at most `coarseMs` apart. Intervals run from one
   * read's start to the next (not from its answer), so a round trip does not add to the lag.
   */
  track(kind: string, coarseMs: number, now: () => number = () => performance.now()): PollTrack {
    const startedAt = now();
    const fine = Math.min(coarseMs, FINE_POLL_MS);
    let runningAt = 0;
    let lastReadAt = 0;
    let open = true;
    this.inFlight++;
    const close = () => {
      if (open) this.inFlight--;
      open = false;
    };
    /** When, in ms from the start, the next read goes out. */
    const nextAt = (elapsed: number): number => {
      const before = this.seen.get(kind);
      // never seen end: it may end any moment; running longer than last time: no telling when, coarse
      if (!before) return lastReadAt + this.share(fine, coarseMs);
      if (elapsed > before.endedAt + coarseMs) return lastReadAt + this.share(coarseMs, coarseMs);
      // before the earliest end seen: coarse steps, the last one landing one fine interval ahead of it; then fine
      const near = before.runningAt - fine;
      if (lastReadAt + fine >= near) return lastReadAt + this.share(fine, coarseMs);
      return Math.min(lastReadAt + this.share(coarseMs, coarseMs), near);
    };
    return {
      startedAt,
      next: () => {
        const elapsed = now() - startedAt;
        return Math.max(0, nextAt(elapsed) - elapsed);
      },
      saw: (ended, readStartedAt) => {
        const at = readStartedAt - startedAt;
        lastReadAt = Math.max(lastReadAt, at);
        if (!ended) runningAt = Math.max(runningAt, at);
        else this.seen.set(kind, { runningAt, endedAt: now() - startedAt });
        if (ended) close();
      },
      close,
    };
  }
}
