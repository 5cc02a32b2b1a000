/** A read started earlier, with when it was issued and when it answered (performance.now() milliseconds). */
export interface TimedRead<T> {
  value: Promise<T>;
  issuedAt: number;
  /** Unset until the read has answered (or failed). */
  answeredAt?: number;
}

/** Start `read` now and stamp it; the value never rejects: a failed read gives `onError`'s value. */
export function timedRead<T>(read: () => Promise<T>, onError: (e: unknown) => T): TimedRead<T> {
  const r: TimedRead<T> = { value: Promise.resolve(undefined as T), issuedAt: performance.now() };
  r.value = read()
    .catch(onError)
    .finally(() => {
      r.answeredAt = performance.now();
    });
  return r;
}

/**
 * Whether an earlier read still counts right now: it is still in flight, or it answered no longer ago than it took.
 * A read of an external store is a snapshot from somewhere in its flight, so a read issued now could miss a change
 * made up to one round trip ago anyway; an earlier read within that bound gives the same guarantee, and a write may
 * rely on it instead of paying a second round trip.
 */
export function stillFresh<T>(r: TimedRead<T> | undefined, now = performance.now()): r is TimedRead<T> {
  if (!r) return false;
  if (r.answeredAt === undefined) return true;
  return now - r.answeredAt <= r.answeredAt - r.issuedAt;
}
