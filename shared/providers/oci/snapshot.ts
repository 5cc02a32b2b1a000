import type { OciMirrorConfig } from '../../config/schema-oci.ts';
import type { CallContext } from '../../core/retry.ts';
import { vcnCall } from './calls.ts';
import type { PrivateIpVip } from './private-ip-moves.ts';
import type { PrivateIpView, VcnApi } from './vcn-api.ts';

/** The most pages one subnet's list may take (50 pages of 1000, more than a /16 holds); longer counts as failed. */
export const MAX_PAGES = 50;

/** What one scheduled reconcile listed: every private IP of the listed subnets (items carry no etag). */
export interface OciSnapshot {
  subnets: Set<string>;
  byAddress: Map<string, PrivateIpView>;
  byId: Map<string, PrivateIpView>;
}

const at = (subnetId: string, address: string) => `${subnetId}/${address}`;

/** Every page of one subnet's private IPs; undefined when a page fails or the pages never end. */
async function subnetPrivateIps(api: VcnApi, ctx: CallContext, subnetId: string) {
  const list = api.listSubnetPrivateIps;
  if (!list) return undefined;
  const out: PrivateIpView[] = [];
  let page: string | undefined;
  try {
    for (let n = 0; n < MAX_PAGES; n++) {
      const p = await vcnCall(ctx, 'listSubnetPrivateIps', (signal) => list.call(api, subnetId, page, { signal }));
      out.push(...p.items);
      page = p.next;
      if (!page) return out;
    }
  } catch {
    // each mirror then reads its own private IP, and names what failed
  }
  return undefined;
}

/**
 * One ListPrivateIps per subnet (pages of 1000, opc-next-page) for every private-ip VIP that names its subnet, in
 * place of one GetPrivateIp or ListPrivateIps per VIP. Not batched (no list by id; the others need a compartment the
 * configuration does not name, and list items carry no etag): GetPublicIp per public IP, GetRouteTable per table,
 * GetVnic per member of a route VIP.
 */
export async function ociSnapshot(
  api: VcnApi,
  mirrors: readonly OciMirrorConfig[],
  ctx: CallContext,
): Promise<OciSnapshot | undefined> {
  if (!api.listSubnetPrivateIps) return undefined;
  const subnets = new Set(
    mirrors.flatMap((m) => m.vips.flatMap((v) => (v.mode === 'private-ip' && v.subnetId ? [v.subnetId] : []))),
  );
  const snap: OciSnapshot = { subnets: new Set(), byAddress: new Map(), byId: new Map() };
  await Promise.all(
    [...subnets].map(async (subnetId) => {
      const list = await subnetPrivateIps(api, ctx, subnetId);
      if (!list) return;
      for (const p of list) {
        snap.byAddress.set(at(subnetId, p.ipAddress), p);
        snap.byId.set(p.id, p);
      }
      snap.subnets.add(subnetId);
    }),
  );
  return snap;
}

/**
 * The VIP's private IP from the snapshot: the private IP, null when its listed subnet has no such address, undefined
 * when its subnet was not listed or its OCID is not in it (the per-VIP read then names why).
 */
export function snapshotPrivateIp(snap: OciSnapshot | undefined, v: PrivateIpVip): PrivateIpView | null | undefined {
  if (!v.subnetId || !snap?.subnets.has(v.subnetId)) return undefined;
  if (v.privateIpId) return snap.byId.get(v.privateIpId);
  return snap.byAddress.get(at(v.subnetId, v.address)) ?? null;
}
