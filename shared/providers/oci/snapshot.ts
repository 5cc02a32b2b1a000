import type { OciMirrorConfig } from '../../config/schema-oci.ts';
import type { CallContext } from '../../core/retry.ts';
import { allPages, type ListPage } from '../all-pages.ts';
import { vcnCall } from './calls.ts';
import type { PrivateIpVip } from './private-ip-moves.ts';
import type { CallOptions, PrivateIpView, PublicIpView, RouteTableView, VcnApi } from './vcn-api.ts';

/** The most pages one list may take (50 pages of 1000, more than a /16 holds); longer counts as failed. */
export const MAX_PAGES = 50;

/**
 * What one scheduled reconcile listed: every private IP of the listed subnets, and with the deployment's compartment
 * its reserved public IPs and route tables (absent when not listed). Listed items carry no etag.
 */
export interface OciSnapshot {
  subnets: Set<string>;
  byAddress: Map<string, PrivateIpView>;
  byId: Map<string, PrivateIpView>;
  publicIps?: Map<string, PublicIpView>;
  routeTables?: Map<string, RouteTableView>;
}

const at = (subnetId: string, address: string) => `${subnetId}/${address}`;

type ListName = 'listSubnetPrivateIps' | 'listPublicIps' | 'listRouteTables';

/** Every page of one list (opc-next-page → page; shared/providers/all-pages.ts). */
const pages = <T>(
  ctx: CallContext,
  name: ListName,
  page: (next: string | undefined, o: CallOptions) => Promise<ListPage<T>>,
) => allPages(MAX_PAGES, (next) => vcnCall(ctx, name, (signal) => page(next, { signal })));

/** One ListPrivateIps per subnet the private-ip VIPs name, into the snapshot. */
async function listSubnets(api: VcnApi, mirrors: readonly OciMirrorConfig[], ctx: CallContext, snap: OciSnapshot) {
  const list = api.listSubnetPrivateIps;
  if (!list) return;
  const subnets = new Set(
    mirrors.flatMap((m) => m.vips.flatMap((v) => (v.mode === 'private-ip' && v.subnetId ? [v.subnetId] : []))),
  );
  await Promise.all(
    [...subnets].map(async (subnetId) => {
      const items = await pages(ctx, 'listSubnetPrivateIps', (p, o) => list.call(api, subnetId, p, o));
      if (!items) return;
      for (const p of items) {
        snap.byAddress.set(at(subnetId, p.ipAddress), p);
        snap.byId.set(p.id, p);
      }
      snap.subnets.add(subnetId);
    }),
  );
}

/** A compartment-wide list by id, when some mirror needs it and the client can make it. */
async function listById<T extends { id: string }>(
  ctx: CallContext,
  name: 'listPublicIps' | 'listRouteTables',
  needed: boolean,
  page: ((next: string | undefined, o: CallOptions) => Promise<ListPage<T>>) | undefined,
): Promise<Map<string, T> | undefined> {
  if (!needed || !page) return undefined;
  const items = await pages(ctx, name, page);
  return items && new Map(items.map((x) => [x.id, x]));
}

/**
 * The snapshot of a scheduled reconcile: one ListPrivateIps per named subnet (pages of 1000) in place of one
 * GetPrivateIp or ListPrivateIps per VIP; with the deployment's compartment, one ListPublicIps (scope REGION,
 * lifetime RESERVED) and one ListRouteTables in place of one GetPublicIp per public IP and one GetRouteTable per
 * table. ListRouteTables is not narrowed by vcnId: the configuration names no VCN, and compartmentId alone is
 * enough. A resource in no list (another compartment) is read by itself. Still per resource: GetVnic per member.
 */
export async function ociSnapshot(
  api: VcnApi,
  mirrors: readonly OciMirrorConfig[],
  ctx: CallContext,
  compartmentId?: string,
): Promise<OciSnapshot | undefined> {
  if (!api.listSubnetPrivateIps && !compartmentId) return undefined;
  const snap: OciSnapshot = { subnets: new Set(), byAddress: new Map(), byId: new Map() };
  const vips = mirrors.flatMap((m) => m.vips);
  const c = compartmentId;
  const { listPublicIps: pubs, listRouteTables: tables } = api;
  const pubPage = c && pubs ? (p: string | undefined, o: CallOptions) => pubs.call(api, c, p, o) : undefined;
  const tablePage = c && tables ? (p: string | undefined, o: CallOptions) => tables.call(api, c, p, o) : undefined;
  const [publicIps, routeTables] = await Promise.all([
    listById(
      ctx,
      'listPublicIps',
      vips.some((v) => v.mode === 'private-ip' && v.publicIpId),
      pubPage,
    ),
    listById(
      ctx,
      'listRouteTables',
      vips.some((v) => v.mode === 'route'),
      tablePage,
    ),
    listSubnets(api, mirrors, ctx, snap),
  ]);
  if (publicIps) snap.publicIps = publicIps;
  if (routeTables) snap.routeTables = routeTables;
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

/** A listed public IP, or undefined when it was not listed (another compartment, a failed list): then it is read. */
export const snapshotPublicIp = (snap: OciSnapshot | undefined, id: string) => snap?.publicIps?.get(id);

/** A listed route table (no etag: a move reads it again), or undefined when it was not listed. */
export const snapshotRouteTable = (snap: OciSnapshot | undefined, id: string) => snap?.routeTables?.get(id);
