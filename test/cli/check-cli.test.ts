import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionGrants as awsGrants } from '../../local-cloud/aws/iam.ts';
import { EMULATOR_CREDENTIALS } from '../../local-cloud/aws/sdk-clients.ts';
import { ensureBundle, serveFunctionsFramework } from '../../local-cloud/bundles.ts';
import { functionGrants as gcpGrants } from '../../local-cloud/gcp/iam.ts';
import { MIRROR as SEED } from '../../local-cloud/gcp/seed.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, startAwsWorld, TOPIC_ARN } from '../../local-cloud/worlds/aws-world.ts';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import type { CheckReport } from '../../shared/core/check.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles } from '../support/operator-keys.ts';

// `mirror-vip check` against each cloud's bundled function on its emulator: exit 0 all pass, 1 some fail (with
// the fix), 4 could not run; --json prints the report.
const { operatorSecret, operatorKey } = operatorKeyFiles('check-cli');
const FUNCTION = 'mirror-vip';
let aws: AwsWorld;
let gcp: GcpWorld;
const urls: Record<'aws' | 'gcp', string> = { aws: '', gcp: '' };
const closers: (() => Promise<unknown>)[] = [];
const children: ChildProcess[] = [];

function withOperator(env: Record<string, string>): Record<string, string> {
  const config = JSON.parse(env.MIRROR_VIP_CONFIG as string) as Record<string, unknown>;
  return {
    ...env,
    MIRROR_VIP_CONFIG: JSON.stringify({
      ...config,
      operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }],
    }),
    MIRROR_VIP_OPERATOR_KEY: operatorSecret,
  };
}

beforeAll(async () => {
  const [awsBundle, gcpBundle] = [await ensureBundle('dist/aws/handler.mjs'), await ensureBundle('dist/gcp/index.mjs')];
  aws = await startAwsWorld();
  const s = aws.seeded;
  aws.emu.state.lambda.functions.set(FUNCTION, { reservedConcurrency: 1 });
  const grants = awsGrants(aws.emu.state, {
    routeTableIds: s.routeTableIds,
    allocationId: s.allocationId,
    eniIds: [s.members['iris-a'].networkInterfaceId, s.members['iris-b'].networkInterfaceId],
    topicArn: TOPIC_ARN,
    functionName: FUNCTION,
  });
  aws.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, grants);
  // the bundle as deployed reads its environment at import: the Lambda runtime sets AWS_LAMBDA_FUNCTION_NAME
  Object.assign(process.env, withOperator(aws.bundleEnv), { AWS_LAMBDA_FUNCTION_NAME: FUNCTION });
  const { handler } = (await import(awsBundle)) as { handler: Parameters<typeof serveFunctionUrl>[0] };
  const fn = await serveFunctionUrl(handler);
  urls.aws = fn.url.replace(/\/$/, '');
  closers.push(
    () => fn.close(),
    () => aws.close(),
  );
  gcp = await startGcpWorld();
  gcp.emu.state.iam.set(
    '',
    gcpGrants(gcp.emu.state, 'alias-ip', [
      [SEED.primary.zone, SEED.primary.name],
      [SEED.backup.zone, SEED.backup.name],
    ]),
  );
  const g = await serveFunctionsFramework(gcpBundle, 'mirrorVip', withOperator(gcp.env), [], (ch) => children.push(ch));
  urls.gcp = g.url.replace(/\/$/, '');
  closers.push(() => gcp.close());
}, 120_000);
afterAll(async () => {
  for (const c of children) c.kill();
  for (const c of closers) await c();
});

const check = (cloud: 'aws' | 'gcp', extra: string[] = []) =>
  runCli(['check', '--url', urls[cloud], '--key-id', 'ops-2026', '--key-file', operatorKey, ...extra], {});

describe('mirror-vip check through the deployed function', () => {
  it.each(['aws', 'gcp'] as const)('%s: all pass → exit 0; --json is the report, zero writes', async (cloud) => {
    const r = await check(cloud, ['--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report).toMatchObject({ ok: true, writes: 0 });
    expect(report.findings.length).toBeGreaterThan(4);
  });

  it('aws: a removed permission → exit 1, the table names the check and the fix; restored → 0', async () => {
    const saved = aws.emu.state.iam.get(EMULATOR_CREDENTIALS.accessKeyId) ?? [];
    aws.emu.state.iam.set(
      EMULATOR_CREDENTIALS.accessKeyId,
      saved.filter((x) => x.action !== 'ec2:AssociateAddress'),
    );
    const r = await check('aws');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL    IRISMIRROR  iris-b  aws.dryrun.AssociateAddress');
    expect(r.stdout).toMatch(/fix \(aws\.dryrun\.AssociateAddress eipalloc-\w+\): allow ec2:AssociateAddress on/);
    aws.emu.state.iam.set(EMULATOR_CREDENTIALS.accessKeyId, saved);
  });

  it('gcp: a read refused (subnetworks.get) → exit 4, could not run', async () => {
    const saved = gcp.emu.state.iam.get('') ?? [];
    gcp.emu.state.iam.set(
      '',
      saved.map((g) => ({ ...g, permissions: g.permissions.filter((p) => p !== 'compute.subnetworks.get') })),
    );
    const r = await check('gcp');
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('ERROR');
    expect(r.stdout).toContain('gcp.aliasRange');
    gcp.emu.state.iam.set('', saved);
  });

  it('an unknown mirror or no answer → exit 4; --help documents the exit codes', async () => {
    const args = ['--key-id', 'ops-2026', '--key-file', operatorKey];
    const [unknown, none, help] = await Promise.all([
      check('aws', ['--mirror', 'NOPE']),
      runCli(['check', '--url', 'http://127.0.0.1:9', ...args], {}),
      runCli(['check', '--help'], {}),
    ]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('unknown_mirror');
    expect(none.code).toBe(4);
    expect(help.stdout).toContain('0 every check passes, 1 some check fails');
  });
});
