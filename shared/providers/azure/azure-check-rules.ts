import type { AzureMirrorConfig } from '../../config/schema-azure.ts';
import type { NicView, PermissionView, PublicIpView } from './network-api.ts';
import { AZURE_ACTIONS_BY_CALL } from './network-api.ts';

/** The join action Resource Manager checks on each kind of resource a NIC PUT references (linked access). */
export const JOIN_ACTIONS = {
  subnet: AZURE_ACTIONS_BY_CALL.putNic.subnet[0],
  publicIp: AZURE_ACTIONS_BY_CALL.putNic.publicIp[0],
  nsg: 'Microsoft.Network/networkSecurityGroups/join/action',
  asg: 'Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action',
  pool: 'Microsoft.Network/loadBalancers/backendAddressPools/join/action',
} as const;

/** One scope and the actions a move needs there. */
export interface Need {
  scope: string;
  actions: string[];
}

const glob = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

/**
 * Whether the permissions listed at a scope allow `action`: some entry's Actions match it and the same entry's
 * NotActions do not (NotActions subtract within one role; they are not a deny).
 */
export function permits(perms: readonly PermissionView[], action: string): boolean {
  return perms.some(
    (p) => p.actions.some((a) => glob(a).test(action)) && !p.notActions.some((n) => glob(n).test(action)),
  );
}

/** Add actions to the need of a scope (scopes compare case-insensitively, as ARM ids do). */
function add(needs: Map<string, Need>, scope: string | null, ...actions: string[]) {
  if (!scope) return;
  const k = scope.toLowerCase();
  const n = needs.get(k) ?? { scope, actions: [] };
  for (const a of actions) if (!n.actions.includes(a)) n.actions.push(a);
  needs.set(k, n);
}

/** Everything a PUT of this NIC links to, each with its join action. */
export function linkedNeeds(nic: NicView, needs: Map<string, Need>, publicIpId: string | null): void {
  add(needs, nic.id, ...AZURE_ACTIONS_BY_CALL.getNic.nic, ...AZURE_ACTIONS_BY_CALL.putNic.nic);
  add(needs, nic.nsgId, JOIN_ACTIONS.nsg);
  for (const c of nic.ipConfigs) {
    add(needs, c.subnetId, JOIN_ACTIONS.subnet);
    add(needs, c.publicIpId, JOIN_ACTIONS.publicIp);
    for (const a of c.asgIds) add(needs, a, JOIN_ACTIONS.asg);
    for (const p of c.poolIds) add(needs, p, JOIN_ACTIONS.pool);
  }
  add(needs, publicIpId, JOIN_ACTIONS.publicIp);
}

/**
 * What an ip-config move to `target` needs: every member NIC is written (the add on the target, a removal on any
 * other holder), and each PUT is checked for join on everything that NIC references, plus the public IP.
 */
export function ipConfigNeeds(nics: readonly NicView[], publicIpId: string | null): Need[] {
  const needs = new Map<string, Need>();
  for (const nic of nics) linkedNeeds(nic, needs, publicIpId);
  return [...needs.values()];
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Where `ip` falls in an IPv4 prefix: outside, one of the five addresses Azure reserves, or usable. */
export function placeIn(ip: string, prefix: string): 'outside' | 'reserved' | 'usable' {
  const [base = '', bits = '32'] = prefix.split('/');
  if (base.includes(':')) return 'outside';
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base) - (toInt(base) % size);
  const n = toInt(ip);
  if (n < start || n >= start + size) return 'outside';
  return n - start < 4 || n === start + size - 1 ? 'reserved' : 'usable';
}

/**
 * What is wrong with a public IP for a move between members (null when nothing): an ip-configuration of a VM NIC
 * takes a Standard, Regional-tier, Static public IP; a zonal one (one zone) cannot follow members in other zones.
 */
export function publicIpProblem(p: PublicIpView): { reason: string; fix: string } | null {
  if (p.sku !== 'Standard')
    return { reason: `SKU ${p.sku ?? '(none)'}; Basic public IPs are retired`, fix: 'use a Standard public IP' };
  if (p.tier && p.tier !== 'Regional')
    return {
      reason: `tier ${p.tier}: a Global public IP cannot attach to a NIC`,
      fix: 'use a Regional tier public IP',
    };
  if (p.allocation !== 'Static')
    return { reason: `allocation ${p.allocation ?? '(none)'}`, fix: 'set publicIPAllocationMethod Static' };
  if (p.zones.length === 1)
    return {
      reason: `zonal (zone ${p.zones[0]}): it cannot serve a member in another zone`,
      fix: 'use a zone-redundant public IP (zones 1, 2, 3) or one with no zone',
    };
  return null;
}

/** The member's NIC id as configured (for findings about a NIC that could not be read). */
export const configuredNicId = (mirror: AzureMirrorConfig, m: AzureMirrorConfig['members'][number]) =>
  `/subscriptions/${mirror.subscriptionId}/resourceGroups/${m.resourceGroup ?? mirror.resourceGroup}/providers/Microsoft.Network/networkInterfaces/${m.nic}`;
