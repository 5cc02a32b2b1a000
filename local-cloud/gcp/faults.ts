import { ApiError, type ComputeState, type OpFailure } from './compute-state.ts';

// The GCP emulator's fault plan: what to inject into upcoming calls (tests and the bench mutate it between calls).

export interface Countdown {
  remaining: number;
  ops?: string[];
}
export interface FaultPlan {
  latencyMs: number;
  latencyByOp: Record<string, number>;
  /** Time an operation stays RUNNING before DONE. */
  operationDelayMs: number;
  /** Per API method (e.g. `instances.addAccessConfig`), overriding operationDelayMs: see REALISTIC_OPERATION_MS. */
  operationDelayByOp: Record<string, number>;
  /** 403 with reason rateLimitExceeded (or the given one, e.g. userRateLimitExceeded), as Compute rate-limits. */
  throttle: Countdown & { reason?: string };
  /** Next N matching calls are applied, then the connection is dropped before the answer (a lost response). */
  loseAnswer: Countdown;
  /** 503 backendError. */
  unavailable: Countdown;
  /** Next N matching mutations return an operation that ends DONE with an error and apply nothing. */
  failOperation: Countdown & { reason?: string };
  /** Next N updateNetworkInterface calls find the NIC changed by a concurrent writer → 412. */
  staleFingerprint: { remaining: number };
}

/** A plan that injects nothing but the given latency and operation time. */
export function defaultFaults(latencyMs = 0, operationDelayMs = 0): FaultPlan {
  return {
    latencyMs,
    latencyByOp: {},
    operationDelayMs,
    operationDelayByOp: {},
    throttle: { remaining: 0 },
    loseAnswer: { remaining: 0 },
    unavailable: { remaining: 0 },
    failOperation: { remaining: 0 },
    staleFingerprint: { remaining: 0 },
  };
}

/** Consume one injection of `fault` for a call of `op`, if it applies. */
export function take(fault: Countdown, op: string): boolean {
  if (fault.remaining <= 0 || (fault.ops && !fault.ops.includes(op))) return false;
  fault.remaining -= 1;
  return true;
}

/** The failure a failOperation fault puts in the operation. */
export function injectedFailure(reason = 'INTERNAL_ERROR'): OpFailure {
  const internal = reason === 'INTERNAL_ERROR';
  return {
    code: reason,
    message: internal ? 'Internal error. Please try again or contact Google Support.' : `Injected failure: ${reason}`,
    httpStatus: internal ? 500 : 400,
    httpMessage: internal ? 'INTERNAL SERVER ERROR' : 'BAD REQUEST',
  };
}

/**
 * Compute's rate-limit answer: 403, reason rateLimitExceeded (api-quota docs), a message naming the quota
 * (terraform-provider-google#8360 shows "Quota exceeded for quota group … of service 'compute.googleapis.com'"),
 * and the ErrorInfo detail RATE_LIMIT_EXCEEDED that Google APIs attach.
 */
export function rateLimited(state: ComputeState, reason = 'rateLimitExceeded'): ApiError {
  const message = `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:${state.project.length}0000'.`;
  const info = {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'RATE_LIMIT_EXCEEDED',
    domain: 'googleapis.com',
    metadata: { service: 'compute.googleapis.com', quota_limit: 'QueriesPerMinutePerProject' },
  };
  return new ApiError(403, reason, message, 'usageLimits', [info]);
}
