import { createHash, randomUUID } from 'node:crypto';
import type { GcpMemberConfig, GcpMirrorConfig, GcpVipConfig } from '../../config/schema.ts';
import { type CallContext, call } from '../../core/retry.ts';
import { ProviderError, TransientError } from '../../errors.ts';
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
 * `mirror-vip-<mirror>-<ip dashed>-<member>[-p<priority>]`: one name per mirror, VIP, next hop and priority, so a
 * retried insert finds its own route (409) instead of adding a second one, and a route deleted by name from a stale
 * view is never a newer route to the same member. Names longer than GCP's 63 characters keep a hash of the whole.
 */
export function routeName(mirror: string, cidr: string, member: string, priority?: number): string {
  const suffix = priority === undefined ? '' : `-p${priority}`;
  const full = `mirror-vip-${slug(mirror)}-${cidr.replace(/\/32$/, '').replaceAll('.', '-')}-${slug(member)}${suffix}`;
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

/** True when `r` carries the VIP alone over every route in `others` (strictly better priority: no ECMP tie). */
const wins = (r: RouteView, others: readonly RouteView[]) =>
  others.every((o) => o.name === r.name || r.priority < o.priority);

/**
 * Make a route to the target exist that wins over every other route of the VIP. Its priority is the configured
 * one when that already wins, else one better than the best other route: never a tie (GCP would spread the
 * traffic over both, ECMP), and never a route that has to be deleted before the new one carries the VIP.
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
  if (
    existing &&
    wins(
      existing,
      routes.filter((r) => r.nextHopInstance !== hop),
    )
  )
    return existing;
  const others = routes.filter((r) => r.nextHopInstance !== hop);
  const best = others.length ? Math.min(...others.map((r) => r.priority)) : Number.POSITIVE_INFINITY;
  const priority = v.priority < best ? v.priority : best - 1;
  if (priority < 0) {
    throw new ProviderError(
      `no route priority left below ${best} for ${v.cidr}: delete the VIP's routes and reconcile`,
      {
        code: 'route_priority_exhausted',
      },
    );
  }
  // the plain name when it is free; else one that includes the priority, so no stale view can delete it by name
  const plain = routeName(mirror.name, v.cidr, target.name);
  const name = routes.some((r) => r.name === plain) ? routeName(mirror.name, v.cidr, target.name, priority) : plain;
  const route = { name, network: v.network, destRange: v.cidr, priority };
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
 * Make before break, safe against other writers: make the target's winning route exist (waited on until DONE), then
 * re-read the VIP's routes and delete only routes that a *live* route to the target beats in that fresh read. The
 * route that carries the VIP is therefore never deleted unless the target's route already wins over it, so two
 * instances acting on stale views can never leave the VIP without a route. A failed delete of a beaten route is
 * harmless (it is inert); a route that still ties or wins (another writer's, inserted meanwhile) is a transient
 * failure: the next round observes, probes and tries again.
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
  const fresh = await listVipRoutes(api, ctx, mirror.project, v);
  const live = fresh.find((r) => r.name === ours.name);
  if (!live) throw new TransientError(`route ${ours.name} to ${target.name} was gone when re-read`);
  const beaten = fresh.filter((r) => r.name !== live.name && live.priority < r.priority);
  await Promise.allSettled(beaten.map((r) => deleteRoute(api, ctx, mirror.project, r)));
  const rival = fresh.find((r) => r.name !== live.name && r.priority <= live.priority);
  if (rival) {
    throw new TransientError(
      `route ${rival.name} (priority ${rival.priority}) still ties or beats ${live.name} (priority ${live.priority})`,
    );
  }
}
