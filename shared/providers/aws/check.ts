import type { AwsMirrorConfig, AwsVipConfig } from '../../config/schema.ts';
import { type CheckFinding, fail, pass } from '../../core/check.ts';
import { type CallContext, call } from '../../core/retry.ts';
import type { AwsCheckApi, EniFacts, TableFacts } from './check-client.ts';
import { dryRuns, eniFindings, guarded, tableFacts, tableFindings, vipOutside } from './check-parts.ts';

type RouteVip = Extract<AwsVipConfig, { mode: 'route' }>;

/** What the deploy promises (docs/protocol.md, terraform/aws/main.tf): one instance at a time. */
export const RESERVED_CONCURRENCY = 1;

export interface AwsCheckOptions {
  /** The function's own name (AWS_LAMBDA_FUNCTION_NAME); without it the reserved concurrency is not checked. */
  functionName?: string;
}

/** The Elastic IP exists and is a VPC address (AssociateAddress with an ENI needs domain vpc). */
async function eipFinding(api: AwsCheckApi, mirror: AwsMirrorConfig, allocationId: string, ctx: CallContext) {
  const w = { mirror: mirror.name, target: null, check: 'aws.eip', resource: allocationId };
  return guarded(w, async () => {
    const a = await call(ctx, 'ec2:DescribeAddresses', false, (s) => api.address(allocationId, s));
    if (!a) return [fail(w, 'EC2 answers InvalidAllocationID.NotFound', `allocate an Elastic IP and set allocationId`)];
    if (a.domain !== 'vpc')
      return [fail(w, `the address is in domain ${a.domain}`, 'use an Elastic IP allocated for use in a VPC')];
    return [pass(w, 'exists, domain vpc')];
  });
}

async function concurrencyFinding(api: AwsCheckApi, mirror: AwsMirrorConfig, name: string, ctx: CallContext) {
  const w = { mirror: mirror.name, target: null, check: 'aws.reservedConcurrency', resource: name };
  return guarded(w, async () => {
    const n = await call(ctx, 'lambda:GetFunctionConcurrency', false, (s) => api.reservedConcurrency(name, s));
    if (n === RESERVED_CONCURRENCY) return [pass(w, `reserved concurrency is ${n}: one move at a time`)];
    // none reserved is what the deploy files ship where the account quota forbids 1 (docs/deploy-aws.md): the probes
    // and the read-back keep several instances safe; 0 stops the function, more than 1 is not what the docs promise
    if (n === null) return [pass(w, 'no reserved concurrency (the default; several instances may run, still safe)')];
    return [
      fail(
        w,
        n === 0
          ? 'reserved concurrency is 0: the function is throttled, no move can run'
          : `reserved concurrency is ${n}`,
        `aws lambda put-function-concurrency --function-name ${name} --reserved-concurrent-executions ${RESERVED_CONCURRENCY}, or delete-function-concurrency (terraform/aws reserved_concurrency)`,
      ),
    ];
  });
}

async function keyFindings(api: AwsCheckApi, mirror: AwsMirrorConfig, ctx: CallContext) {
  const ssmKeys = mirror.keys.filter((k) => k.secret.startsWith('ssm:'));
  return Promise.all(
    ssmKeys.map((k) => {
      const name = k.secret.slice(4);
      const w = { mirror: mirror.name, target: k.member, check: 'aws.keyParameter', resource: name };
      return guarded(w, async () => {
        try {
          await call(ctx, 'ssm:GetParameter', false, (s) => api.readParameter(name, s));
          return [pass(w, `key ${k.id} is readable and decrypts`)];
        } catch (e: unknown) {
          const why = e instanceof Error ? e.message : String(e);
          return [
            fail(
              w,
              `key ${k.id} is not readable: ${why}`,
              `allow ssm:GetParameter on ${name} (and kms:Decrypt on its key) to the function's role`,
            ),
          ];
        }
      });
    }),
  ).then((x) => x.flat());
}

/** The AWS preflight of one mirror: reads and DryRuns only (zero writes). */
export function awsCheck(api: AwsCheckApi, opts: AwsCheckOptions = {}) {
  return async (mirror: AwsMirrorConfig, ctx: CallContext): Promise<CheckFinding[]> => {
    const routes = mirror.vips.filter((v): v is RouteVip => v.mode === 'route');
    const enis: (EniFacts | null)[] = await Promise.all(
      mirror.members.map((m) => call(ctx, 'ec2:DescribeNetworkInterfaces', false, (s) => api.eni(m.eniId, s))),
    );
    const vpcs = new Set(enis.flatMap((e) => (e ? [e.vpcId] : [])));
    const facts = await Promise.all(routes.map((v) => tableFacts(api, v, ctx)));
    const tables = new Map(
      routes.map((v, i) => [
        v,
        (facts[i] ?? []).flatMap((t) => ('missing' in t ? [] : [(t as TableFacts).routeTableId])),
      ]),
    );
    const found = await Promise.all([
      ...mirror.members.map((m) => dryRuns(api, mirror, tables, m, ctx)),
      ...routes.flatMap((v) => [...vpcs].map((vpcId) => vipOutside(api, mirror, v, vpcId, ctx))),
      ...mirror.vips.flatMap((v) => (v.mode === 'eip' ? [eipFinding(api, mirror, v.allocationId, ctx)] : [])),
      ...(opts.functionName ? [concurrencyFinding(api, mirror, opts.functionName, ctx)] : []),
      keyFindings(api, mirror, ctx),
    ]);
    return [
      ...eniFindings(mirror, enis, routes.length > 0),
      ...routes.flatMap((v, i) => tableFindings(mirror, v, facts[i] ?? [], vpcs)),
      ...found.flat(),
    ];
  };
}
