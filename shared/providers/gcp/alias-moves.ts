import { randomUUID } from 'node:crypto';
import type { GcpMemberConfig, GcpMirrorConfig, GcpVipConfig } from '../../config/schema.ts';
import type { CallContext } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import type { PlanChange } from '../types.ts';
import type { InstanceLanes } from './budget.ts';
import type { AliasRange, ComputeApi, NicView } from './compute-api.ts';
import { API_CODES, apiCodeOf } from './gcp-errors.ts';
import { readNic, writeAndWait } from './operations.ts';

type AliasVip = Extract<GcpVipConfig, { mode: 'alias-ip' }>;

/** How often a write is retried after the NIC's fingerprint changed under it (412), each time after a fresh read. */
export const MAX_FINGERPRINT_ATTEMPTS = 4;

/** `10.0.0.250` and `10.0.0.250/32` are the same range. */
export const sameRange = (a: string, b: string) =>
  (a.includes('/') ? a : `${a}/32`) === (b.includes('/') ? b : `${b}/32`);

const where = (m: GcpMemberConfig) => `${m.zone}/${m.instance}`;
const sameRanges = (a: AliasRange[], b: AliasRange[]) =>
  a.length === b.length &&
  a.every((r, i) => r.ipCidrRange === b[i]?.ipCidrRange && r.subnetworkRangeName === b[i]?.subnetworkRangeName);
const isGone = (e: unknown) => apiCodeOf(e) === API_CODES.notFound;

/**
 * Rewrite a member's alias ranges with `edit`, quoting the NIC's fingerprint. When another writer changed the NIC
 * since it was read (412 conditionNotMet), read it again and retry, at most MAX_FINGERPRINT_ATTEMPTS times.
 */
async function editAliases(
  api: ComputeApi,
  ctx: CallContext,
  project: string,
  m: GcpMemberConfig,
  edit: (ranges: AliasRange[]) => AliasRange[],
  known: NicView | undefined,
): Promise<void> {
  let nic = known ?? (await readNic(api, ctx, project, m));
  for (let attempt = 1; ; attempt++) {
    // the other ranges go back as read, each with its subnetworkRangeName (else Compute takes it from the primary range)
    const ranges = edit(nic.aliasRanges);
    if (sameRanges(ranges, nic.aliasRanges)) return;
    if (!nic.fingerprint) {
      throw new ProviderError(
        `${where(m)} nic0 was read without a fingerprint; Compute refuses an updateNetworkInterface without one (400), so nothing was written`,
        { detail: { apiCode: 'noFingerprint' } },
      );
    }
    // one request id per body: the API runs a write retried after a lost answer only once
    const args = {
      project,
      zone: m.zone,
      instance: m.instance,
      fingerprint: nic.fingerprint,
      ranges,
      requestId: randomUUID(),
    };
    try {
      const what = { op: 'compute.instances.updateNetworkInterface', target: where(m), zone: m.zone };
      await writeAndWait(api, ctx, project, what, (o) => api.setAliasRanges(args, o));
      return;
    } catch (e: unknown) {
      if (apiCodeOf(e) !== API_CODES.staleFingerprint || attempt >= MAX_FINGERPRINT_ATTEMPTS) throw e;
      nic = await readNic(api, ctx, project, m);
    }
  }
}

export interface MoveContext {
  api: ComputeApi;
  ctx: CallContext;
  /** For the writes that complete a move (the adds): past the deadline by the cloud's commit grace. */
  commit: CallContext;
  mirror: GcpMirrorConfig;
  /** nic0 of each member as observed in this invocation (fingerprints to quote on the first attempt). */
  nics: Map<string, NicView>;
  /** One write at a time per instance (Compute answers resourceNotReady otherwise). */
  lanes: InstanceLanes;
}

export function memberOf(mirror: GcpMirrorConfig, name: string): GcpMemberConfig {
  const m = mirror.members.find((x) => x.name === name);
  if (!m) throw new ProviderError(`member ${name} is not in mirror ${mirror.name}`);
  return m;
}

const holderOf = (mirror: GcpMirrorConfig, c: PlanChange) => mirror.members.find((m) => m.name === c.from);

/**
 * Move the alias range: remove it from the holder, then add it to the target, each write waited on until DONE.
 * The removal is required even when the holder is dead: GCP refuses to add a range that another NIC still holds
 * (IP_IN_USE_BY_ANOTHER_RESOURCE), so skipping it could never complete the move. Only a holder that no longer
 * exists (404) is skipped, since a deleted instance holds nothing.
 */
export async function moveAlias(mc: MoveContext, vip: AliasVip, c: PlanChange): Promise<void> {
  const { api, ctx, commit, mirror, nics, lanes } = mc;
  const target = memberOf(mirror, c.to);
  const holder = holderOf(mirror, c);
  const others = (ranges: AliasRange[]) => ranges.filter((r) => !sameRange(r.ipCidrRange, vip.cidr));
  if (holder && holder.name !== target.name) {
    await lanes
      .run(where(holder), () => editAliases(api, ctx, mirror.project, holder, others, nics.get(holder.name)))
      .catch((e: unknown) => {
        if (!isGone(e)) throw e;
      });
  }
  const range: AliasRange = {
    ipCidrRange: vip.cidr,
    ...(vip.subnetworkRangeName ? { subnetworkRangeName: vip.subnetworkRangeName } : {}),
  };
  const add = (ranges: AliasRange[]) => [...others(ranges), range];
  await lanes.run(where(target), () => editAliases(api, commit, mirror.project, target, add, nics.get(target.name)));
}

/** Refuse, before any write, a target whose nic0 has another external IP: GCP allows one access config per NIC. */
export function checkAccessConfigTarget(mc: MoveContext, vip: AliasVip, c: PlanChange): void {
  const natIP = vip.accessConfig?.natIP;
  const nic = mc.nics.get(c.to);
  const other = nic?.accessConfigs.find((a) => a.natIP !== natIP);
  if (!other) return;
  throw new ProviderError(
    `${c.to} nic0 already has access config "${other.name}" (${other.natIP ?? 'ephemeral'}); GCP allows one per interface, so the public VIP ${natIP} cannot move there until it is removed`,
    { code: 'target_has_external_ip', detail: { apiCode: 'targetHasExternalIp', member: c.to } },
  );
}

/**
 * Move the public VIP: delete the access config on the holder, then add it (same static natIP) on the target,
 * each waited on. As for the alias, the delete is required: the address cannot be attached twice.
 */
export async function moveAccessConfig(mc: MoveContext, vip: AliasVip, c: PlanChange): Promise<void> {
  const { api, commit, mirror, nics, lanes } = mc;
  const wanted = vip.accessConfig;
  if (!wanted) return;
  const target = memberOf(mirror, c.to);
  const holder = holderOf(mirror, c);
  // the address's tier: configured, else the tier of the access config holding it now (Compute refuses a mismatch)
  const held = mirror.members
    .flatMap((m) => nics.get(m.name)?.accessConfigs ?? [])
    .find((a) => a.natIP === wanted.natIP);
  const networkTier = wanted.networkTier ?? held?.networkTier;
  if (holder && holder.name !== target.name) {
    const name = nics.get(holder.name)?.accessConfigs.find((a) => a.natIP === wanted.natIP)?.name ?? wanted.name;
    await lanes.run(where(holder), () => deleteAccessConfig(mc, holder, name, wanted.natIP));
  }
  const args = {
    project: mirror.project,
    zone: target.zone,
    instance: target.instance,
    name: wanted.name,
    natIP: wanted.natIP,
    ...(networkTier ? { networkTier } : {}),
    requestId: randomUUID(),
  };
  const what = { op: 'compute.instances.addAccessConfig', target: where(target), zone: target.zone };
  await lanes.run(where(target), () =>
    writeAndWait(api, commit, mirror.project, what, (o) => api.addAccessConfig(args, o)),
  );
}

async function deleteAccessConfig(mc: MoveContext, holder: GcpMemberConfig, name: string, natIP: string) {
  const { api, ctx, mirror } = mc;
  const args = { project: mirror.project, zone: holder.zone, instance: holder.instance, name, requestId: randomUUID() };
  const what = { op: 'compute.instances.deleteAccessConfig', target: where(holder), zone: holder.zone };
  try {
    await writeAndWait(api, ctx, mirror.project, what, (o) => api.deleteAccessConfig(args, o));
  } catch (e: unknown) {
    if (isGone(e)) return;
    // 400 "access config not found": someone removed it since the observation; fine if the address is gone
    if (apiCodeOf(e) !== API_CODES.invalid) throw e;
    const now = await readNic(api, ctx, mirror.project, holder);
    if (now.accessConfigs.some((a) => a.natIP === natIP)) throw e;
  }
}
