import { createHash, randomUUID } from 'node:crypto';
import type { GcpMemberConfig, GcpMirrorConfig, GcpVipConfig } from '../../config/schema.ts';
import { type CallContext, call } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import type { Binding } from '../types.ts';
import type { ComputeApi, RouteView } from './compute-api.ts';
import { API_CODES, apiCodeOf } from './gcp-errors.ts';
import { callOptions, writeAndWait } from './operations.ts';

export type RouteVip = Extract<GcpVipConfig, { mode: 'route' }>;

/** The slot of a VIP that has no route at all. */
export const NO_ROUTE = '(no route)';

export const hopOf = (m: GcpMemberConfig) => `zones/${m.zone}/instances/${m.instance}`;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * `mirror-vip-<mirror>-<ip dashed>-<member>`: one name per mirror, VIP and next hop, so a retried insert finds its
 * own route (409) instead of adding a second one. Names longer than GCP's 63 characters keep a hash of the whole.
 */
export function routeName(mirror: string, cidr: string, member: string): string {
  const full = `mirror-vip-${slug(mirror)}-${cidr.replace(/\/32$/, '').replaceAll('.', '-')}-${slug(member)}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** The VIP's routes in its network, fetched with a destRange filter (routes are global: no zone is involved). */
export async function listVipRoutes(api: ComputeApi, ctx: CallContext, project: string, v: RouteVip) {
  const routes = await call(ctx, 'compute.routes.list', false, (s) =>
    api.listRoutes({ project, destRange: v.cidr }, callOptions(ctx, s)),
  );
  return routes.filter((r) => r.network === v.network);
}

/** The routes that carry the traffic: those with the best (lowest) priority; several of them means ECMP. */
export function effectiveRoutes(routes: readonly RouteView[]): RouteView[] {
  const best = Math.min(...routes.map((r) => r.priority));
  return routes.filter((r) => r.priority === best);
}

/** One binding per effective route (or one empty binding when the VIP has no route). */
export function routeBindings(mirror: GcpMirrorConfig, v: RouteVip, routes: readonly RouteView[]): Binding[] {
  if (routes.length === 0) return [{ vip: v.cidr, mode: v.mode, slot: NO_ROUTE, holder: null, resource: null }];
  return effectiveRoutes(routes).map((r) => ({
    vip: v.cidr,
    mode: v.mode,
    slot: r.name,
    holder: mirror.members.find((m) => hopOf(m) === r.nextHopInstance)?.name ?? null,
    resource: r.nextHopInstance ?? `${r.name} (next hop is not an instance)`,
  }));
}

/**
 * Make the target's route exist. Its priority alternates between the configured one and one less, so it never
 * ties with the route it replaces: with equal priorities GCP would spread the VIP's traffic over both (ECMP).
 */
async function ensureTargetRoute(
  api: ComputeApi,
  ctx: CallContext,
  mirror: GcpMirrorConfig,
  v: RouteVip,
  target: GcpMemberConfig,
  routes: RouteView[],
) {
  const hop = hopOf(target);
  const existing = routes.filter((r) => r.nextHopInstance === hop).sort((a, b) => a.priority - b.priority)[0];
  if (existing) return existing;
  const best = routes.length ? Math.min(...routes.map((r) => r.priority)) : undefined;
  const priority = best === v.priority ? v.priority - 1 : v.priority;
  const route = { name: routeName(mirror.name, v.cidr, target.name), network: v.network, destRange: v.cidr, priority };
  const description = `mirror-vip: ${mirror.name} VIP ${v.cidr} to ${target.name}`;
  const args = {
    project: mirror.project,
    route: { ...route, nextHopInstance: hop, description },
    requestId: randomUUID(),
  };
  try {
    await writeAndWait(api, ctx, mirror.project, { op: 'compute.routes.insert', target: route.name }, (o) =>
      api.insertRoute(args, o),
    );
  } catch (e: unknown) {
    if (apiCodeOf(e) !== API_CODES.alreadyExists && apiCodeOf(e) !== 'RESOURCE_ALREADY_EXISTS') throw e;
    // the name is ours: a previous attempt inserted it. Adopt it only if it is the route we want.
    const found = await call(ctx, 'compute.routes.get', false, (s) =>
      api.getRoute({ project: mirror.project, name: route.name }, callOptions(ctx, s)),
    );
    if (found.nextHopInstance !== hop || found.destRange !== v.cidr || found.network !== v.network) {
      throw new ProviderError(
        `route name ${route.name} is taken by a route that does not point ${v.cidr} at ${target.name}`,
        {
          cause: e,
          detail: { apiCode: API_CODES.alreadyExists },
        },
      );
    }
    return found;
  }
  return { ...route, nextHopInstance: hop };
}

async function deleteRoute(api: ComputeApi, ctx: CallContext, project: string, r: RouteView) {
  const args = { project, name: r.name, requestId: randomUUID() };
  try {
    await writeAndWait(api, ctx, project, { op: 'compute.routes.delete', target: r.name }, (o) =>
      api.deleteRoute(args, o),
    );
  } catch (e: unknown) {
    if (apiCodeOf(e) !== API_CODES.notFound) throw e;
  }
}

/**
 * Make before break: insert the target's route and wait until it is DONE, then delete every other route of the
 * VIP, so there is never a moment without a route (GCP has no replace). Deleting an old route is best effort
 * when the new route already wins (strictly better priority): the move is complete and a leftover is inert.
 * It is required when the old route ties or wins, since traffic follows it until it is gone.
 */
export async function moveRoute(
  api: ComputeApi,
  ctx: CallContext,
  mirror: GcpMirrorConfig,
  v: RouteVip,
  target: GcpMemberConfig,
  routes: RouteView[],
) {
  const ours = await ensureTargetRoute(api, ctx, mirror, v, target, routes);
  const others = routes.filter((r) => r.name !== ours.name);
  const settled = await Promise.allSettled(others.map((r) => deleteRoute(api, ctx, mirror.project, r)));
  settled.forEach((s, i) => {
    const r = others[i];
    if (s.status === 'rejected' && r && r.priority <= ours.priority) throw s.reason;
  });
}
