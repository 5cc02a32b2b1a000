import type { MirrorConfig } from '../config/schema.ts';
import type { Provider } from '../providers/types.ts';
import { CallLog } from './calls.ts';
import { type CallContext, createCallContext, type RetryPolicy } from './retry.ts';

/**
 * Start one snapshot per provider (per region on AWS) for the mirrors of a reconcile of the whole deployment:
 * each mirror gets its provider's pending snapshot (undefined when the provider has none or its read failed, and
 * then the mirror reads its own). The snapshot's calls are its own log's: no mirror's figures carry them.
 */
export function startSnapshots(
  mirrors: readonly MirrorConfig[],
  providerFor: (m: MirrorConfig) => Provider,
  deadlineMs: number,
  retry: RetryPolicy,
): Map<string, Promise<unknown>> {
  const groups = new Map<Provider, MirrorConfig[]>();
  for (const m of mirrors) {
    try {
      const p = providerFor(m);
      groups.set(p, [...(groups.get(p) ?? []), m]);
    } catch {
      // this mirror's own reconcile reports why it has no provider
    }
  }
  const out = new Map<string, Promise<unknown>>();
  for (const [provider, group] of groups) {
    if (!provider.snapshot || group.length < 2) continue;
    const ctx: CallContext = createCallContext(new CallLog(), deadlineMs, retry);
    const pending = provider.snapshot(group, ctx).catch(() => undefined);
    for (const m of group) out.set(m.name, pending);
  }
  return out;
}
