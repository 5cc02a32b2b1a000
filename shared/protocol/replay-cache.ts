/** What became of an event, kept so that a sender whose answer was lost can learn it from the replay refusal. */
export interface SettledEvent {
  status: number;
  outcome: string;
  to?: string;
}

/** Event ids seen within the time window, bounded in size; the oldest entry goes first when full. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly settled = new Map<string, SettledEvent>();
  constructor(
    private readonly ttlSeconds: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Record the id; false when it was already seen and has not expired. */
  claim(eventId: string, nowSeconds: number): boolean {
    const expires = this.seen.get(eventId);
    if (expires !== undefined && expires > nowSeconds) return false;
    this.seen.delete(eventId);
    this.settled.delete(eventId);
    if (this.seen.size >= this.maxEntries) this.evict(nowSeconds);
    this.seen.set(eventId, nowSeconds + this.ttlSeconds);
    return true;
  }

  /** Forget an id so that a retry of the same request is accepted (used when the outcome was a server fault). */
  release(eventId: string): void {
    this.seen.delete(eventId);
    this.settled.delete(eventId);
  }

  /** Remember the definitive answer given to a claimed id. */
  settle(eventId: string, answer: SettledEvent): void {
    if (this.seen.has(eventId)) this.settled.set(eventId, answer);
  }

  /** The answer given to an id, if it was settled and is still remembered. */
  answerOf(eventId: string): SettledEvent | undefined {
    return this.settled.get(eventId);
  }

  private evict(nowSeconds: number): void {
    for (const [id, expires] of this.seen) if (expires <= nowSeconds) this.release(id);
    const oldest = this.seen.keys().next();
    if (this.seen.size >= this.maxEntries && !oldest.done) this.release(oldest.value);
  }
}
