/** One attempt at one cloud API call, as reported in results and logs. */
export interface CallRecord {
  op: string;
  write: boolean;
  attempt: number;
  ok: boolean;
  ms: number;
  /** Milliseconds since the invocation started, when the attempt began. */
  at: number;
  error?: string;
  requestId?: string;
}

/** The calls of one invocation, in the order they started. */
export class CallLog {
  readonly records: CallRecord[] = [];
  private readonly t0 = performance.now();

  elapsed(): number {
    return performance.now() - this.t0;
  }

  add(record: CallRecord): void {
    this.records.push({ ...record, ms: round(record.ms), at: round(record.at) });
  }

  get writes(): number {
    return this.records.filter((r) => r.write).length;
  }

  /** How many calls ran one after another at the most: the round trips a reader of the timeline would count. */
  get serialRounds(): number {
    return serialRounds(this.records.map((r) => ({ startedAt: r.at, endedAt: r.at + r.ms })));
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Length of the longest chain of intervals where each starts at or after the previous one ended. */
export function serialRounds(calls: readonly { startedAt: number; endedAt: number }[]): number {
  const sorted = [...calls].sort((a, b) => a.endedAt - b.endedAt);
  const depth: number[] = [];
  let best = 0;
  sorted.forEach((c, i) => {
    let d = 1;
    for (let j = 0; j < i; j++) {
      const p = sorted[j];
      if (p && p.endedAt <= c.startedAt) d = Math.max(d, (depth[j] ?? 0) + 1);
    }
    depth[i] = d;
    best = Math.max(best, d);
  });
  return best;
}
