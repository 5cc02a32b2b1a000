import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { CHECK_FAILED_MSG } from '../../shared/core/check.ts';
import { CHECK_ACTIONS } from '../../shared/providers/aws/check-client.ts';
import { EC2_ACTIONS } from '../../shared/providers/aws/ec2-client.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const osls = join(root, 'node_modules/osls/bin/serverless.js');
const bundle = 'dist/aws/handler.mjs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: Json;
  Condition?: Record<string, Record<string, Json>>;
}
interface CfnResource {
  Type: string;
  Properties: Record<string, Json>;
}
interface Template {
  Resources: Record<string, CfnResource>;
}
interface DeployParams {
  accountId: string;
  region: string;
  configFile: string;
  outcomeTopicArn: string;
  ssmParameterPrefix: string;
}
interface Packaged {
  template: Template;
  zip: Buffer;
}

const exampleParams = JSON.parse(readFileSync(join(root, 'deploy/aws.example.json'), 'utf8')) as DeployParams;
const exampleConfig = parseConfig(readFileSync(join(root, exampleParams.configFile), 'utf8'), 'example config');
const mirror = exampleConfig.mirrors[0];
if (mirror?.cloud !== 'aws') throw new Error('the example configuration has no AWS mirror');
if (!mirror) throw new Error('the example configuration has no mirror');
const arn = (resource: string) => `arn:aws:ec2:${exampleParams.region}:${exampleParams.accountId}:${resource}`;

const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const actionsOf = (s: Statement) => list(s.Action) as string[];
const ofType = (t: Template, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);

function roleStatements(t: Template): Statement[] {
  const role = t.Resources.IamRoleLambdaExecution;
  const policies = (role?.Properties.Policies ?? []) as unknown as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

function statementsWith(t: Template, action: string): Statement[] {
  return roleStatements(t).filter((s) => s.Effect === 'Allow' && actionsOf(s).includes(action));
}

function functionProps(t: Template): Record<string, Json> {
  const fns = ofType(t, 'AWS::Lambda::Function');
  expect(fns).toHaveLength(1);
  return fns[0]?.Properties ?? {};
}

function inlineConfig(t: Template): Config {
  const env = functionProps(t).Environment as { Variables: Record<string, string> };
  return parseConfig(env.Variables.MIRROR_VIP_CONFIG ?? '', 'MIRROR_VIP_CONFIG');
}

/** Entries in a zip, read from its end-of-central-directory record. */
function zipEntryCount(zip: Buffer): number {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  return zip.readUInt16LE(eocd + 10);
}

/** A throwaway service directory: osls writes nothing into the repository. */
function serviceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-sls-'));
  cpSync(join(root, 'serverless.yml'), join(dir, 'serverless.yml'));
  cpSync(join(root, 'deploy'), join(dir, 'deploy'), { recursive: true });
  mkdirSync(join(dir, 'dist/aws'), { recursive: true });
  cpSync(join(root, bundle), join(dir, bundle));
  return dir;
}

async function ensureBundle(): Promise<void> {
  if (existsSync(join(root, bundle))) return;
  await run('npm', ['run', 'build'], { cwd: root, timeout: 120_000 }).catch(() => undefined);
  if (!existsSync(join(root, bundle))) throw new Error(`${bundle} is missing and "npm run build" did not make it`);
}

interface Run {
  dir: string;
  deployFile?: string;
}

/** Packages one service copy; a failure carries osls's own output so the reason is readable. */
async function oslsPackage({ dir, deployFile }: Run): Promise<Packaged> {
  const out = join(dir, '.out');
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  delete env.MIRROR_VIP_DEPLOY_FILE;
  if (deployFile) env.MIRROR_VIP_DEPLOY_FILE = deployFile;
  const args = [osls, 'package', '--stage', 'test', '--package', out];
  try {
    await run(process.execPath, args, { cwd: dir, env, timeout: 120_000 });
  } catch (e: unknown) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`osls package failed (${deployFile ?? 'example'}):\n${stdout}\n${stderr}`, { cause: e });
  }
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { template: template as Template, zip: readFileSync(join(out, 'mirror-vip.zip')) };
}

/** A service copy for a second stack: VIP found by VPC or a bad id, keys outside SSM, AWS_IAM URL, no VPC/topic. */
function variantCopy(name: string, routeVip: Json): Run {
  const dir = serviceCopy();
  const config = structuredClone(exampleConfig) as unknown as { mirrors: Record<string, Json>[] };
  const m = config.mirrors[0] as Record<string, Json>;
  m.vips = [routeVip];
  m.keys = [
    { id: 'iris-a-env', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_A' },
    { id: 'iris-b-file', member: 'iris-b', secret: 'file:/opt/mirror-vip/iris-b.key' },
  ];
  writeFileSync(join(dir, `deploy/${name}.config.json`), JSON.stringify(config));
  const { outcomeTopicArn: _drop, ...params } = exampleParams as DeployParams & { vpc?: Json };
  delete params.vpc;
  const variant = { ...params, configFile: `deploy/${name}.config.json`, urlAuthType: 'AWS_IAM' };
  writeFileSync(join(dir, `deploy/${name}.json`), JSON.stringify(variant));
  return { dir, deployFile: `deploy/${name}.json` };
}

/** The provider's narrow EC2 interface is the source of truth for what the role may do. */
const WRITE_ACTIONS = [...EC2_ACTIONS.filter((a) => !a.startsWith('ec2:Describe')), 'sns:Publish'];
const READ_ACTIONS: string[] = [...EC2_ACTIONS, ...CHECK_ACTIONS].filter((a) => a.startsWith('ec2:Describe'));
const SECRET_ACTIONS = ['ssm:GetParameter', 'kms:Decrypt'];
/** Added by the framework for the function's own log group. */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource', 'logs:PutLogEvents'];

describe('serverless.yml packaged offline with osls', () => {
  const runs: Run[] = [];
  let example: Packaged;
  let variant: Packaged;
  let rejected: unknown;

  beforeAll(async () => {
    await ensureBundle();
    const vpcVip = { mode: 'route', cidr: '10.109.11.254/32', vpcId: 'vpc-0a1b2c3d4e5f60f51' };
    const wildcardVip = { mode: 'route', cidr: '10.109.11.254/32', routeTableIds: ['rtb-*'] };
    runs.push({ dir: serviceCopy() }, variantCopy('variant', vpcVip), variantCopy('wildcard', wildcardVip));
    const [a, b, c] = runs as [Run, Run, Run];
    [example, variant, rejected] = await Promise.all([
      oslsPackage(a),
      oslsPackage(b),
      oslsPackage(c).then(
        () => undefined,
        (e: unknown) => e,
      ),
    ]);
  }, 180_000);

  afterAll(() => {
    for (const r of runs) rmSync(r.dir, { recursive: true, force: true });
  });

  describe('the function', () => {
    it('runs nodejs22.x on arm64 with 256 MB and 30 s, from the bundle alone', () => {
      const fn = functionProps(example.template);
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.MemorySize).toBe(256);
      expect(fn.Timeout).toBe(30);
      // one writer per mirror, by the platform
      expect(fn.ReservedConcurrentExecutions).toBe(1);
      expect(fn.Handler).toBe('dist/aws/handler.handler');
      expect(zipEntryCount(example.zip)).toBe(1);
      expect(example.zip.includes(Buffer.from(bundle))).toBe(true);
    });

    it('carries the example configuration inline, valid for the function, with the outcome topic merged in', () => {
      const config = inlineConfig(example.template);
      expect(config.mirrors).toEqual(exampleConfig.mirrors);
      expect(config.notify?.topicArn).toBe(exampleParams.outcomeTopicArn);
      expect(inlineConfig(variant.template).notify).toBeUndefined();
    });

    it('runs in the configured subnets so the health probe reaches the members', () => {
      expect(functionProps(example.template).VpcConfig).toEqual({
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60c41'],
        SubnetIds: ['subnet-0a1b2c3d4e5f60a31', 'subnet-0a1b2c3d4e5f60b32'],
      });
      expect(functionProps(variant.template).VpcConfig).toBeUndefined();
    });
  });

  describe('the role holds only the calls the function makes', () => {
    it('has no wildcard action and no action outside the list', () => {
      for (const t of [example.template, variant.template]) {
        for (const s of roleStatements(t).filter((x) => x.Effect === 'Allow')) {
          for (const a of actionsOf(s)) {
            expect(a).not.toMatch(/\*/);
            expect([
              ...WRITE_ACTIONS,
              ...READ_ACTIONS,
              ...SECRET_ACTIONS,
              ...LOG_ACTIONS,
              ...CHECK_ACTIONS,
              'sqs:SendMessage',
            ]).toContain(a);
          }
        }
      }
    });

    it('puts "*" only on the Describe calls, pinned to the region', () => {
      for (const s of roleStatements(example.template).filter((x) => x.Effect === 'Allow')) {
        if (!list(s.Resource).includes('*')) continue;
        expect(actionsOf(s).every((a) => READ_ACTIONS.includes(a))).toBe(true);
        expect(s.Condition?.StringEquals?.['aws:RequestedRegion']).toEqual([exampleParams.region]);
      }
    });

    it('lets the framework log only to the function log group', () => {
      const logs = roleStatements(example.template).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      for (const s of logs) {
        for (const r of list(s.Resource)) expect(JSON.stringify(r)).toContain(':log-group:/aws/lambda/mirror-vip-test');
      }
    });

    it('moves routes only in the configured route tables', () => {
      const [vip] = mirror.vips.filter((v) => v.mode === 'route');
      const expected = (vip?.mode === 'route' ? (vip.routeTableIds ?? []) : []).map((id) => arn(`route-table/${id}`));
      expect(expected.length).toBeGreaterThan(0);
      for (const action of ['ec2:CreateRoute', 'ec2:ReplaceRoute']) {
        const found = statementsWith(example.template, action);
        expect(found).toHaveLength(1);
        expect(list(found[0]?.Resource).sort()).toEqual(expected.sort());
        expect(found[0]?.Condition).toBeUndefined();
      }
    });

    it('moves routes by VPC only under an ec2:Vpc condition when the VIP names a VPC', () => {
      const [s, ...more] = statementsWith(variant.template, 'ec2:ReplaceRoute');
      expect(more).toHaveLength(0);
      expect(list(s?.Resource)).toEqual([arn('route-table/*')]);
      expect(s?.Condition).toEqual({ ArnEquals: { 'ec2:Vpc': [arn('vpc/vpc-0a1b2c3d4e5f60f51')] } });
      expect(actionsOf(s as Statement).sort()).toEqual(['ec2:CreateRoute', 'ec2:ReplaceRoute']);
    });

    it('associates only the Elastic IP, and only with member ENIs', () => {
      const eip = mirror.vips.find((v) => v.mode === 'eip');
      const expected = [
        arn(`elastic-ip/${eip?.mode === 'eip' ? eip.allocationId : 'none'}`),
        ...mirror.members.map((m) => arn(`network-interface/${m.eniId}`)),
      ];
      const found = statementsWith(example.template, 'ec2:AssociateAddress');
      expect(found).toHaveLength(1);
      expect(list(found[0]?.Resource).sort()).toEqual(expected.sort());
      expect(statementsWith(variant.template, 'ec2:AssociateAddress')).toHaveLength(0);
    });

    it('publishes only to the outcome topic, and not at all without one', () => {
      const found = statementsWith(example.template, 'sns:Publish');
      expect(found).toHaveLength(1);
      expect(list(found[0]?.Resource)).toEqual([exampleParams.outcomeTopicArn]);
      expect(statementsWith(variant.template, 'sns:Publish')).toHaveLength(0);
    });

    it('reads only the key parameters under the prefix, decrypting through SSM only', () => {
      const prefix = exampleParams.ssmParameterPrefix;
      const paramArn = `arn:aws:ssm:${exampleParams.region}:${exampleParams.accountId}:parameter${prefix}*`;
      for (const k of mirror.keys) expect(k.secret.startsWith(`ssm:${prefix}`)).toBe(true);
      const [read, ...more] = statementsWith(example.template, 'ssm:GetParameter');
      expect(more).toHaveLength(0);
      expect(list(read?.Resource)).toEqual([paramArn]);
      const [decrypt] = statementsWith(example.template, 'kms:Decrypt');
      expect(decrypt?.Condition?.StringEquals?.['kms:ViaService']).toBe(`ssm.${exampleParams.region}.amazonaws.com`);
      expect(decrypt?.Condition?.StringLike?.['kms:EncryptionContext:PARAMETER_ARN']).toBe(paramArn);
      expect(statementsWith(variant.template, 'ssm:GetParameter')).toHaveLength(0);
      expect(statementsWith(variant.template, 'kms:Decrypt')).toHaveLength(0);
    });

    it('denies the function code the ENI writes that the VPC managed policy grants Lambda', () => {
      const role = example.template.Resources.IamRoleLambdaExecution;
      expect(JSON.stringify(role?.Properties.ManagedPolicyArns)).toContain('AWSLambdaVPCAccessExecutionRole');
      const deny = roleStatements(example.template).find((s) => s.Effect === 'Deny');
      expect(actionsOf(deny as Statement)).toEqual(
        expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:AssignPrivateIpAddresses']),
      );
      const fnArn = `arn:aws:lambda:${exampleParams.region}:${exampleParams.accountId}:function:mirror-vip-test-vip`;
      expect(deny?.Condition).toEqual({ ArnEquals: { 'lambda:SourceFunctionArn': fnArn } });
      expect(functionProps(example.template).FunctionName).toBe('mirror-vip-test-vip');
      expect(variant.template.Resources.IamRoleLambdaExecution?.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('refuses to package a wildcard route table id', () => {
      expect(rejected).toBeInstanceOf(Error);
      expect(String(rejected)).toMatch(/rtb-\*.*is not a valid rtb/);
    });
  });

  describe('the triggers', () => {
    it('exposes a function URL with AuthType NONE and the public invoke permissions it needs', () => {
      const [url] = ofType(example.template, 'AWS::Lambda::Url');
      expect(url?.Properties.AuthType).toBe('NONE');
      const perms = ofType(example.template, 'AWS::Lambda::Permission').map((p) => p.Properties);
      expect(perms).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*' }));
      expect(perms).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*' }));
      expect(
        perms
          .filter((p) => p.Principal === '*')
          .every((p) => p.FunctionUrlAuthType === 'NONE' || p.InvokedViaFunctionUrl === true),
      ).toBe(true);
    });

    it('switches the URL to AWS_IAM without any public permission', () => {
      const [url] = ofType(variant.template, 'AWS::Lambda::Url');
      expect(url?.Properties.AuthType).toBe('AWS_IAM');
      const perms = ofType(variant.template, 'AWS::Lambda::Permission').map((p) => p.Properties);
      expect(perms.filter((p) => p.Principal === '*')).toHaveLength(0);
    });

    it('subscribes the function to the alarm topic', () => {
      expect(ofType(example.template, 'AWS::SNS::Topic')).toHaveLength(1);
      const [sub] = ofType(example.template, 'AWS::SNS::Subscription');
      expect(sub?.Properties).toMatchObject({ Protocol: 'lambda', TopicArn: { Ref: 'AlarmTopic' } });
      expect(sub?.Properties.Endpoint).toEqual({ 'Fn::GetAtt': ['VipLambdaFunction', 'Arn'] });
      const perms = ofType(example.template, 'AWS::Lambda::Permission').map((p) => p.Properties);
      expect(perms).toContainEqual(
        expect.objectContaining({ Principal: 'sns.amazonaws.com', SourceArn: { Ref: 'AlarmTopic' } }),
      );
    });

    it('alarms on function errors and on failed and no-primary decisions; failed async invocations go to a queue', () => {
      const alarms = ofType(example.template, 'AWS::CloudWatch::Alarm').map(
        (a) => a.Properties as Record<string, unknown>,
      );
      expect(alarms.map((a) => a.MetricName)).toEqual(
        expect.arrayContaining(['Errors', 'FailedOutcomes', 'NoPrimaryOutcomes']),
      );
      const filters = ofType(example.template, 'AWS::Logs::MetricFilter').map(
        (f) => (f.Properties as { FilterPattern: string }).FilterPattern,
      );
      expect(filters).toEqual(
        expect.arrayContaining([
          expect.stringContaining('$.outcome = "failed"'),
          expect.stringContaining('$.error.code = "no_primary"'),
        ]),
      );
      expect(ofType(example.template, 'AWS::SQS::Queue')).toHaveLength(1);
      const invoke = ofType(example.template, 'AWS::Lambda::EventInvokeConfig')[0]?.Properties as {
        DestinationConfig?: { OnFailure?: unknown };
      };
      expect(invoke?.DestinationConfig?.OnFailure).toBeDefined();
    });

    it('raises one status-check alarm per member, named for the mirror, into the alarm topic', () => {
      const alarms = ofType(example.template, 'AWS::CloudWatch::Alarm')
        .map((a) => a.Properties)
        .filter((a) => (a as { Namespace?: string }).Namespace === 'AWS/EC2');
      expect(alarms).toHaveLength(mirror.members.length);
      for (const m of mirror.members) {
        expect(alarms).toContainEqual(
          expect.objectContaining({
            AlarmName: `mirror-vip:${mirror.name}:${m.name}-status`,
            Namespace: 'AWS/EC2',
            MetricName: 'StatusCheckFailed',
            Dimensions: [{ Name: 'InstanceId', Value: m.instanceId }],
            AlarmActions: [{ Ref: 'AlarmTopic' }],
          }),
        );
      }
    });

    it('reconciles every minute on an EventBridge schedule', () => {
      const rules = ofType(example.template, 'AWS::Events::Rule');
      expect(rules).toHaveLength(2);
      const rule = rules.find((r) => r.Properties.ScheduleExpression === 'rate(1 minute)');
      expect(rule).toBeDefined();
      expect(JSON.stringify(rule?.Properties.Targets)).toContain('VipLambdaFunction');
      const perms = ofType(example.template, 'AWS::Lambda::Permission').map((p) => p.Properties);
      expect(perms).toContainEqual(expect.objectContaining({ Principal: 'events.amazonaws.com' }));
    });

    it('runs the preflight hourly with the check input, alarms on its failing line, reads its own concurrency', () => {
      const rule = ofType(example.template, 'AWS::Events::Rule').find(
        (r) => r.Properties.ScheduleExpression === 'rate(1 hour)',
      );
      const targets = rule?.Properties.Targets as { Input?: string }[] | undefined;
      expect(JSON.parse(targets?.[0]?.Input ?? '{}')).toEqual({ mirrorVip: 'check' });
      const filters = ofType(example.template, 'AWS::Logs::MetricFilter').map((f) => f.Properties);
      expect(filters).toContainEqual(expect.objectContaining({ FilterPattern: `{ $.msg = "${CHECK_FAILED_MSG}" }` }));
      const alarms = ofType(example.template, 'AWS::CloudWatch::Alarm').map((a) => a.Properties);
      expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'CheckFailed', Period: 3600, Threshold: 1 }));
      const read = roleStatements(example.template).filter((x) =>
        actionsOf(x).includes('lambda:GetFunctionConcurrency'),
      );
      expect(read).toHaveLength(1);
      expect(JSON.stringify(read[0]?.Resource)).toMatch(/arn:aws:lambda:us-east-1:\d{12}:function:[^*"]+"/);
    });
  });
});
