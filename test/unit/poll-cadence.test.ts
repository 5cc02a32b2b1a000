import { describe, expect, it } from 'vitest';
import { FINE_POLL_MS, MAX_POLLS_PER_SECOND, PollCadence } from '../../shared/providers/poll-cadence.ts';

/**
 * An operation that ends `endsAt` ms after it started, followed on a clock the test moves: each read goes out when
 * the track asks and takes `readMs`. Returns the elapsed times at which the reads went out.
 */
function follow(cadence: PollCadence, kind: string, coarseMs: number, endsAt: number, readMs = 100): number[] {
  let t = 0;
  const track = cadence.track(kind, coarseMs, () => t);
  const reads: number[] = [];
  for (let i = 0; i < 1000; i++) {
    t += track.next();
    const at = t;
    reads.push(at);
    t += readMs;
    // the status is read when the answer is made: done once the operation's end has passed by then
    const ended = t >= endsAt;
    track.saw(ended, at);
    if (ended) return reads;
  }
  throw new Error('never ended');
}

describe('poll cadence: reads close to the end of a running operation, few elsewhere', () => {
  it('a kind never seen end is read every FINE_POLL_MS from one read’s start to the next: the end is seen within one interval', () => {
    const reads = follow(new PollCadence(), 'nic', 1000, 4000);
    expect(reads.slice(0, 3)).toEqual([FINE_POLL_MS, 2 * FINE_POLL_MS, 3 * FINE_POLL_MS]);
    const last = reads.at(-1) ?? 0;
    expect(last + 100 - 4000).toBeLessThanOrEqual(FINE_POLL_MS);
    expect(reads).toHaveLength(Math.ceil((4000 - 100) / FINE_POLL_MS));
  });

  it('once it has seen one end, the next operation of the kind is read coarsely until just before it, then finely', () => {
    const cadence = new PollCadence();
    const first = follow(cadence, 'nic', 1000, 4000);
    const second = follow(cadence, 'nic', 1000, 4000);
    // 1000, 2000, 3000 coarse, then one fine interval ahead of the last running read seen, then fine to the end
    expect(second.slice(0, 3)).toEqual([1000, 2000, 3000]);
    expect(second.length).toBeLessThan(first.length / 2);
    expect((second.at(-1) ?? 0) + 100 - 4000).toBeLessThanOrEqual(FINE_POLL_MS);
    // another kind learned nothing from it
    expect(follow(cadence, 'route', 1000, 4000)).toHaveLength(first.length);
  });

  it('an operation running past the longest seen goes back to the coarse interval', () => {
    const cadence = new PollCadence();
    follow(cadence, 'nic', 1000, 1000);
    const long = follow(cadence, 'nic', 1000, 10_000);
    const gaps = long.slice(1).map((r, i) => r - (long[i] ?? 0));
    // past the seen end + 1000: coarse only
    expect(gaps.slice(-5)).toEqual([1000, 1000, 1000, 1000, 1000]);
  });

  it('never reads more often than the mirror’s own interval when that is shorter than FINE_POLL_MS', () => {
    const reads = follow(new PollCadence(), 'nic', 20, 100, 0);
    expect(reads.slice(0, 3)).toEqual([20, 40, 60]);
  });

  it('operations in flight at once share MAX_POLLS_PER_SECOND between them', () => {
    const cadence = new PollCadence();
    const t = 0;
    const tracks = Array.from({ length: 4 }, () => cadence.track('route', 1000, () => t));
    // four at once: each waits 4 × (1000 / MAX_POLLS_PER_SECOND) ms, the reads of all four within the budget
    expect(tracks.map((k) => k.next())).toEqual(Array(4).fill((4 * 1000) / MAX_POLLS_PER_SECOND));
    for (const k of tracks.slice(1)) k.close();
    expect(tracks[0]?.next()).toBe(FINE_POLL_MS);
  });

  it('an operation already ended at its first read is learned as ending between the write’s answer and that read', () => {
    const cadence = new PollCadence();
    follow(cadence, 'nic', 1000, 50);
    expect(cadence.learned('nic')).toEqual({ runningAt: 0, endedAt: FINE_POLL_MS + 100 });
  });
});
