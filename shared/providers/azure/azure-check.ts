import type { AzureMemberConfig, AzureMirrorConfig } from '../../config/schema-azure.ts';
import { type CheckFinding, errored, fail, pass } from '../../core/check.ts';
import type { CallContext } from '../../core/retry.ts';
import { configuredNicId, ipConfigNeeds, type Need, permits, placeIn, publicIpProblem } from './azure-check-rules.ts';
import { type IpConfigVip, publicIpIdOf } from './ip-config-moves.ts';
import { armCall } from './lro.ts';
import { AZURE_ACTIONS_BY_CALL, type NetworkApi, type NicView, type PermissionView } from './network-api.ts';
import { readNic } from './nics.ts';
import { type RouteVip, routeRef } from './route-moves.ts';

type Member = AzureMemberConfig;

/** The reads of one check run, each made once however many targets ask for it. */
function reader(api: NetworkApi, ctx: CallContext) {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(k: string, f: () => Promise<T>) => {
    if (!memo.has(k)) memo.set(k, f());
    return memo.get(k) as Promise<T>;
  };
  return {
    permissions: (scope: string) =>
      once(`p ${scope.toLowerCase()}`, () =>
        armCall<PermissionView[]>(ctx, 'authorization.permissions.list', false, (o) => api.listPermissions(scope, o)),
      ),
    subnet: (id: string) =>
      once(`s ${id.toLowerCase()}`, () => armCall(ctx, 'network.subnets.get', false, (o) => api.getSubnet(id, o))),
    publicIp: (id: string) =>
      once(`i ${id.toLowerCase()}`, () =>
        armCall(ctx, 'network.publicIPAddresses.get', false, (o) => api.getPublicIp(id, o)),
      ),
  };
}
type Reader = ReturnType<typeof reader>;

/** One finding per scope: every action the move needs there, allowed or the missing ones named with the fix. */
async function permissionFindings(r: Reader, mirror: string, target: string | null, needs: Need[]) {
  return Promise.all(
    needs.map(async (n): Promise<CheckFinding> => {
      const where = { mirror, target, check: 'azure.permission', resource: n.scope };
      try {
        const perms = await r.permissions(n.scope);
        const missing = n.actions.filter((a) => !permits(perms, a));
        if (missing.length === 0) return pass(where, `allowed: ${n.actions.join(', ')}`);
        return fail(
          where,
          `the function's identity lacks ${missing.join(', ')} at this scope (Microsoft.Authorization/permissions)`,
          `grant ${missing.join(', ')} on ${n.scope} to the function's identity (a role assigned at or above this scope)`,
        );
      } catch (e: unknown) {
        return errored(where, e);
      }
    }),
  );
}

/** The VIP must be a usable address of the subnet the target's primary ip-configuration lives in. */
async function subnetFinding(r: Reader, mirror: string, target: string, nic: NicView, v: IpConfigVip) {
  const subnetId = (nic.ipConfigs.find((c) => c.primary) ?? nic.ipConfigs[0])?.subnetId ?? null;
  const where = { mirror, target, check: 'azure.privateIp.subnet', resource: subnetId ?? nic.id };
  if (!subnetId)
    return fail(
      where,
      `NIC ${nic.name} has no primary ip-configuration with a subnet`,
      "attach the NIC to the members' subnet",
    );
  try {
    const s = await r.subnet(subnetId);
    const places = s.addressPrefixes.map((p) => placeIn(v.privateIp, p));
    if (places.includes('usable')) return pass(where, `${v.privateIp} lies in ${s.addressPrefixes.join(', ')}`);
    const why = places.includes('reserved') ? 'is one of the five addresses Azure reserves in' : 'lies outside';
    return fail(
      where,
      `${v.privateIp} ${why} ${s.addressPrefixes.join(', ')}`,
      `choose a private VIP inside ${s.addressPrefixes.join(', ')} (not its first four or last address), or put ${target}'s NIC in the VIP's subnet`,
    );
  } catch (e: unknown) {
    return errored(where, e);
  }
}

async function publicIpFinding(r: Reader, mirror: string, id: string): Promise<CheckFinding> {
  const where = { mirror, target: null, check: 'azure.publicIp', resource: id };
  try {
    const problem = publicIpProblem(await r.publicIp(id));
    return problem ? fail(where, problem.reason, problem.fix) : pass(where, 'Standard, Regional, Static, not zonal');
  } catch (e: unknown) {
    return errored(where, e);
  }
}

function forwardingFinding(mirror: string, target: Member, nic: NicView): CheckFinding {
  const where = { mirror, target: target.name, check: 'azure.ipForwarding', resource: nic.id };
  return nic.ipForwarding
    ? pass(where, 'IP forwarding is on')
    : fail(
        where,
        'IP forwarding is off: packets routed to the VIP would be dropped by the platform',
        `az network nic update --ids ${nic.id} --ip-forwarding true`,
      );
}

/**
 * The Azure preflight: for each member as a target, the effective permissions (Permissions - List For Resource)
 * at every scope the move writes or links, the private VIP in the target's subnet, IP forwarding for route VIPs,
 * and the public IP's SKU and zones. Reads only.
 */
export async function checkAzureMirror(api: NetworkApi, mirror: AzureMirrorConfig, ctx: CallContext) {
  const r = reader(api, ctx);
  const name = mirror.name;
  const nics = new Map<string, NicView>();
  const out: CheckFinding[] = [];
  await Promise.all(
    mirror.members.map(async (m) => {
      const where = { mirror: name, target: m.name, check: 'azure.nic', resource: configuredNicId(mirror, m) };
      try {
        nics.set(m.name, await readNic({ api, ctx, mirror }, m));
      } catch (e: unknown) {
        out.push(errored(where, e));
      }
    }),
  );
  const all = mirror.members.flatMap((m) => nics.get(m.name) ?? []);
  const jobs: Promise<CheckFinding | CheckFinding[]>[] = [];
  for (const v of mirror.vips) {
    if (v.mode === 'ip-config') {
      const pip = publicIpIdOf(mirror, v);
      if (pip) jobs.push(publicIpFinding(r, name, pip));
      for (const m of mirror.members) {
        const nic = nics.get(m.name);
        if (!nic) continue;
        jobs.push(permissionFindings(r, name, m.name, ipConfigNeeds(all, pip)));
        jobs.push(subnetFinding(r, name, m.name, nic, v));
      }
      continue;
    }
    jobs.push(routeFindings(r, mirror, v, nics));
  }
  return [...out, ...(await Promise.all(jobs)).flat()];
}

/** Route VIPs: read and write the route in every table; read each target's NIC (its address is the next hop). */
async function routeFindings(r: Reader, mirror: AzureMirrorConfig, v: RouteVip, nics: Map<string, NicView>) {
  const tables = v.routeTables.map((t) => {
    const ref = routeRef(mirror, v, t);
    const scope = `/subscriptions/${mirror.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Network/routeTables/${ref.table}`;
    return {
      scope,
      actions: [...AZURE_ACTIONS_BY_CALL.getRoute.routeTable, ...AZURE_ACTIONS_BY_CALL.putRoute.routeTable],
    };
  });
  const perTarget = mirror.members.flatMap((m) => {
    const nic = nics.get(m.name);
    if (!nic) return [];
    const read = { scope: nic.id, actions: [...AZURE_ACTIONS_BY_CALL.getNic.nic] };
    return [
      permissionFindings(r, mirror.name, m.name, [read]),
      Promise.resolve([forwardingFinding(mirror.name, m, nic)]),
    ];
  });
  const all = await Promise.all([permissionFindings(r, mirror.name, null, tables), ...perTarget]);
  return all.flat();
}
