import { afterEach, describe, expect, it } from 'vitest';
import { createAwsHandler } from '../../functions/aws/app.ts';
import { awsProviders } from '../../functions/aws/aws-runtime.ts';
import { functionGrants, type Grant } from '../../local-cloud/aws/iam.ts';
import { EMULATOR_CREDENTIALS } from '../../local-cloud/aws/sdk-clients.ts';
import { type AwsWorld, startAwsWorld, TOPIC_ARN } from '../../local-cloud/worlds/aws-world.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { CallLog } from '../../shared/core/calls.ts';
import { CHECK_FAILED_MSG, type CheckFinding, runChecks } from '../../shared/core/check.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

// The AWS preflight through the real SDKs against the EC2 emulator, under the function role's policy
// (local-cloud/aws/iam.ts): each world breaks one thing, the check names it with its fix and writes nothing,
// and the same world fixed passes.
let world: AwsWorld | undefined;
afterEach(async () => world?.close());

const FUNCTION = 'mirror-vip';

async function setUp() {
  const w = await startAwsWorld();
  const s = w.seeded;
  const grants = functionGrants(w.emu.state, {
    routeTableIds: s.routeTableIds,
    allocationId: s.allocationId,
    eniIds: [s.members['iris-a'].networkInterfaceId, s.members['iris-b'].networkInterfaceId],
    topicArn: TOPIC_ARN,
    functionName: FUNCTION,
  });
  w.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, grants);
  w.emu.state.lambda.functions.set(FUNCTION, { reservedConcurrency: 1 });
  world = w;
  return { w, grants };
}

/** The preflight as the deployed function runs it; the emulator's own log must show no write either. */
async function check(w: AwsWorld) {
  const config = loadConfig({ MIRROR_VIP_CONFIG: JSON.stringify(w.config) });
  const before = structuredClone(w.emu.state.routeTables);
  const log = new CallLog();
  const report = await runChecks(config, awsProviders({ AWS_LAMBDA_FUNCTION_NAME: FUNCTION }), { log });
  expect(report.writes).toBe(0);
  expect(w.emu.calls.filter((c) => c.write)).toEqual([]);
  expect(w.emu.state.routeTables).toEqual(before);
  return report;
}

const only = (r: { findings: CheckFinding[] }, check: string) => r.findings.filter((f) => f.check === check);
const failing = (r: { findings: CheckFinding[] }) => r.findings.filter((f) => f.status !== 'pass');
const without = (grants: Grant[], action: string) => grants.filter((g) => g.action !== action);

describe('AWS preflight', () => {
  it('a healthy account: every check passes, each write dry-run to each member, zero writes', async () => {
    const { w } = await setUp();
    const r = await check(w);
    expect(failing(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const ids = new Set(r.findings.map((f) => f.check));
    expect([...ids].sort()).toEqual([
      'aws.dryrun.AssociateAddress',
      'aws.dryrun.CreateRoute',
      'aws.dryrun.ReplaceRoute',
      'aws.eip',
      'aws.keyParameter',
      'aws.reservedConcurrency',
      'aws.routeTable',
      'aws.sourceDestCheck',
      'aws.vipOutsideVpc',
    ]);
    // 2 tables x 2 members x (ReplaceRoute + CreateRoute), and the EIP to each member
    expect(only(r, 'aws.dryrun.ReplaceRoute')).toHaveLength(4);
    expect(only(r, 'aws.dryrun.AssociateAddress').map((f) => f.target)).toEqual(['iris-a', 'iris-b']);
    expect(w.emu.calls.filter((c) => c.params.DryRun === 'true').map((c) => c.errorCode)).toEqual(
      Array(10).fill('DryRunOperation'),
    );
  });

  it('ec2:ReplaceRoute removed: the check names every table and the grant; a real move is refused the same way', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, without(grants, 'ec2:ReplaceRoute'));
    const r = await check(w);
    const bad = failing(r);
    expect(bad.map((f) => [f.check, f.resource, f.target])).toEqual(
      ['iris-a', 'iris-b'].flatMap((m) => w.seeded.routeTableIds.map((t) => ['aws.dryrun.ReplaceRoute', t, m])),
    );
    expect(bad[0]?.reason).toContain('UnauthorizedOperation');
    expect(bad[0]?.fix).toMatch(/^allow ec2:ReplaceRoute on arn:aws:ec2:us-east-1:\*:route-table\/rtb-/);
    // the same identity's failover: EC2 refuses the write with UnauthorizedOperation
    w.members.set('iris-a', 'down');
    w.members.set('iris-b', 'primary');
    const out = (await w.handler(w.signedRequest('iris-b'))) as { body: string };
    const result = JSON.parse(out.body) as FailoverResult;
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toContain('UnauthorizedOperation');
    expect(w.routeHolders()).toEqual(['iris-a', 'iris-a']);
  });

  it('ec2:AssociateAddress removed: the EIP dry-run fails for each member; restored, it passes', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, without(grants, 'ec2:AssociateAddress'));
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.resource])).toEqual([
      ['aws.dryrun.AssociateAddress', w.seeded.allocationId],
      ['aws.dryrun.AssociateAddress', w.seeded.allocationId],
    ]);
    expect(bad[0]?.fix).toContain(`elastic-ip/${w.seeded.allocationId}`);
    w.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, grants);
    expect((await check(w)).ok).toBe(true);
  });

  it('source/dest check on at one member: that member fails with the command to turn it off; off again, passes', async () => {
    const { w } = await setUp();
    const eni = w.emu.state.networkInterfaces.get(w.seeded.members['iris-b'].networkInterfaceId);
    if (eni) eni.sourceDestCheck = true;
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.target])).toEqual([['aws.sourceDestCheck', 'iris-b']]);
    expect(bad[0]?.fix).toContain('--no-source-dest-check');
    if (eni) eni.sourceDestCheck = false;
    expect((await check(w)).ok).toBe(true);
  });

  it('the VIP inside a secondary VPC block (IPv6 block listed too): named; EC2 also refuses that route', async () => {
    const { w } = await setUp();
    const vpc = w.emu.state.vpcs.get(w.seeded.vpcId);
    if (vpc) {
      vpc.secondaryCidrBlocks = ['10.109.11.0/24'];
      vpc.ipv6CidrBlocks = ['2600:1f18:abcd:1200::/56'];
    }
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.resource])).toEqual([['aws.vipOutsideVpc', w.seeded.vpcId]]);
    expect(bad[0]?.reason).toContain('inside 10.109.11.0/24');
    expect(bad[0]?.fix).toContain('2600:1f18:abcd:1200::/56');
    // the move itself: a table without the route needs CreateRoute, which EC2 refuses inside the VPC's blocks
    const table = w.emu.state.routeTables.get(w.seeded.routeTableIds[0] ?? '');
    if (table) table.routes = table.routes.filter((x) => x.destinationCidrBlock !== w.seeded.vipCidr);
    w.members.set('iris-a', 'down');
    w.members.set('iris-b', 'primary');
    const out = JSON.parse(((await w.handler(w.signedRequest('iris-b'))) as { body: string }).body) as FailoverResult;
    expect(out.error?.message).toMatch(/more specific than one of this VPC's CIDR blocks/);
    if (vpc) vpc.secondaryCidrBlocks = [];
    w.emu.reset();
    expect(only(await check(w), 'aws.vipOutsideVpc').map((f) => f.status)).toEqual(['pass']);
  });

  it('a route table gone and one in another VPC: each named; the Elastic IP released: named', async () => {
    const { w } = await setUp();
    const [t1, t2] = w.seeded.routeTableIds;
    w.emu.state.routeTables.delete(t1 ?? '');
    const other = w.emu.state.routeTables.get(t2 ?? '');
    if (other) other.vpcId = 'vpc-0aaaaaaaaaaaaaaaa';
    w.emu.state.addresses.delete(w.seeded.allocationId);
    const bad = failing(await check(w)).filter((f) => !f.check.startsWith('aws.dryrun'));
    expect(bad.map((f) => [f.check, f.resource, f.status])).toEqual([
      ['aws.routeTable', t1, 'fail'],
      ['aws.routeTable', t2, 'fail'],
      ['aws.eip', w.seeded.allocationId, 'fail'],
    ]);
    expect(bad[0]?.reason).toContain('InvalidRouteTableID.NotFound');
    expect(bad[1]?.reason).toContain('vpc-0aaaaaaaaaaaaaaaa');
  });

  it('reserved concurrency 0 or above 1: named with the command; 1 or none (the default, docs/deploy-aws.md): passes', async () => {
    const { w } = await setUp();
    w.emu.state.lambda.functions.set(FUNCTION, { reservedConcurrency: 0 });
    let bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.resource])).toEqual([['aws.reservedConcurrency', FUNCTION]]);
    expect(bad[0]?.fix).toContain('--reserved-concurrent-executions 1');
    w.emu.state.lambda.functions.set(FUNCTION, { reservedConcurrency: 5 });
    bad = failing(await check(w));
    expect(bad[0]?.reason).toBe('reserved concurrency is 5');
    w.emu.state.lambda.functions.set(FUNCTION, {});
    expect(failing(await check(w))).toEqual([]);
  });

  it('ssm:GetParameter removed: the key parameter is named unreadable (a refused read is a finding, not a crash)', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, without(grants, 'ssm:GetParameter'));
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.resource, f.target])).toEqual([
      ['aws.keyParameter', '/mirror-vip/IRISMIRROR/iris-b-k1', 'iris-b'],
    ]);
    expect(bad[0]?.reason).toContain('AccessDeniedException');
  });

  it('the scheduled check failing publishes to the SNS topic and writes the one line the metric filter counts', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, without(grants, 'ec2:CreateRoute'));
    const lines: Record<string, unknown>[] = [];
    const handler = await createAwsHandler(
      { ...w.env, AWS_LAMBDA_FUNCTION_NAME: FUNCTION },
      { log: (l) => lines.push(l) },
    );
    const out = (await handler({ mirrorVip: 'check' })) as { check: { ok: boolean } };
    expect(out.check.ok).toBe(false);
    expect(lines.filter((l) => l.msg === CHECK_FAILED_MSG)).toEqual([
      expect.objectContaining({ level: 'error', trigger: 'schedule', fail: 4, error: 0, writes: 0 }),
    ]);
    const sent = w.emu.state.sns.published;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.topicArn).toBe(TOPIC_ARN);
    expect(sent[0]?.message).toContain('fix: allow ec2:CreateRoute on arn:aws:ec2:us-east-1:*:route-table/');
    // the cold-start run happens on the first scheduled reconcile of an instance, once
    const fresh = await createAwsHandler(
      { ...w.env, AWS_LAMBDA_FUNCTION_NAME: FUNCTION },
      { log: (l) => lines.push(l) },
    );
    const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
    await fresh(tick);
    await fresh(tick);
    expect(lines.filter((l) => l.msg === CHECK_FAILED_MSG && l.trigger === 'cold-start')).toHaveLength(1);
    expect(w.emu.state.sns.published).toHaveLength(2);
  });
});
