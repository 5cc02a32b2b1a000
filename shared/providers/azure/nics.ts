import type { AzureMemberConfig, AzureMirrorConfig } from '../../config/schema-azure.ts';
import type { CallContext } from '../../core/retry.ts';
import { DeadlineError, ProviderError } from '../../errors.ts';
import type { PollCadence } from '../poll-cadence.ts';
import { ARM_CODES, apiCodeOf } from './azure-errors.ts';
import { armCall, waitLro } from './lro.ts';
import type { NetworkApi, NicEdit, NicView } from './network-api.ts';

/** How often a NIC write is tried again after its ETag went stale (412), each time after a fresh read. */
export const MAX_ETAG_ATTEMPTS = 4;

/** What the moves of one apply share: the client, the deadline, and the NICs as last read (dropped once written). */
export interface MoveContext {
  api: NetworkApi;
  ctx: CallContext;
  /**
   * The invocation's context `commitGraceMs` later (shared/providers/budget.ts): once a removal was sent, its LRO,
   * the add and the public IP's attach run under it, so a deadline passing mid-move never leaves the VIP on nobody.
   */
  commit: CallContext;
  /** Set when a removal of this apply was sent: from then on the move completes under `commit`. */
  broke: boolean;
  mirror: AzureMirrorConfig;
  nics: Map<string, NicView>;
  /** Members whose NIC does not exist (404): they hold nothing. */
  missing: Set<string>;
  /**
   * The NICs as this apply's own writes left them once their LRO Succeeded (the SDK's final GET is skipped): enough
   * to decide whether another write is needed, never quoted in a write (their ETag is the one before the write).
   */
  written: Map<string, NicView>;
  /** How this provider instance paces its LRO polls. */
  cadence: PollCadence;
}

export function memberOf(mirror: AzureMirrorConfig, name: string): AzureMemberConfig {
  const m = mirror.members.find((x) => x.name === name);
  if (!m) throw new ProviderError(`member ${name} is not in mirror ${mirror.name}`);
  return m;
}

export const nicRef = (mirror: AzureMirrorConfig, m: AzureMemberConfig) => ({
  resourceGroup: m.resourceGroup ?? mirror.resourceGroup,
  name: m.nic,
});

/** Read a member's NIC (recorded as network.networkInterfaces.get). */
export function readNic(mc: Pick<MoveContext, 'api' | 'ctx' | 'mirror'>, m: AzureMemberConfig): Promise<NicView> {
  return armCall(mc.ctx, 'network.networkInterfaces.get', false, (o) => mc.api.getNic(nicRef(mc.mirror, m), o));
}

/** The context of this apply's calls now: the invocation's until a removal was sent, then the commit context. */
export const liveCtx = (mc: MoveContext): CallContext => (mc.broke ? mc.commit : mc.ctx);

/** What this apply knows of a member's NIC without a read: as its own write left it, else as last read. */
export const knownNic = (mc: MoveContext, m: AzureMemberConfig): NicView | undefined =>
  mc.written.get(m.name) ?? mc.nics.get(m.name);

/** The member's NIC as last read in this apply, or read now. */
export async function currentNic(mc: MoveContext, m: AzureMemberConfig): Promise<NicView> {
  const known = mc.nics.get(m.name);
  if (known) return known;
  const nic = await readNic({ ...mc, ctx: liveCtx(mc) }, m);
  mc.nics.set(m.name, nic);
  return nic;
}

/**
 * How a NIC write is timed. `remove` takes something away (the VIP's ip-configuration, the public IP): it is only
 * sent before the invocation's deadline, and its retries end there, but once sent neither its request nor its LRO
 * is abandoned at the deadline (they run under the commit context). Any other write runs under the commit context
 * once a removal was sent (it completes the move), under the invocation's context before.
 */
export type NicWrite = 'remove' | 'add';

/**
 * PUT a member's NIC with one edit, If-Match its ETag, and wait for the operation. `edit` sees the NIC as read and
 * returns null when there is nothing left to do. On 412 the NIC is read again and the edit recomputed, at most
 * MAX_ETAG_ATTEMPTS times: another writer changed it, and what it did may already be what we wanted.
 */
export async function editNic(
  mc: MoveContext,
  m: AzureMemberConfig,
  edit: (nic: NicView) => NicEdit | null,
  kind: NicWrite = 'add',
) {
  let nic = await currentNic(mc, m);
  for (let attempt = 1; ; attempt++) {
    const change = edit(nic);
    if (!change) return;
    const what = {
      op: 'network.networkInterfaces.createOrUpdate',
      target: `${nic.name} (${change.kind} ${change.name})`,
    };
    let start = liveCtx(mc);
    if (kind === 'remove') {
      if (Date.now() >= mc.ctx.deadline) {
        throw new DeadlineError(`${what.op} on ${what.target}: not sent, the deadline passed`);
      }
      // retried only until the deadline, but a request on the wire is never torn down by it
      start = { ...mc.ctx, signal: mc.commit.signal };
      mc.broke = true;
    }
    try {
      mc.nics.delete(m.name); // written: the next writer must read the new ETag
      mc.written.delete(m.name);
      const lro = await armCall(start, what.op, true, (o) => mc.api.putNic(nic, change, o));
      await waitLro(liveCtx(mc), what, lro, { cadence: mc.cadence, coarseMs: mc.mirror.pollIntervalMs });
      mc.written.set(m.name, lro.sent);
      return;
    } catch (e: unknown) {
      if (apiCodeOf(e) !== ARM_CODES.staleEtag || attempt >= MAX_ETAG_ATTEMPTS) throw e;
      nic = await currentNic(mc, m);
    }
  }
}
