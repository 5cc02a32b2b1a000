import { setTimeout as delay } from 'node:timers/promises';
import type { MirrorConfig } from '../config/schema.ts';
import { DecisionError } from '../errors.ts';
import type { MemberRole, Probe } from './health.ts';

/** A member's claim to be primary, from a verified event. */
export interface Claim {
  member: string;
  eventId: string;
  /** The signed timestamp (the member's clock), unix seconds. */
  timestamp: number;
  /** When this function received it (its own clock), unix seconds. */
  receivedAt: number;
}

export type Roles = Record<string, MemberRole>;

/** How long a sender should wait before retrying a request that found several primaries or none, in seconds. */
export const RETRY_AFTER_SECONDS = 1;

/** Probe members at once (all of them unless `only` names one); a member that fails to answer is `down`. */
export async function probeAll(
  mirror: MirrorConfig,
  probe: Probe,
  only?: string,
  hold?: Promise<unknown>,
): Promise<Roles> {
  const members = mirror.members.filter((m) => only === undefined || m.name === only);
  const results = await Promise.all(
    members.map((m) => probe(m.healthUrl, mirror.health.timeoutMs, mirror.health.probe, hold)),
  );
  return Object.fromEntries(members.map((m, i) => [m.name, results[i]?.role ?? 'unknown']));
}

const CONFIRM_INTERVAL_MS = 250;

/**
 * Probe the claimant until it answers primary or the confirm window closes (bounded, never open-ended).
 * Runs outside the mirror's queue, so a claim that is refused in the end delays nobody else.
 */
export async function confirmClaimant(mirror: MirrorConfig, member: string, probe: Probe): Promise<Roles> {
  const until = Date.now() + mirror.health.confirmWindowMs;
  for (;;) {
    const probes = await probeAll(mirror, probe, member);
    if (probes[member] === 'primary' || Date.now() + CONFIRM_INTERVAL_MS > until) return probes;
    await delay(CONFIRM_INTERVAL_MS);
  }
}

/**
 * The member the VIP must be on, from one probe of every member: the sole member answering primary.
 * With a claim, that member must be the claimant. Several primaries or none are retryable answers (503).
 */
export function soleTarget(probes: Roles, claim: Claim | null): string {
  const primaries = Object.keys(probes).filter((m) => probes[m] === 'primary');
  if (primaries.length > 1) {
    throw new DecisionError('several_primaries', `${primaries.join(' and ')} all answer primary`, 503, {
      probes,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  const sole = primaries[0];
  const claimantRole = claim ? probes[claim.member] : undefined;
  if (claim && sole === undefined && (claimantRole === 'down' || claimantRole === 'unknown')) {
    // no answer is not a "no": the sender retries, and a page that comes back answering SUCCESS then counts
    throw new DecisionError('claimant_unconfirmed', `${claim.member}'s status page gave no clear answer`, 503, {
      probes,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  if (claim && sole !== claim.member) {
    const why = sole ? `${sole} is the sole member answering primary` : 'it does not answer primary';
    throw new DecisionError('claimant_not_primary', `${claim.member} does not answer primary: ${why}`, 409, {
      probes,
    });
  }
  if (sole === undefined) {
    throw new DecisionError('no_primary', 'no member answers primary', 503, {
      probes,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  return sole;
}

/** The refusal of a claim whose claimant is not confirmed (retryable when its page gave no clear answer). */
export function refusedClaim(member: string, probes: Roles): DecisionError {
  try {
    soleTarget({ [member]: probes[member] ?? 'unknown' }, { member, eventId: '', timestamp: 0, receivedAt: 0 });
  } catch (e: unknown) {
    if (e instanceof DecisionError) return e;
  }
  return new DecisionError('claimant_not_primary', `${member} does not answer primary`, 409, { probes });
}

/**
 * The ordering rule for mirrors with probes off (the claim is all there is): a claim is refused when another
 * member's claim was accepted after this one was sent. "Sent" is the signed timestamp capped at the arrival time
 * and "accepted" is this function's own clock, so a member whose clock runs fast can neither jump the queue nor
 * block the next genuine claim. It lives in one instance's memory: one writer per mirror is what makes it global.
 */
export class ClaimOrder {
  private readonly last = new Map<string, { claim: Claim; acceptedAt: number }>();

  /** Throws stale_event when a claim by another member was accepted after this claim was sent. */
  check(mirror: string, claim: Claim): void {
    const prev = this.last.get(mirror);
    const sentAt = Math.min(claim.timestamp, claim.receivedAt);
    if (prev && prev.claim.member !== claim.member && prev.acceptedAt > sentAt) {
      throw new DecisionError(
        'stale_event',
        `event from ${claim.member} was sent before the accepted claim of ${prev.claim.member}`,
        409,
        { newer: prev.claim.eventId },
      );
    }
  }

  accept(mirror: string, claim: Claim, nowSeconds: number): void {
    this.last.set(mirror, { claim, acceptedAt: nowSeconds });
  }

  latest(mirror: string): Claim | undefined {
    return this.last.get(mirror)?.claim;
  }
}
