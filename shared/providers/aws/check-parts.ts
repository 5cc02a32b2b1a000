import type { AwsMirrorConfig, AwsVipConfig } from '../../config/schema.ts';
import { type CheckFinding, errored, fail, pass } from '../../core/check.ts';
import { type CallContext, call } from '../../core/retry.ts';
import type { AwsCheckApi, DryRunWrite, EniFacts, TableFacts } from './check-client.ts';

type RouteVip = Extract<AwsVipConfig, { mode: 'route' }>;
type Member = AwsMirrorConfig['members'][number];
const ROLE = "the function's role (terraform/aws/iam.tf)";

/** Runs one check; a read that fails becomes an 'error' finding instead of stopping the others. */
export async function guarded(w: Omit<CheckFinding, 'status' | 'reason'>, run: () => Promise<CheckFinding[]>) {
  try {
    return await run();
  } catch (e: unknown) {
    return [errored(w, e)];
  }
}

const ipv4ToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
/** Whether IPv4 CIDR `inner` lies inside IPv4 CIDR `outer` (an IPv6 block never holds an IPv4 VIP). */
export function cidrInside(inner: string, outer: string): boolean {
  const [a, ap] = inner.split('/');
  const [b, bp] = outer.split('/');
  if (!a || !b || b.includes(':') || a.includes(':')) return false;
  const size = (p: string | undefined) => 2 ** (32 - Number(p ?? 32));
  const start = (ip: string, p: string | undefined) => ipv4ToInt(ip) - (ipv4ToInt(ip) % size(p));
  const s = start(a, ap);
  const o = start(b, bp);
  return Number(ap) >= Number(bp) && s >= o && s + size(ap) <= o + size(bp);
}

/** Every write a move to `m` would make, each with DryRun: DryRunOperation = allowed. */
export async function dryRuns(
  api: AwsCheckApi,
  mirror: AwsMirrorConfig,
  tables: Map<RouteVip, string[]>,
  m: Member,
  ctx: CallContext,
) {
  const jobs: { op: DryRunWrite; target: string; cidr?: string; kind: string }[] = [];
  for (const v of mirror.vips) {
    if (v.mode === 'eip') jobs.push({ op: 'AssociateAddress', target: v.allocationId, kind: 'elastic-ip' });
    else
      for (const id of tables.get(v) ?? [])
        for (const op of ['ReplaceRoute', 'CreateRoute'] as const)
          jobs.push({ op, target: id, cidr: v.cidr, kind: 'route-table' });
  }
  return Promise.all(
    jobs.map(async (j) => {
      const w = { mirror: mirror.name, target: m.name, check: `aws.dryrun.${j.op}`, resource: j.target };
      return guarded(w, async () => {
        const a = await call(ctx, `ec2:${j.op}(DryRun)`, false, (s) =>
          api.dryRun(j.op, { target: j.target, cidr: j.cidr, eniId: m.eniId }, s),
        );
        if (a.allowed) return [pass(w, `DryRun ${j.op} to ${m.eniId} answered DryRunOperation (allowed)`)];
        const arn = `arn:aws:ec2:${mirror.region}:*:${j.kind}/${j.target}`;
        const extra =
          j.op === 'AssociateAddress' ? ` and arn:aws:ec2:${mirror.region}:*:network-interface/${m.eniId}` : '';
        return [
          fail(
            w,
            `DryRun ${j.op} to ${m.eniId} answered UnauthorizedOperation: ${a.message.slice(0, 300)}`,
            `allow ec2:${j.op} on ${arn}${extra} to ${ROLE}`,
          ),
        ];
      });
    }),
  ).then((x) => x.flat());
}

/** Each configured route table (or each table of the VPC holding the VIP route) exists and is in the members' VPC. */
export async function tableFacts(
  api: AwsCheckApi,
  v: RouteVip,
  ctx: CallContext,
): Promise<(TableFacts | { missing: string })[]> {
  if (v.vpcId)
    return call(ctx, 'ec2:DescribeRouteTables', false, (s) => api.tables({ vpcId: v.vpcId, cidr: v.cidr }, s));
  return Promise.all(
    (v.routeTableIds ?? []).map(async (id) => {
      const [t] = await call(ctx, 'ec2:DescribeRouteTables', false, (s) => api.tables({ id, cidr: v.cidr }, s));
      return t ?? { missing: id };
    }),
  );
}

export function tableFindings(
  mirror: AwsMirrorConfig,
  v: RouteVip,
  facts: (TableFacts | { missing: string })[],
  vpcs: Set<string>,
) {
  const where = (resource: string) => ({ mirror: mirror.name, target: null, check: 'aws.routeTable', resource });
  if (facts.length === 0)
    return [
      fail(
        where(v.vpcId ?? v.cidr),
        `no route table of ${v.vpcId} holds a route for ${v.cidr}: the move would find nothing to repoint`,
        `create the ${v.cidr} route in the members' route tables, or list them in routeTableIds`,
      ),
    ];
  return facts.map((t) => {
    if ('missing' in t)
      return fail(
        where(t.missing),
        'EC2 answers InvalidRouteTableID.NotFound',
        `remove ${t.missing} from routeTableIds or recreate it`,
      );
    if (!vpcs.has(t.vpcId))
      return fail(
        where(t.routeTableId),
        `the table is in ${t.vpcId}, the members in ${[...vpcs].join(', ')}`,
        `list route tables of ${[...vpcs].join(', ')} only`,
      );
    return pass(
      where(t.routeTableId),
      `exists in ${t.vpcId}${t.hasRoute ? `, holds ${v.cidr}` : `; the move creates ${v.cidr}`}`,
    );
  });
}

/** The VIP lies outside every CIDR block of the VPC (else EC2 refuses a route that does not match a whole subnet). */
export async function vipOutside(
  api: AwsCheckApi,
  mirror: AwsMirrorConfig,
  v: RouteVip,
  vpcId: string,
  ctx: CallContext,
) {
  const w = { mirror: mirror.name, target: null, check: 'aws.vipOutsideVpc', resource: vpcId };
  return guarded(w, async () => {
    const vpc = await call(ctx, 'ec2:DescribeVpcs', false, (s) => api.vpc(vpcId, s));
    const inside = vpc.ipv4.filter((b) => cidrInside(v.cidr, b));
    const blocks = [...vpc.ipv4, ...vpc.ipv6].join(', ');
    if (inside.length === 0) return [pass(w, `${v.cidr} is outside every block of ${vpcId} (${blocks})`)];
    return [
      fail(
        w,
        `${v.cidr} lies inside ${inside.join(', ')} of ${vpcId}: EC2 refuses a route more specific than the local route unless it matches a whole subnet`,
        `choose a VIP outside ${blocks} (or disassociate the block that holds it)`,
      ),
    ];
  });
}

export function eniFindings(mirror: AwsMirrorConfig, enis: (EniFacts | null)[], routeMode: boolean): CheckFinding[] {
  return mirror.members.flatMap((m, i) => {
    const e = enis[i];
    const w = { mirror: mirror.name, target: m.name, check: 'aws.sourceDestCheck', resource: m.eniId };
    if (!e)
      return [
        fail(
          { ...w, check: 'aws.eni' },
          'EC2 answers InvalidNetworkInterfaceID.NotFound',
          `set eniId of ${m.name} to its ENI`,
        ),
      ];
    if (!routeMode) return [];
    return e.sourceDestCheck
      ? [
          fail(
            w,
            'source/destination check is on: the ENI drops packets addressed to the VIP',
            `aws ec2 modify-network-interface-attribute --network-interface-id ${m.eniId} --no-source-dest-check`,
          ),
        ]
      : [pass(w, 'source/destination check is off')];
  });
}
