import type { AwsMirrorConfig, AwsVipConfig } from '../../config/schema.ts';
import { type CallContext, call, settleSlots } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import type { Binding, Observation, PlanChange, Provider } from '../types.ts';
import { apiCodeOf } from './aws-errors.ts';
import { type AwsCheckOptions, awsCheck } from './check.ts';
import type { AwsCheckApi } from './check-client.ts';
import type { Ec2Api } from './ec2-client.ts';
import { type AwsSnapshot, awsSnapshot, snapshotEnis, snapshotTables } from './snapshot.ts';

type RouteVip = Extract<AwsVipConfig, { mode: 'route' }>;

/** A VIP's label in plans and logs: the CIDR for a route, the allocation for an Elastic IP. */
export function vipLabel(v: AwsVipConfig): string {
  return v.mode === 'route' ? v.cidr : v.allocationId;
}

function memberByEni(mirror: AwsMirrorConfig, eniId: string | null): string | null {
  return mirror.members.find((m) => m.eniId === eniId)?.name ?? null;
}

function eniOf(mirror: AwsMirrorConfig, member: string): string {
  const m = mirror.members.find((x) => x.name === member);
  if (!m) throw new ProviderError(`member ${member} is not in mirror ${mirror.name}`);
  return m.eniId;
}

async function observeVip(
  api: Ec2Api,
  mirror: AwsMirrorConfig,
  v: AwsVipConfig,
  ctx: CallContext,
  snap?: AwsSnapshot,
): Promise<Binding[]> {
  const vip = vipLabel(v);
  if (v.mode === 'eip') {
    const a =
      snap?.addresses?.get(v.allocationId) ??
      (await call(ctx, 'ec2:DescribeAddresses', false, (s) => api.describeAddress(v.allocationId, s)));
    return [{ vip, mode: v.mode, slot: v.allocationId, holder: memberByEni(mirror, a.eniId), resource: a.eniId }];
  }
  const tables = snapshotTables(snap, v) ?? (await describeTables(api, v, ctx));
  return tables.map((t) => ({
    vip,
    mode: v.mode,
    slot: t.routeTableId,
    holder: memberByEni(mirror, t.vipTarget),
    resource: t.vipTarget,
  }));
}

/** Shown as the resource of a configured route table that does not exist (its move then fails by name). */
export const MISSING_TABLE = '(route table not found)';

/**
 * All the VIP's route tables in one call. One stale id makes EC2 refuse the whole call, so on
 * InvalidRouteTableID.NotFound each table is read on its own: the others still move and the missing one is named.
 */
async function describeTables(api: Ec2Api, v: RouteVip, ctx: CallContext) {
  const q = { ids: v.routeTableIds, vpcId: v.vpcId, cidr: v.cidr };
  try {
    return await call(ctx, 'ec2:DescribeRouteTables', false, (s) => api.describeRouteTables(q, s));
  } catch (e: unknown) {
    if (apiCodeOf(e) !== 'InvalidRouteTableID.NotFound' || (v.routeTableIds?.length ?? 0) < 2) throw e;
  }
  const one = async (id: string) => {
    try {
      const found = await call(ctx, 'ec2:DescribeRouteTables', false, (s) =>
        api.describeRouteTables({ ...q, ids: [id] }, s),
      );
      return found[0] ?? { routeTableId: id, vipTarget: MISSING_TABLE, hasVipRoute: false };
    } catch (e: unknown) {
      if (apiCodeOf(e) !== 'InvalidRouteTableID.NotFound') throw e;
      return { routeTableId: id, vipTarget: MISSING_TABLE, hasVipRoute: false };
    }
  };
  return Promise.all((v.routeTableIds ?? []).map(one));
}

async function observeWarnings(api: Ec2Api, mirror: AwsMirrorConfig, ctx: CallContext, snap?: AwsSnapshot) {
  const warnings: Record<string, string[]> = {};
  if (!mirror.vips.some((v) => v.mode === 'route')) return warnings;
  const ids = mirror.members.map((m) => m.eniId);
  const enis =
    snapshotEnis(snap, ids) ??
    (await call(ctx, 'ec2:DescribeNetworkInterfaces', false, (s) => api.describeNetworkInterfaces(ids, s)));
  for (const eni of enis.filter((e) => e.sourceDestCheck)) {
    const member = memberByEni(mirror, eni.eniId) ?? eni.eniId;
    warnings[member] = [
      `source/dest check is on for ${eni.eniId} (${member}): traffic routed to the VIP would be dropped; turn it off`,
    ];
  }
  return warnings;
}

/** ReplaceRoute on a missing route: real EC2 answers InvalidParameterValue (getmoto/moto#6425, checked on AWS). */
const REPLACE_MISSING = ['InvalidParameterValue', 'InvalidRoute.NotFound'];

/** Point one route at the ENI; a route that vanished or appeared since the observation is handled either way. */
async function moveRoute(api: Ec2Api, ctx: CallContext, v: RouteVip, c: PlanChange, eniId: string) {
  const args = { routeTableId: c.slot, cidr: v.cidr, eniId };
  const replace = () => call(ctx, 'ec2:ReplaceRoute', true, (s) => api.replaceRoute(args, s));
  const create = () => call(ctx, 'ec2:CreateRoute', true, (s) => api.createRoute(args, s));
  const [first, fallback, code] =
    c.from === null ? [create, replace, ['RouteAlreadyExists']] : [replace, create, REPLACE_MISSING];
  try {
    await first();
  } catch (e: unknown) {
    if (!code.includes(apiCodeOf(e) ?? '')) throw e;
    await fallback();
  }
}

/** AWS moves: mode `route` (VIP/32 in route tables → ENI) and mode `eip` (Elastic IP → ENI); the preflight with `checks`. */
export function awsProvider(
  api: Ec2Api,
  checks?: { api: AwsCheckApi; options?: AwsCheckOptions },
): Provider<AwsMirrorConfig> {
  return {
    ...(checks ? { check: awsCheck(checks.api, checks.options) } : {}),
    async observe(mirror, ctx, options): Promise<Observation> {
      const snap = options?.snapshot as AwsSnapshot | undefined;
      const [bindings, memberWarnings] = await Promise.all([
        Promise.all(mirror.vips.map((v) => observeVip(api, mirror, v, ctx, snap))),
        options?.warnings === false ? {} : observeWarnings(api, mirror, ctx, snap),
      ]);
      return { bindings: bindings.flat(), memberWarnings };
    },
    snapshot: (mirrors, ctx) => awsSnapshot(api, mirrors, ctx),
    /** Every change at once; a failing slot (a table that is gone, a refused write) does not stop the others. */
    apply(mirror, changes, ctx) {
      return settleSlots(changes, (c) => {
        const v = mirror.vips.find((x) => vipLabel(x) === c.vip);
        const eniId = eniOf(mirror, c.to);
        if (v?.mode === 'route') return moveRoute(api, ctx, v, c, eniId);
        const args = { allocationId: c.slot, eniId };
        return call(ctx, 'ec2:AssociateAddress', true, (s) => api.associateAddress(args, s));
      });
    },
  };
}
