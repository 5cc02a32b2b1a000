import type { OciMemberConfig, OciMirrorConfig, OciVipConfig } from '../../config/schema-oci.ts';
import type { CallContext } from '../../core/retry.ts';
import type { Binding } from '../types.ts';
import { vcnCall, writeWithReread } from './calls.ts';
import type { RouteRuleView, RouteTableView, VcnApi } from './vcn-api.ts';

export type RouteVip = Extract<OciVipConfig, { mode: 'route' }>;

const isVipRule = (v: RouteVip) => (r: RouteRuleView) => r.destinationType === 'CIDR_BLOCK' && r.destination === v.cidr;

/** Read every route table of a route VIP, in parallel; a table `listed` holds (the snapshot) is not read again. */
export function readTables(
  api: VcnApi,
  ctx: CallContext,
  v: RouteVip,
  listed: (id: string) => RouteTableView | undefined = () => undefined,
): Promise<RouteTableView[]> {
  return Promise.all(v.routeTableIds.map((id) => listed(id) ?? readTable(api, ctx, id)));
}

/** One GetRouteTable (the etag a write's if-match needs). */
export const readTable = (api: VcnApi, ctx: CallContext, id: string) =>
  vcnCall(ctx, 'getRouteTable', (signal) => api.getRouteTable(id, { signal }));

/** One binding per route table: the member whose primary private IP is the VIP rule's networkEntityId. */
export function routeBindings(mirror: OciMirrorConfig, v: RouteVip, tables: readonly RouteTableView[]): Binding[] {
  return tables.map((t) => {
    const rule = t.routeRules.find(isVipRule(v));
    const holder = mirror.members.find((m) => rule && m.privateIpId === rule.networkEntityId);
    return {
      vip: v.cidr,
      mode: v.mode,
      slot: t.id,
      holder: holder?.name ?? null,
      resource: rule?.networkEntityId ?? null,
    };
  });
}

/**
 * The table's rules with the VIP rule pointing at `hop`, in its place (added at the end when missing); every other
 * rule kept exactly as read, in its order.
 */
export function rulesWithVip(
  v: RouteVip,
  rules: readonly RouteRuleView[],
  hop: string,
  mirror: string,
): RouteRuleView[] {
  const rule: RouteRuleView = {
    destination: v.cidr,
    destinationType: 'CIDR_BLOCK',
    networkEntityId: hop,
    description: `mirror-vip ${mirror}`,
  };
  const at = rules.findIndex(isVipRule(v));
  if (at < 0) return [...rules, rule];
  return rules.map((r, i) => (i === at ? rule : r)).filter((r, i) => i === at || !isVipRule(v)(r));
}

/**
 * Point one table's VIP rule at the target's private IP. UpdateRouteTable replaces the whole rule list, so it is
 * sent with if-match: a table changed by someone else meanwhile (412) is re-read and its rules kept.
 */
export async function moveRouteTable(
  api: VcnApi,
  ctx: CallContext,
  mirror: OciMirrorConfig,
  v: RouteVip,
  target: OciMemberConfig,
  table: RouteTableView,
): Promise<void> {
  const hop = target.privateIpId as string;
  const read = () => vcnCall(ctx, 'getRouteTable', (signal) => api.getRouteTable(table.id, { signal }));
  await writeWithReread(
    ctx,
    read,
    table,
    (t) => t.routeRules.some((r) => isVipRule(v)(r) && r.networkEntityId === hop),
    (t, signal) => api.updateRouteTable(t.id, rulesWithVip(v, t.routeRules, hop, mirror.name), t.etag, { signal }),
    'updateRouteTable',
  );
}
