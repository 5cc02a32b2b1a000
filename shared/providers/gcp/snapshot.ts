import type { GcpMirrorConfig } from '../../config/schema.ts';
import { type CallContext, call } from '../../core/retry.ts';
import { allPages, type ListPage } from '../all-pages.ts';
import type { CallOptions, ComputeApi, NicView, RouteView } from './compute-api.ts';
import { callOptions } from './operations.ts';
import type { RouteVip } from './route-moves.ts';

/**
 * The most pages one list may take: 40 pages of 500 are 20,000 instances or routes in one project, far above
 * Compute's per-project quotas; a list that goes on longer is treated as failed and the mirrors read their own.
 */
export const MAX_PAGES = 40;

/** What one scheduled reconcile listed, per project; a project whose list failed is absent from that part. */
export interface GcpSnapshot {
  /** nic0 of every instance, by `project/zone/instance`, for the projects in `nicProjects`. */
  nics: Map<string, NicView>;
  nicProjects: Set<string>;
  /** The routes of the VIPs' networks, by project. */
  routes: Map<string, RouteView[]>;
}

const key = (project: string, zone: string, instance: string) => `${project}/${zone}/${instance}`;

/** Every page of one list, each page one recorded call (shared/providers/all-pages.ts). */
const pages = <T>(
  ctx: CallContext,
  op: string,
  read: (token: string | undefined, o: CallOptions) => Promise<ListPage<T>>,
) => allPages(MAX_PAGES, (token) => call(ctx, op, false, (s) => read(token, callOptions(ctx, s))));

/**
 * One instances.aggregatedList (nic0 of every instance) and one routes.list (the VIPs' networks) per project, each
 * paged by 500: a scheduled reconcile costs the same list calls for 2 mirrors as for 1,000 in a project.
 */
export async function gcpSnapshot(
  api: ComputeApi,
  mirrors: readonly GcpMirrorConfig[],
  ctx: CallContext,
): Promise<GcpSnapshot | undefined> {
  const { listNicsPage, listRoutesPage } = api;
  if (!listNicsPage || !listRoutesPage) return undefined;
  const snap: GcpSnapshot = { nics: new Map(), nicProjects: new Set(), routes: new Map() };
  const projects = [...new Set(mirrors.map((m) => m.project))];
  await Promise.all(
    projects.flatMap((project) => {
      const inProject = mirrors.filter((m) => m.project === project);
      const networks = inProject.flatMap((m) => m.vips.flatMap((v) => (v.mode === 'route' ? [v.network] : [])));
      const nics = pages(ctx, 'compute.instances.aggregatedList', (pageToken, o) =>
        listNicsPage.call(api, { project, pageToken }, o),
      ).then((list) => {
        if (!list) return;
        for (const n of list) snap.nics.set(key(project, n.zone, n.instance), n);
        snap.nicProjects.add(project);
      });
      if (networks.length === 0) return [nics];
      const routes = pages(ctx, 'compute.routes.list', (pageToken, o) =>
        listRoutesPage.call(api, { project, networks, pageToken }, o),
      ).then((list) => {
        if (list) snap.routes.set(project, list);
      });
      return [nics, routes];
    }),
  );
  return snap;
}

/**
 * The members' nic0 from the snapshot; undefined unless every member is in it (a member missing from a complete
 * list would be a deleted instance, which the per-member read names with its 404).
 */
export function snapshotNics(snap: GcpSnapshot | undefined, mirror: GcpMirrorConfig): Map<string, NicView> | undefined {
  if (!snap?.nicProjects.has(mirror.project)) return undefined;
  const pairs = mirror.members.map((m) => [m.name, snap.nics.get(key(mirror.project, m.zone, m.instance))] as const);
  if (pairs.some(([, n]) => n === undefined)) return undefined;
  return new Map(pairs as (readonly [string, NicView])[]);
}

/** The VIP's routes in its network from the snapshot, as listVipRoutes would give them; undefined when not listed. */
export function snapshotRoutes(snap: GcpSnapshot | undefined, project: string, v: RouteVip): RouteView[] | undefined {
  return snap?.routes.get(project)?.filter((r) => r.destRange === v.cidr && r.network === v.network);
}
