import type { AzureMirrorConfig, AzureVipConfig } from '../../config/schema-azure.ts';
import type { CallContext } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import type { PollCadence } from '../poll-cadence.ts';
import type { Binding, PlanChange } from '../types.ts';
import { ARM_CODES, apiCodeOf } from './azure-errors.ts';
import { armCall, writeAndWait } from './lro.ts';
import type { NetworkApi, NicView, RouteRef, RouteView } from './network-api.ts';
import { MAX_ETAG_ATTEMPTS } from './nics.ts';

export type RouteVip = Extract<AzureVipConfig, { mode: 'route' }>;
export const NEXT_HOP = 'VirtualAppliance';

/** The slot of one route table: `<resource group>/<table>`. */
export const tableSlot = (mirror: AzureMirrorConfig, t: RouteVip['routeTables'][number]) =>
  `${t.resourceGroup ?? mirror.resourceGroup}/${t.name}`;

export const routeRef = (mirror: AzureMirrorConfig, v: RouteVip, t: RouteVip['routeTables'][number]): RouteRef => ({
  resourceGroup: t.resourceGroup ?? mirror.resourceGroup,
  table: t.name,
  name: v.routeName,
});

/** The member's own address: the primary ip-configuration's private IP, the next hop a route points at. */
export function primaryIpOf(nic: NicView | undefined): string | null {
  return (nic?.ipConfigs.find((c) => c.primary) ?? nic?.ipConfigs[0])?.privateIp ?? null;
}

export function readRoute(api: NetworkApi, ctx: CallContext, ref: RouteRef): Promise<RouteView | null> {
  return armCall(ctx, 'network.routes.get', false, (o) => api.getRoute(ref, o));
}

/** One binding per table: the member whose primary address is the route's next hop. */
export function routeBindings(
  mirror: AzureMirrorConfig,
  v: RouteVip,
  routes: (RouteView | null)[],
  nics: Map<string, NicView>,
): Binding[] {
  return v.routeTables.map((t, i) => {
    const r = routes[i] ?? null;
    const hop = r && r.nextHopType === NEXT_HOP ? r.nextHopIpAddress : null;
    const holder = hop ? mirror.members.find((m) => primaryIpOf(nics.get(m.name)) === hop) : undefined;
    const resource = r ? (hop ?? `${r.nextHopType} (not an appliance)`) : null;
    return { vip: v.cidr, mode: v.mode, slot: tableSlot(mirror, t), holder: holder?.name ?? null, resource };
  });
}

/**
 * Point one table's VIP route at the target's primary address: replace it If-Match its ETag, or create it
 * (If-None-Match: *) when it does not exist. A 412 means another writer got there first: read again and decide again.
 */
export async function moveRoute(
  mc: { api: NetworkApi; ctx: CallContext; mirror: AzureMirrorConfig; cadence: PollCadence },
  v: RouteVip,
  c: PlanChange,
  targetIp: string,
  known: RouteView | null | undefined,
): Promise<void> {
  const t = v.routeTables.find((x) => tableSlot(mc.mirror, x) === c.slot);
  if (!t) throw new ProviderError(`route table ${c.slot} is not configured for ${v.cidr}`);
  const ref = routeRef(mc.mirror, v, t);
  let route = known === undefined ? await readRoute(mc.api, mc.ctx, ref) : known;
  for (let attempt = 1; ; attempt++) {
    if (
      route &&
      route.nextHopType === NEXT_HOP &&
      route.nextHopIpAddress === targetIp &&
      route.addressPrefix === v.cidr
    )
      return;
    const what = { op: 'network.routes.createOrUpdate', target: `${c.slot}/${v.routeName}` };
    const etag = route?.etag ?? null;
    try {
      const body = { addressPrefix: v.cidr, nextHopIpAddress: targetIp };
      const pacing = { cadence: mc.cadence, coarseMs: mc.mirror.pollIntervalMs };
      await writeAndWait(mc.ctx, what, (o) => mc.api.putRoute(ref, body, etag, o), pacing);
      return;
    } catch (e: unknown) {
      if (apiCodeOf(e) !== ARM_CODES.staleEtag || attempt >= MAX_ETAG_ATTEMPTS) throw e;
      route = await readRoute(mc.api, mc.ctx, ref);
    }
  }
}
