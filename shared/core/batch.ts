import { asMirrorVipError, type MirrorVipError } from '../errors.ts';
import type { CallLog } from './calls.ts';
import type { Progress } from './converge.ts';
import { type Claim, soleTarget } from './decide.ts';
import type { Trigger } from './result.ts';
import type { TimedRead } from './timed-read.ts';

/** One request waiting for a convergence of its mirror: an event's claim, or a reconcile (claim null). */
export interface Job {
  claim: Claim | null;
  trigger: Trigger;
  /** The request's own log: a refused claim reports no call (it made none). */
  log: CallLog;
  /** Started before the request joined the queue: the event's pause read and overlap, the reconcile's snapshot. */
  early?: { overlap?: boolean; pause?: TimedRead<boolean>; snapshot?: Promise<unknown> };
}

/** The claims of a batch, one per member (its latest event: a member's repeated events say the same thing). */
export function latestPerMember(jobs: Job[]): Claim[] {
  const byMember = new Map<string, Claim>();
  for (const j of jobs) if (j.claim) byMember.set(j.claim.member, j.claim);
  return [...byMember.values()];
}

/** Why a claim that shared a convergence was not the one acted on: the probes' verdict on it, or the shared error. */
export function refusalOf(p: Progress, claim: Claim): MirrorVipError | undefined {
  if (!p.probes) return p.error;
  try {
    soleTarget(p.probes, claim);
    return undefined;
  } catch (e: unknown) {
    return asMirrorVipError(e);
  }
}
