import type { GcpMemberConfig } from '../../config/schema.ts';
import { type CallContext, call } from '../../core/retry.ts';
import { DeadlineError } from '../../errors.ts';
import type { CallOptions, ComputeApi, NicView, OperationView } from './compute-api.ts';
import { operationFailure } from './gcp-errors.ts';

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
  let op = await call(ctx, what.op, true, async (s) => settled(await start(callOptions(ctx, s))));
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
