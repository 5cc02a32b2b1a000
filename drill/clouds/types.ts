import type { DrillMember } from '../netns.ts';
import type { LatencyProfile } from '../profiles.ts';

/**
 * The product's health defaults (shared/config/schema.ts): the drill measures what a deployment gets unless it
 * tunes them: a 1500 ms answer timeout, and a claimant confirmed before its mirror's queue.
 */
export const PRODUCT_HEALTH = { enabled: true, timeoutMs: 1500, confirmWindowMs: 3000 };

/** What a cloud adapter is told when the drill starts it. */
export interface CloudStartOptions {
  /** Each member's health URL (IRIS's mirror_status.cxw or Patroni's /primary), on the management bridge. */
  healthUrls: Record<DrillMember, string>;
  /** The host's address on the management bridge: the function URL must be reachable there. */
  hostIp: string;
  /** The profile at the drill's scale: the emulator's latencies come from it. */
  profile: LatencyProfile;
  /** The scale factor (the seed's fixed sleeps scale with it). */
  scale: number;
  /** What the members' pages are: the configuration's health.probe follows (withProbeOf). */
  members?: 'iris' | 'patroni';
}

/**
 * One cloud's emulator with the bundled function in front of it, for the whole drill (many runs).
 * Times are epoch milliseconds.
 */
export interface CloudSession {
  /** Where the members' notifier sends its signed event. */
  functionUrl: string;
  mirror: string;
  /** Each member's notifier key (id and secret). */
  keys: Record<DrillMember, { id: string; secret: string }>;
  /** The member the cloud forwards the VIP to now, read from the emulator's live state. */
  holder(): DrillMember | undefined;
  /** Calls `cb` the moment the emulator's state changes; returns the unsubscribe function. */
  onChange(cb: () => void): () => void;
  /** When the first cloud write call at or after `since` started. */
  firstWriteAfter(since: number): number | undefined;
  /** Back to the seeded state (the VIP on iris-a) with no call recorded. */
  reset(): Promise<void>;
  /** The seed article's own algorithm moving the VIP to `to`, against the same emulator. */
  seedMove(to: DrillMember): Promise<void>;
  /** One reconcile through the function's schedule path (what the alarm / schedule would deliver). */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}

/** A cloud the drill can run: adding a cloud is one file exporting one of these, listed in clouds/index.ts. */
export interface DrillCloud {
  name: string;
  profile: LatencyProfile;
  /** The VIP the seeded emulator moves. */
  vipCidr: string;
  start(opts: CloudStartOptions): Promise<CloudSession>;
}

/** The parts every cloud's session builds alike: the members' notifier keys, the change hook, the first write. */
export function sessionParts(o: {
  secrets: Record<DrillMember, string>;
  changes: { on(e: 'change', cb: () => void): unknown; off(e: 'change', cb: () => void): unknown };
  /** Epoch ms of every write call the emulator received. */
  writeTimes: () => number[];
}): Pick<CloudSession, 'keys' | 'onChange' | 'firstWriteAfter'> {
  return {
    keys: {
      'iris-a': { id: 'iris-a-k1', secret: o.secrets['iris-a'] },
      'iris-b': { id: 'iris-b-k1', secret: o.secrets['iris-b'] },
    },
    onChange: (cb) => {
      o.changes.on('change', cb);
      return () => o.changes.off('change', cb);
    },
    firstWriteAfter: (since) =>
      o
        .writeTimes()
        .filter((t) => t >= since)
        .sort((a, b) => a - b)[0],
  };
}
