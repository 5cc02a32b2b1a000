import type { OciMemberConfig, OciMirrorConfig } from '../../config/schema-oci.ts';
import { type CheckFinding, errored, fail, pass } from '../../core/check.ts';
import type { CallContext } from '../../core/retry.ts';
import { vcnCall } from './calls.ts';
import { type PrivateIpVip, readPrivateIp } from './private-ip-moves.ts';
import type { RouteVip } from './route-moves.ts';
import type { VcnApi, VnicView } from './vcn-api.ts';

/**
 * The policy statements each write of a move needs (terraform/oci/locals.tf writes the same ones for the function's
 * dynamic group). OCI has no dry-run flag, and its API reference does not say whether a write's authorization is
 * evaluated before its if-match precondition, so a stale-etag 412 would not prove the right: these are printed for
 * a human to compare with the tenancy's policies.
 */
export const OCI_WRITE_STATEMENTS = {
  UpdatePrivateIp: [
    "Allow dynamic-group <dynamic-group> to use private-ips in compartment <compartment> where any {request.operation = 'UpdatePrivateIp'}",
    "Allow dynamic-group <dynamic-group> to use vnics in compartment <compartment> where any {request.operation = 'UpdatePrivateIp'}",
  ],
  UpdatePublicIp: [
    "Allow dynamic-group <dynamic-group> to use public-ips in compartment <compartment> where any {request.operation = 'UpdatePublicIp'}",
  ],
  UpdateRouteTable: [
    "Allow dynamic-group <dynamic-group> to manage route-tables in compartment <compartment> where any {request.operation = 'UpdateRouteTable'}",
    "Allow dynamic-group <dynamic-group> to read private-ips in compartment <compartment> where any {request.operation = 'UpdateRouteTable'}",
  ],
} as const;

const UNPROVABLE =
  "not provable without writing: OCI has no dry-run flag and its API reference does not say authorization is evaluated before if-match (a stale-etag 412 proves nothing); compare the function's policies with the statements in fix";

/** The write rights of the mirror's modes, each reported as could-not-check with the statements to look for. */
function writeFindings(mirror: OciMirrorConfig): CheckFinding[] {
  const ops = new Set<keyof typeof OCI_WRITE_STATEMENTS>();
  for (const v of mirror.vips) {
    if (v.mode === 'route') ops.add('UpdateRouteTable');
    else {
      ops.add('UpdatePrivateIp');
      if (v.publicIpId) ops.add('UpdatePublicIp');
    }
  }
  return [...ops].map((op) => ({
    mirror: mirror.name,
    target: null,
    check: `oci.permission.${op}`,
    status: 'error',
    resource: op,
    reason: UNPROVABLE,
    fix: OCI_WRITE_STATEMENTS[op].join('\n'),
  }));
}

/** The private-ip VIP: a secondary private IP that exists, in the subnet of every member's VNIC; a reserved public IP. */
async function privateIpFindings(
  api: VcnApi,
  ctx: CallContext,
  mirror: OciMirrorConfig,
  v: PrivateIpVip,
  vnics: Vnics,
) {
  const name = mirror.name;
  const at = {
    mirror: name,
    target: null,
    check: 'oci.privateIp',
    resource: v.privateIpId ?? `${v.address} in ${v.subnetId}`,
  };
  const out: CheckFinding[] = [];
  try {
    const ip = await readPrivateIp({ api, ctx }, v);
    if (!ip) {
      out.push(
        fail(
          at,
          `no private IP ${v.address} in ${v.subnetId}`,
          `oci network vnic assign-private-ip --vnic-id <a member's VNIC> --ip-address ${v.address}`,
        ),
      );
    } else if (ip.isPrimary) {
      out.push(
        fail(
          at,
          `${v.address} is the primary private IP of ${ip.vnicId}: only a secondary private IP can move`,
          `choose an unused address of ${ip.subnetId} and assign it as a secondary private IP`,
        ),
      );
    } else {
      out.push(pass(at, `${v.address} is a secondary private IP in ${ip.subnetId}`));
      for (const m of mirror.members) out.push(await subnetFinding(name, m, ip.subnetId, vnics));
    }
  } catch (e: unknown) {
    out.push(errored(at, e));
  }
  if (v.publicIpId) out.push(await publicIpFinding(api, ctx, name, v.publicIpId));
  return out;
}

async function subnetFinding(
  mirror: string,
  m: OciMemberConfig,
  subnetId: string,
  vnics: Vnics,
): Promise<CheckFinding> {
  const where = { mirror, target: m.name, check: 'oci.privateIp.subnet', resource: m.vnicId };
  try {
    const vnic = await vnics(m);
    return vnic.subnetId === subnetId
      ? pass(where, `the VNIC is in the VIP's subnet ${subnetId}`)
      : fail(
          where,
          `the VNIC is in ${vnic.subnetId}, the VIP in ${subnetId}: UpdatePrivateIp moves only within one subnet`,
          `give ${m.name} a VNIC in ${subnetId} and configure it as vnicId`,
        );
  } catch (e: unknown) {
    return errored(where, e);
  }
}

async function publicIpFinding(api: VcnApi, ctx: CallContext, mirror: string, id: string): Promise<CheckFinding> {
  const where = { mirror, target: null, check: 'oci.publicIp.reserved', resource: id };
  try {
    const p = await vcnCall(ctx, 'getPublicIp', (signal) => api.getPublicIp(id, { signal }));
    return p.lifetime === 'RESERVED'
      ? pass(where, `reserved (${p.ipAddress}, ${p.lifecycleState})`)
      : fail(
          where,
          `lifetime ${p.lifetime ?? '(unknown)'}: an ephemeral public IP cannot move to another private IP`,
          'oci network public-ip create --lifetime RESERVED, then configure its OCID as publicIpId',
        );
  } catch (e: unknown) {
    return errored(where, e);
  }
}

/** Route VIPs: every table readable; skip source/destination check on each member VNIC (the next hop). */
async function routeFindings(api: VcnApi, ctx: CallContext, mirror: OciMirrorConfig, v: RouteVip, vnics: Vnics) {
  const tables = v.routeTableIds.map(async (id): Promise<CheckFinding> => {
    const where = { mirror: mirror.name, target: null, check: 'oci.routeTable', resource: id };
    try {
      const t = await vcnCall(ctx, 'getRouteTable', (signal) => api.getRouteTable(id, { signal }));
      return pass(where, `readable, ${t.routeRules.length} rule(s)`);
    } catch (e: unknown) {
      return errored(where, e);
    }
  });
  const hops = mirror.members.map(async (m): Promise<CheckFinding> => {
    const where = { mirror: mirror.name, target: m.name, check: 'oci.skipSourceDestCheck', resource: m.vnicId };
    try {
      return (await vnics(m)).skipSourceDestCheck
        ? pass(where, 'skip source/destination check is on')
        : fail(
            where,
            'skip source/destination check is off: packets routed to the VIP would be dropped',
            `oci network vnic update --vnic-id ${m.vnicId} --skip-source-dest-check true`,
          );
    } catch (e: unknown) {
      return errored(where, e);
    }
  });
  return Promise.all([...tables, ...hops]);
}

type Vnics = (m: OciMemberConfig) => Promise<VnicView>;

/** The OCI preflight: topology through reads, and the write rights as statements to compare (see OCI_WRITE_STATEMENTS). */
export async function checkOciMirror(api: VcnApi, mirror: OciMirrorConfig, ctx: CallContext): Promise<CheckFinding[]> {
  const memo = new Map<string, Promise<VnicView>>();
  const vnics: Vnics = (m) => {
    if (!memo.has(m.vnicId))
      memo.set(
        m.vnicId,
        vcnCall(ctx, 'getVnic', (signal) => api.getVnic(m.vnicId, { signal })),
      );
    return memo.get(m.vnicId) as Promise<VnicView>;
  };
  const per = await Promise.all(
    mirror.vips.map((v) =>
      v.mode === 'private-ip'
        ? privateIpFindings(api, ctx, mirror, v, vnics)
        : routeFindings(api, ctx, mirror, v, vnics),
    ),
  );
  return [...per.flat(), ...writeFindings(mirror)];
}
