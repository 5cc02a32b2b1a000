import { setTimeout as delay } from 'node:timers/promises';
import { type CallContext, call } from '../../core/retry.ts';
import { DeadlineError } from '../../errors.ts';
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

/** Poll until `stable` holds or the deadline would pass (OCI documents polling lifecycleState for these moves). */
export async function pollUntil<T>(
  ctx: CallContext,
  read: () => Promise<T>,
  stable: (v: T) => boolean,
  pollMs: number,
  what: string,
): Promise<T> {
  for (;;) {
    const v = await read();
    if (stable(v)) return v;
    if (Date.now() + pollMs >= ctx.deadline) throw new DeadlineError(`${what} did not settle before the deadline`);
    await delay(pollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) throw new DeadlineError(`${what} did not settle before the deadline`);
  }
}
