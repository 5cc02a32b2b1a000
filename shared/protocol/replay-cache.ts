/** What became of an event, kept so that a sender whose answer was lost can learn it from the replay refusal. */
export interface SettledEvent {
  status: number;
  outcome: string;
  to?: string;
}

interface Entry {
  expires: number;
  /** Set while the first delivery is still being handled. */
  pending?: Promise<unknown>;
  answer?: SettledEvent;
}

/** What `claim` found for an event id. */
export type ReplayState<T> =
  | { kind: 'new' }
  | { kind: 'in-flight'; pending: Promise<T> }
  | { kind: 'settled'; answer: SettledEvent | undefined };

/**
 * Event ids seen within the time window, bounded per member: each member's ids live in their own space, so events
 * signed with one member's key can only ever evict that member's entries. The oldest goes first when full.
 */
export class ReplayCache {
  private readonly byMember = new Map<string, Map<string, Entry>>();
  constructor(
    private readonly ttlSeconds: number,
    private readonly maxPerMember = 1_000,
  ) {}

  /** Record the id for `member`, or say what is known about it when it was seen and has not expired. */
  claim<T>(member: string, eventId: string, nowSeconds: number): ReplayState<T> {
    let ids = this.byMember.get(member);
    if (!ids) {
      ids = new Map();
      this.byMember.set(member, ids);
    }
    const e = ids.get(eventId);
    if (e && e.expires > nowSeconds) {
      return e.pending
        ? { kind: 'in-flight', pending: e.pending as Promise<T> }
        : { kind: 'settled', answer: e.answer };
    }
    ids.delete(eventId);
    if (ids.size >= this.maxPerMember) this.evict(ids, nowSeconds);
    ids.set(eventId, { expires: nowSeconds + this.ttlSeconds });
    return { kind: 'new' };
  }

  /** The first delivery's handling: a duplicate arriving meanwhile waits for it and gets the same answer. */
  track(member: string, eventId: string, pending: Promise<unknown>): void {
    const e = this.byMember.get(member)?.get(eventId);
    if (e) e.pending = pending;
  }

  /** Forget an id so that a retry of the same request is accepted (used when the outcome was a server fault). */
  release(member: string, eventId: string): void {
    this.byMember.get(member)?.delete(eventId);
  }

  /** Remember the definitive answer given to a claimed id. */
  settle(member: string, eventId: string, answer: SettledEvent): void {
    const e = this.byMember.get(member)?.get(eventId);
    if (!e) return;
    e.pending = undefined;
    e.answer = answer;
  }

  /** How many ids are remembered for a member. */
  size(member: string): number {
    return this.byMember.get(member)?.size ?? 0;
  }

  private evict(ids: Map<string, Entry>, nowSeconds: number): void {
    for (const [id, e] of ids) if (e.expires <= nowSeconds && !e.pending) ids.delete(id);
    for (const [id, e] of ids) {
      if (ids.size < this.maxPerMember) break;
      // an id still being handled is kept: dropping it would let its duplicate run a second time
      if (!e.pending) ids.delete(id);
    }
  }
}
