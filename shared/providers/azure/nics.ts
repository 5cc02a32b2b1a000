import type { AzureMemberConfig, AzureMirrorConfig } from '../../config/schema-azure.ts';
import type { CallContext } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import { ARM_CODES, apiCodeOf } from './azure-errors.ts';
import { armCall, writeAndWait } from './lro.ts';
import type { NetworkApi, NicEdit, NicView } from './network-api.ts';

/** How often a NIC write is tried again after its ETag went stale (412), each time after a fresh read. */
export const MAX_ETAG_ATTEMPTS = 4;

/** What the moves of one apply share: the client, the deadline, and the NICs as last read (dropped once written). */
export interface MoveContext {
  api: NetworkApi;
  ctx: CallContext;
  mirror: AzureMirrorConfig;
  nics: Map<string, NicView>;
  /** Members whose NIC does not exist (404): they hold nothing. */
  missing: Set<string>;
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

/** The member's NIC as last read in this apply, or read now. */
export async function currentNic(mc: MoveContext, m: AzureMemberConfig): Promise<NicView> {
  const known = mc.nics.get(m.name);
  if (known) return known;
  const nic = await readNic(mc, m);
  mc.nics.set(m.name, nic);
  return nic;
}

/**
 * PUT a member's NIC with one edit, If-Match its ETag, and wait for the operation. `edit` sees the NIC as read and
 * returns null when there is nothing left to do. On 412 the NIC is read again and the edit recomputed, at most
 * MAX_ETAG_ATTEMPTS times: another writer changed it, and what it did may already be what we wanted.
 */
export async function editNic(mc: MoveContext, m: AzureMemberConfig, edit: (nic: NicView) => NicEdit | null) {
  let nic = await currentNic(mc, m);
  for (let attempt = 1; ; attempt++) {
    const change = edit(nic);
    if (!change) return;
    const what = {
      op: 'network.networkInterfaces.createOrUpdate',
      target: `${nic.name} (${change.kind} ${change.name})`,
    };
    try {
      mc.nics.delete(m.name); // written: the next user must read the new ETag
      await writeAndWait(mc.ctx, what, (o) => mc.api.putNic(nic, change, o), mc.mirror.pollIntervalMs);
      return;
    } catch (e: unknown) {
      if (apiCodeOf(e) !== ARM_CODES.staleEtag || attempt >= MAX_ETAG_ATTEMPTS) throw e;
      nic = await currentNic(mc, m);
    }
  }
}
