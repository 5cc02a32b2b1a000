import { EmulatorApiError } from './errors.ts';
import type { Dispatch } from './protocol.ts';

/** What to inject into upcoming calls; tests mutate it freely between calls. */
export interface FaultPlan {
  /** Added to every call. */
  latencyMs: number;
  /** Added on top of `latencyMs` for the named actions. */
  latencyByAction: Record<string, number>;
  /** The next `remaining` matching calls are throttled (EC2: 503 RequestLimitExceeded). */
  throttle: { remaining: number; actions?: string[] };
  /** The next `remaining` matching calls fail with the given status and code. */
  fail: { remaining: number; status: 500 | 503; code: string; actions?: string[] };
}

/** A plan that injects nothing but the base latency. */
export function defaultFaults(latencyMs = 0): FaultPlan {
  return {
    latencyMs,
    latencyByAction: {},
    throttle: { remaining: 0 },
    fail: { remaining: 0, status: 500, code: 'InternalError' },
  };
}

const applies = (actions: readonly string[] | undefined, action: string) =>
  actions === undefined || actions.includes(action);

const FAIL_MESSAGES: Record<number, string> = {
  500: 'An internal error has occurred',
  503: 'The service is unavailable. Please try again shortly.',
};

/** Decides (and consumes) the fault for a call at its arrival; throttling wins over failure. */
export function takeFault(plan: FaultPlan, dispatch: Dispatch): EmulatorApiError | undefined {
  if (plan.throttle.remaining > 0 && applies(plan.throttle.actions, dispatch.action)) {
    plan.throttle.remaining--;
    return dispatch.throttleError();
  }
  if (plan.fail.remaining > 0 && applies(plan.fail.actions, dispatch.action)) {
    plan.fail.remaining--;
    return new EmulatorApiError(plan.fail.code, FAIL_MESSAGES[plan.fail.status] ?? 'Failure', plan.fail.status);
  }
  return undefined;
}

/** The delay before answering a call. */
export function latencyFor(plan: FaultPlan, action: string): number {
  return Math.max(0, plan.latencyMs + (plan.latencyByAction[action] ?? 0));
}
