import type { AzureMemberConfig, AzureMirrorConfig } from '../../config/schema-azure.ts';
import type { CallContext } from '../../core/retry.ts';
import { allPages, type ListPage } from '../all-pages.ts';
import { armCall } from './lro.ts';
import type { CallOptions, NetworkApi, NicView, RouteTableView, RouteView } from './network-api.ts';
import { nicRef } from './nics.ts';
import type { RouteVip } from './route-moves.ts';

/** The most pages one list may take (100 pages of 100); a list that goes on longer counts as failed. */
export const MAX_PAGES = 100;

/** What one scheduled reconcile listed, per resource group (lower-cased); a group whose list failed is absent. */
export interface AzureSnapshot {
  nics: Map<string, NicView>;
  nicGroups: Set<string>;
  tables: Map<string, RouteTableView>;
  tableGroups: Set<string>;
}

const key = (rg: string, name: string) => `${rg}/${name}`.toLowerCase();

/** Every page of one list (each page one recorded call, following nextLink: shared/providers/all-pages.ts). */
const pages = <T>(
  ctx: CallContext,
  op: string,
  read: (next: string | undefined, o: CallOptions) => Promise<ListPage<T>>,
) => allPages(MAX_PAGES, (next) => armCall(ctx, op, false, (o) => read(next, o)));

/**
 * One Network Interfaces - List and one Route Tables - List (paged by nextLink) per resource group the mirrors
 * name: the reconcile's reads grow with resource groups and pages, not with mirrors. ARM has no batch GET.
 */
export async function azureSnapshot(
  api: NetworkApi,
  mirrors: readonly AzureMirrorConfig[],
  ctx: CallContext,
): Promise<AzureSnapshot | undefined> {
  const { listNicsPage, listRouteTablesPage } = api;
  if (!listNicsPage || !listRouteTablesPage) return undefined;
  const snap: AzureSnapshot = { nics: new Map(), nicGroups: new Set(), tables: new Map(), tableGroups: new Set() };
  const nicGroups = new Set(mirrors.flatMap((m) => m.members.map((x) => nicRef(m, x).resourceGroup.toLowerCase())));
  const tableGroups = new Set(
    mirrors.flatMap((m) =>
      m.vips.flatMap((v) =>
        v.mode === 'route' ? v.routeTables.map((t) => (t.resourceGroup ?? m.resourceGroup).toLowerCase()) : [],
      ),
    ),
  );
  await Promise.all([
    ...[...nicGroups].map(async (rg) => {
      const list = await pages(ctx, 'network.networkInterfaces.list', (n, o) => listNicsPage.call(api, rg, n, o));
      if (!list) return;
      for (const nic of list) snap.nics.set(key(nic.resourceGroup, nic.name), nic);
      snap.nicGroups.add(rg);
    }),
    ...[...tableGroups].map(async (rg) => {
      const list = await pages(ctx, 'network.routeTables.list', (n, o) => listRouteTablesPage.call(api, rg, n, o));
      if (!list) return;
      for (const t of list) snap.tables.set(key(t.resourceGroup, t.name), t);
      snap.tableGroups.add(rg);
    }),
  ]);
  return snap;
}

/** A member's NIC from the snapshot; undefined when its group was not listed or it is not in the list. */
export function snapshotNic(snap: AzureSnapshot | undefined, mirror: AzureMirrorConfig, m: AzureMemberConfig) {
  const ref = nicRef(mirror, m);
  return snap?.nicGroups.has(ref.resourceGroup.toLowerCase())
    ? snap.nics.get(key(ref.resourceGroup, ref.name))
    : undefined;
}

/**
 * The VIP's route in one table from the snapshot: the route, null when the listed table has none, undefined when the
 * table was not listed (its group's list failed, or the table is not there: the per-route read then names why).
 */
export function snapshotRoute(
  snap: AzureSnapshot | undefined,
  mirror: AzureMirrorConfig,
  v: RouteVip,
  t: RouteVip['routeTables'][number],
): RouteView | null | undefined {
  const rg = t.resourceGroup ?? mirror.resourceGroup;
  const table = snap?.tableGroups.has(rg.toLowerCase()) ? snap.tables.get(key(rg, t.name)) : undefined;
  return table ? (table.routes.get(v.routeName.toLowerCase()) ?? null) : undefined;
}
