import { setTimeout as delay } from 'node:timers/promises';
import type { MirrorConfig } from '../config/schema.ts';
import { DecisionError } from '../errors.ts';
import type { MemberRole, Probe } from './health.ts';

/** A member's claim to be primary, from a verified event. */
export interface Claim {
  member: string;
  eventId: string;
  timestamp: number;
}

/** The member the VIP must go to, and what the probes said on the way. */
export interface Decision {
  target: string;
  probes: Record<string, MemberRole>;
  basis: 'claim-confirmed' | 'claim-unprobed' | 'single-primary' | 'last-claim';
}

async function probeAll(mirror: MirrorConfig, probe: Probe, only?: string): Promise<Record<string, MemberRole>> {
  const members = mirror.members.filter((m) => only === undefined || m.name === only);
  const results = await Promise.all(members.map((m) => probe(m.healthUrl, mirror.health.timeoutMs)));
  return Object.fromEntries(members.map((m, i) => [m.name, results[i]?.role ?? 'unknown']));
}

const CONFIRM_INTERVAL_MS = 250;

/** Probe the claimant until it answers primary or the confirm window closes (a bounded wait, never open-ended). */
async function confirmClaimant(mirror: MirrorConfig, member: string, probe: Probe) {
  const until = Date.now() + mirror.health.confirmWindowMs;
  for (;;) {
    const probes = await probeAll(mirror, probe, member);
    if (probes[member] === 'primary' || Date.now() + CONFIRM_INTERVAL_MS > until) return probes;
    await delay(CONFIRM_INTERVAL_MS);
  }
}

/** Remembers the newest accepted claim per mirror, so an older claim from another member cannot undo it. */
export class ClaimHistory {
  private readonly last = new Map<string, Claim>();

  /** Throws stale_event when a newer claim by another member was accepted already. */
  check(mirror: string, claim: Claim): void {
    const prev = this.last.get(mirror);
    if (prev && prev.member !== claim.member && prev.timestamp > claim.timestamp) {
      throw new DecisionError(
        'stale_event',
        `event from ${claim.member} is older than the accepted claim of ${prev.member}`,
        409,
        { newer: prev.eventId },
      );
    }
  }

  accept(mirror: string, claim: Claim): void {
    const prev = this.last.get(mirror);
    if (!prev || claim.timestamp >= prev.timestamp) this.last.set(mirror, claim);
  }

  latest(mirror: string): Claim | undefined {
    return this.last.get(mirror);
  }
}

/** Decide who gets the VIP: the claimant if the probe confirms it, or on reconcile the single member that answers primary. */
export async function decideTarget(
  mirror: MirrorConfig,
  claim: Claim | null,
  probe: Probe,
  history: ClaimHistory,
): Promise<Decision> {
  if (claim) {
    history.check(mirror.name, claim);
    if (!mirror.health.enabled) return { target: claim.member, probes: {}, basis: 'claim-unprobed' };
    const probes = await confirmClaimant(mirror, claim.member, probe);
    if (probes[claim.member] !== 'primary') {
      throw new DecisionError('claimant_not_primary', `${claim.member} does not answer primary`, 409, { probes });
    }
    return { target: claim.member, probes, basis: 'claim-confirmed' };
  }
  if (!mirror.health.enabled) {
    const last = history.latest(mirror.name);
    if (!last) throw new DecisionError('no_primary', 'health probes are off and no claim was received yet', 409);
    return { target: last.member, probes: {}, basis: 'last-claim' };
  }
  const probes = await probeAll(mirror, probe);
  const primaries = Object.keys(probes).filter((m) => probes[m] === 'primary');
  if (primaries.length === 0) throw new DecisionError('no_primary', 'no member answers primary', 503, { probes });
  if (primaries.length > 1) {
    throw new DecisionError('several_primaries', `${primaries.join(' and ')} all answer primary`, 409, { probes });
  }
  return { target: primaries[0] as string, probes, basis: 'single-primary' };
}
