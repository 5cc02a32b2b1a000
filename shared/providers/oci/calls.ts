import { setTimeout as delay } from 'node:timers/promises';
import { type CallContext, call } from '../../core/retry.ts';
import { DeadlineError } from '../../errors.ts';
import type { PollCadence } from '../poll-cadence.ts';
import { classifyOciError, statusOf } from './oci-errors.ts';
import { OCI_CALLS, type VcnApi } from './vcn-api.ts';

/** One recorded VirtualNetwork call: its OCI operation name, write flag, retries of transient errors. */
export function vcnCall<K extends keyof VcnApi, T>(ctx: CallContext, name: K, fn: (signal: AbortSignal) => Promise<T>) {
  const { op, write } = OCI_CALLS[name];
  return call(ctx, op, write, async (signal) => {
    try {
      return await fn(signal);
    } catch (e: unknown) {
      throw classifyOciError(op, e);
    }
  });
}

/**
 * A write with `if-match`: on 409/412 the resource is read again (a fresh etag, maybe already right) before the
 * retry, so a lost race converges instead of failing. `done` says the re-read state needs no write any more.
 */
export async function writeWithReread<R, W>(
  ctx: CallContext,
  read: () => Promise<R>,
  first: R,
  done: (r: R) => boolean,
  write: (r: R, signal: AbortSignal) => Promise<W>,
  name: keyof VcnApi,
): Promise<W | R> {
  let current = first;
  return vcnCall(ctx, name, async (signal) => {
    if (done(current)) return current;
    try {
      return await write(current, signal);
    } catch (e: unknown) {
      const classified = classifyOciError(OCI_CALLS[name].op, e);
      const status = statusOf(classified);
      if (status === 409 || status === 412) current = await read();
      throw classified;
    }
  });
}

/** How a wait for a settled state is paced: the instance's cadence, the kind of wait, the coarse interval. */
export interface PollPacing {
  cadence: PollCadence;
  kind: string;
  coarseMs: number;
}

/**
 * Read until `stable` holds or the deadline would pass (OCI documents polling lifecycleState for these moves). A
 * first read that is already stable costs nothing more; after one that is not, the reads follow the instance's
 * cadence (shared/providers/poll-cadence.ts): short intervals until it has seen how long this kind takes.
 */
export async function pollUntil<T>(
  ctx: CallContext,
  read: () => Promise<T>,
  stable: (v: T) => boolean,
  pacing: PollPacing,
  what: string,
): Promise<T> {
  const first = await read();
  if (stable(first)) return first;
  const track = pacing.cadence.track(pacing.kind, pacing.coarseMs);
  try {
    for (;;) {
      const wait = track.next();
      if (Date.now() + wait >= ctx.deadline) throw new DeadlineError(`${what} did not settle before the deadline`);
      await delay(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
      if (ctx.signal.aborted) throw new DeadlineError(`${what} did not settle before the deadline`);
      const at = performance.now();
      const v = await read();
      track.saw(stable(v), at);
      if (stable(v)) return v;
    }
  } finally {
    track.close();
  }
}
