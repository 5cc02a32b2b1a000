import type { AwsMirrorConfig, AwsVipConfig } from '../../config/schema.ts';
import { type CallContext, call } from '../../core/retry.ts';
import type { AddressView, Ec2Api, EniView, RouteTableRaw, RouteTableView } from './ec2-client.ts';

type RouteVip = Extract<AwsVipConfig, { mode: 'route' }>;

/**
 * Most ids (or filter values) in one Describe call: 1000, EC2's largest page (MaxResults), the limit the issue
 * asks to respect; more ids are split over several calls.
 */
export const MAX_IDS_PER_CALL = 1000;

/** What one region's Describe calls returned for every mirror of a reconcile; a part that failed is absent. */
export interface AwsSnapshot {
  tables?: Map<string, RouteTableRaw>;
  /** VPCs whose every route table is in `tables` (route VIPs configured by vpcId). */
  vpcs?: Set<string>;
  enis?: Map<string, EniView>;
  addresses?: Map<string, AddressView>;
}

const unique = (xs: string[]) => [...new Set(xs)];
const chunks = (xs: string[]) =>
  Array.from({ length: Math.ceil(xs.length / MAX_IDS_PER_CALL) }, (_, i) =>
    xs.slice(i * MAX_IDS_PER_CALL, (i + 1) * MAX_IDS_PER_CALL),
  );

/** Run `read` over the ids in chunks; any failure (a stale id refuses the whole call) leaves the part out. */
async function part<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[] | undefined> {
  if (ids.length === 0) return [];
  try {
    return (await Promise.all(chunks(ids).map(read))).flat();
  } catch {
    return undefined; // each mirror then reads its own, and a stale id is named there
  }
}

/**
 * One DescribeRouteTables, DescribeNetworkInterfaces and DescribeAddresses (per 1000 ids) for all the mirrors of a
 * region: a scheduled reconcile costs the same Describe calls for 1 mirror as for 1,000.
 */
export async function awsSnapshot(
  api: Ec2Api,
  mirrors: readonly AwsMirrorConfig[],
  ctx: CallContext,
): Promise<AwsSnapshot | undefined> {
  const { describeRouteTablesRaw: rawTables, describeAddresses: addresses } = api;
  if (!rawTables || !addresses) return undefined;
  const routeVips = mirrors.flatMap((m) => m.vips.filter((v): v is RouteVip => v.mode === 'route'));
  const ids = unique(routeVips.flatMap((v) => v.routeTableIds ?? []));
  const vpcIds = unique(routeVips.flatMap((v) => (v.vpcId ? [v.vpcId] : [])));
  const eniIds = unique(
    mirrors.filter((m) => m.vips.some((v) => v.mode === 'route')).flatMap((m) => m.members.map((x) => x.eniId)),
  );
  const allocations = unique(mirrors.flatMap((m) => m.vips.flatMap((v) => (v.mode === 'eip' ? [v.allocationId] : []))));
  const tables = (q: { ids?: string[]; vpcIds?: string[] }) =>
    call(ctx, 'ec2:DescribeRouteTables', false, (s) => rawTables.call(api, q, s));
  const [byId, byVpc, enis, addrs] = await Promise.all([
    part(ids, (c) => tables({ ids: c })),
    part(vpcIds, (c) => tables({ vpcIds: c })),
    part(eniIds, (c) => call(ctx, 'ec2:DescribeNetworkInterfaces', false, (s) => api.describeNetworkInterfaces(c, s))),
    part(allocations, (c) => call(ctx, 'ec2:DescribeAddresses', false, (s) => addresses.call(api, c, s))),
  ]);
  const all = [...(byId ?? []), ...(byVpc ?? [])];
  return {
    tables: byId || byVpc ? new Map(all.map((t) => [t.routeTableId, t])) : undefined,
    vpcs: byVpc ? new Set(vpcIds) : undefined,
    enis: enis && new Map(enis.map((e) => [e.eniId, e])),
    addresses: addrs && new Map(addrs.map((a) => [a.allocationId, a])),
  };
}

const view = (t: RouteTableRaw, cidr: string): RouteTableView => ({
  routeTableId: t.routeTableId,
  vipTarget: t.routes[cidr] ?? null,
  hasVipRoute: cidr in t.routes,
});

/** The VIP's route tables from the snapshot, as describeRouteTables would give them; undefined when not in it. */
export function snapshotTables(snap: AwsSnapshot | undefined, v: RouteVip): RouteTableView[] | undefined {
  const tables = snap?.tables;
  if (!tables) return undefined;
  if (v.vpcId !== undefined) {
    if (!snap.vpcs?.has(v.vpcId)) return undefined;
    return [...tables.values()].filter((t) => t.vpcId === v.vpcId).map((t) => view(t, v.cidr));
  }
  const found = (v.routeTableIds ?? []).map((id) => tables.get(id));
  return found.every((t) => t !== undefined) ? found.map((t) => view(t as RouteTableRaw, v.cidr)) : undefined;
}

/** The members' ENIs from the snapshot; undefined unless every one is in it. */
export function snapshotEnis(snap: AwsSnapshot | undefined, ids: string[]): EniView[] | undefined {
  const found = ids.map((id) => snap?.enis?.get(id));
  return found.every((e) => e !== undefined) ? (found as EniView[]) : undefined;
}
