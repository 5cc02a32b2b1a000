import { setTimeout as delay } from 'node:timers/promises';
import type { GcpMemberConfig } from '../../config/schema.ts';
import { type CallContext, call } from '../../core/retry.ts';
import { DeadlineError, TransientError } from '../../errors.ts';
import type { CallOptions, ComputeApi, NicView, OperationView } from './compute-api.ts';
import { API_CODES, apiCodeOf, operationFailure } from './gcp-errors.ts';

/** The longest pause between two tries of a write refused for a busy instance, or a rate limit (refills each minute). */
const PATIENCE_CAP_MS = { [API_CODES.notReady]: 5_000, [API_CODES.rateLimited]: 15_000 } as const;

/**
 * Start a write with the core's retries; when they are spent on a busy instance (resourceNotReady: another
 * operation still runs, which takes seconds) or a rate limit, keep trying with longer pauses until the deadline.
 */
async function startPatiently<T>(ctx: CallContext, op: string, run: (s: AbortSignal) => Promise<T>): Promise<T> {
  let pause = Math.max(ctx.retry.maxMs, 1);
  for (;;) {
    try {
      return await call(ctx, op, true, run);
    } catch (e: unknown) {
      const code = apiCodeOf(e);
      if (!(e instanceof TransientError) || (code !== API_CODES.notReady && code !== API_CODES.rateLimited)) throw e;
      if (Date.now() + pause >= ctx.deadline) throw e;
      await delay(pause, undefined, { signal: ctx.signal }).catch(() => undefined);
      pause = Math.min(pause * 2, PATIENCE_CAP_MS[code]);
    }
  }
}

/** Options for one SDK call: the time left before the invocation's deadline, and its abort signal. */
export function callOptions(ctx: CallContext, signal: AbortSignal): CallOptions {
  return { timeoutMs: Math.max(1, ctx.deadline - Date.now()), signal };
}

/** Read nic0 of a member (recorded as compute.instances.get). */
export function readNic(api: ComputeApi, ctx: CallContext, project: string, m: GcpMemberConfig): Promise<NicView> {
  const ref = { project, zone: m.zone, instance: m.instance };
  return call(ctx, 'compute.instances.get', false, (s) => api.getNic(ref, callOptions(ctx, s)));
}

/** What a write changes, for its log lines and its error: the API method, the resource, and the zone if zonal. */
export interface WriteTarget {
  op: string;
  target: string;
  zone?: string;
}

/**
 * Make one write and wait until its operation is DONE. operations.wait returns after about two minutes even when
 * the operation is not done, so it is called again until it is, or the deadline passes: no sleeps. An operation
 * that ends in an error fails the call that saw it (the write or the wait), so the call log shows where.
 */
export async function writeAndWait(
  api: ComputeApi,
  ctx: CallContext,
  project: string,
  what: WriteTarget,
  start: (o: CallOptions) => Promise<OperationView>,
): Promise<void> {
  const settled = (op: OperationView) => {
    if (op.status === 'DONE' && op.error) throw operationFailure(what.op, what.target, op);
    return op;
  };
  let op = await startPatiently(ctx, what.op, async (s) => settled(await start(callOptions(ctx, s))));
  while (op.status !== 'DONE') {
    if (Date.now() >= ctx.deadline) {
      throw new DeadlineError(`${what.op} on ${what.target} was still ${op.status} at the deadline`, {
        detail: { operation: op.name },
      });
    }
    const { name } = op;
    const zone = what.zone;
    op = zone
      ? await call(ctx, 'compute.zoneOperations.wait', false, async (s) =>
          settled(await api.waitZoneOperation({ project, zone, operation: name }, callOptions(ctx, s))),
        )
      : await call(ctx, 'compute.globalOperations.wait', false, async (s) =>
          settled(await api.waitGlobalOperation({ project, operation: name }, callOptions(ctx, s))),
        );
  }
}
