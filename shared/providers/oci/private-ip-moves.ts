import type { OciMemberConfig, OciMirrorConfig, OciVipConfig } from '../../config/schema-oci.ts';
import type { CallContext } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import type { PollCadence } from '../poll-cadence.ts';
import type { Binding } from '../types.ts';
import { pollUntil, vcnCall, writeWithReread } from './calls.ts';
import type { PrivateIpView, PublicIpView, VcnApi } from './vcn-api.ts';

export type PrivateIpVip = Extract<OciVipConfig, { mode: 'private-ip' }>;

/** Slots of a private-ip VIP: the secondary private IP and the reserved public IP assigned to it. */
export const PRIVATE_SLOTS = { privateIp: 'private-ip', publicIp: 'public-ip' } as const;

/** Public IP states a move passes through: a public IP seen in one is polled until it leaves it. */
export const TRANSITIONAL = new Set(['PROVISIONING', 'ASSIGNING', 'UNASSIGNING', 'TERMINATING']);

/** What the observation saw of one private-ip VIP. */
export interface PrivateIpSeen {
  privateIp: PrivateIpView | null;
  publicIp: PublicIpView | null;
}

export interface PrivateIpContext {
  api: VcnApi;
  ctx: CallContext;
  mirror: OciMirrorConfig;
  /** The coarse interval of a public IP's ASSIGNING poll. */
  pollMs: number;
  /** The instance's poll cadence (what it learned of how long ASSIGNING lasts). */
  cadence: PollCadence;
}

/** The kind of wait a public IP's move is, for the poll cadence. */
export const PUBLIC_IP_ASSIGN = 'oci.publicIp.assign';

const opts = (signal: AbortSignal) => ({ signal });

/** The VIP's private IP: by OCID, else by address in its subnet (null when the subnet has no such address). */
export async function readPrivateIp(
  pc: Pick<PrivateIpContext, 'api' | 'ctx'>,
  v: PrivateIpVip,
): Promise<PrivateIpView | null> {
  const { api, ctx } = pc;
  if (v.privateIpId) {
    const id = v.privateIpId;
    return vcnCall(ctx, 'getPrivateIp', (s) => api.getPrivateIp(id, opts(s)));
  }
  const subnet = v.subnetId as string;
  const found = await vcnCall(ctx, 'listPrivateIps', (s) => api.listPrivateIps(subnet, v.address, opts(s)));
  return found.find((p) => p.ipAddress === v.address) ?? null;
}

/** The public IP once it is out of a transitional state (ASSIGNING → ASSIGNED or AVAILABLE), within the deadline. */
export function settledPublicIp(pc: PrivateIpContext, id: string): Promise<PublicIpView> {
  const read = () => vcnCall(pc.ctx, 'getPublicIp', (s) => pc.api.getPublicIp(id, opts(s)));
  const pacing = { cadence: pc.cadence, kind: PUBLIC_IP_ASSIGN, coarseMs: pc.pollMs };
  return pollUntil(pc.ctx, read, (p) => !TRANSITIONAL.has(p.lifecycleState), pacing, `public IP ${id}`);
}

export const memberOfVnic = (mirror: OciMirrorConfig, vnicId: string | null | undefined) =>
  mirror.members.find((m) => m.vnicId === vnicId);

/** Bindings of one private-ip VIP: who holds the private IP; who holds the public IP (ASSIGNED to it). */
export function privateIpBindings(mirror: OciMirrorConfig, v: PrivateIpVip, seen: PrivateIpSeen): Binding[] {
  const p = seen.privateIp;
  const holder = memberOfVnic(mirror, p?.vnicId);
  const out: Binding[] = [
    {
      vip: v.address,
      mode: v.mode,
      slot: PRIVATE_SLOTS.privateIp,
      holder: holder?.name ?? null,
      resource: p ? (p.vnicId ?? `${p.id} (on no VNIC)`) : `(no private IP ${v.address})`,
    },
  ];
  if (v.publicIpId) {
    const pub = seen.publicIp;
    const attached = pub?.lifecycleState === 'ASSIGNED' && p !== null && pub.privateIpId === p.id;
    out.push({
      vip: v.address,
      mode: v.mode,
      slot: PRIVATE_SLOTS.publicIp,
      holder: attached ? (holder?.name ?? null) : null,
      resource: attached
        ? (p?.vnicId ?? null)
        : `${v.publicIpId} ${pub?.lifecycleState ?? '?'} on ${pub?.privateIpId ?? 'nothing'}`,
    });
  }
  return out;
}

/** Move the secondary private IP to the target's VNIC (UpdatePrivateIp with if-match; a primary IP cannot move). */
export async function movePrivateIp(
  pc: PrivateIpContext,
  v: PrivateIpVip,
  target: OciMemberConfig,
  seen: PrivateIpSeen,
): Promise<PrivateIpView> {
  const first = seen.privateIp ?? (await readPrivateIp(pc, v));
  if (!first) throw new ProviderError(`no private IP ${v.address} to move`, { detail: { apiCode: 'NotFound' } });
  if (first.isPrimary) {
    throw new ProviderError(`${v.address} is a primary private IP: only a secondary private IP can move`, {
      detail: { apiCode: 'InvalidParameter' },
    });
  }
  const read = () => vcnCall(pc.ctx, 'getPrivateIp', (s) => pc.api.getPrivateIp(first.id, opts(s)));
  // ListPrivateIps carries no etag: a private IP found by address is read once more, so the write has if-match
  const current = first.etag ? first : await read();
  const moved = await writeWithReread(
    pc.ctx,
    read,
    current,
    (p) => p.vnicId === target.vnicId,
    (p, s) => pc.api.updatePrivateIp(p.id, target.vnicId, p.etag, opts(s)),
    'updatePrivateIp',
  );
  seen.privateIp = moved;
  return moved;
}

/**
 * Make the reserved public IP ASSIGNED to the VIP's private IP: it follows a moved private IP by itself
 * (ASSIGNING → ASSIGNED); when it ends up AVAILABLE or elsewhere (the documented silent failure of an
 * asynchronous assignment), assign it again with UpdatePublicIp and follow it to ASSIGNED.
 */
export async function attachPublicIp(pc: PrivateIpContext, v: PrivateIpVip, seen: PrivateIpSeen): Promise<void> {
  const id = v.publicIpId;
  const p = seen.privateIp;
  if (!id || !p) return;
  const settled = await settledPublicIp(pc, id);
  seen.publicIp = settled;
  const isAttached = (x: PublicIpView) => x.lifecycleState === 'ASSIGNED' && x.privateIpId === p.id;
  if (isAttached(settled)) return;
  const read = () => settledPublicIp(pc, id);
  await writeWithReread(
    pc.ctx,
    read,
    settled,
    isAttached,
    (x, s) => pc.api.updatePublicIp(x.id, p.id, x.etag, opts(s)),
    'updatePublicIp',
  );
  const after = await settledPublicIp(pc, id);
  seen.publicIp = after;
  if (!isAttached(after)) {
    throw new ProviderError(
      `public IP ${id} is ${after.lifecycleState} after UpdatePublicIp, not ASSIGNED to ${p.id}`,
      {
        detail: { apiCode: 'PublicIpNotAssigned' },
      },
    );
  }
}
