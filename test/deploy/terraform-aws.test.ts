import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles, parse } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { CHECK_FAILED_MSG } from '../../shared/core/check.ts';
import { CHECK_ACTIONS } from '../../shared/providers/aws/check-client.ts';
import { EC2_ACTIONS } from '../../shared/providers/aws/ec2-client.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const moduleDir = join(root, 'terraform/aws');
const exampleConfigFile = join(root, 'deploy/mirror-vip.example.json');
const exampleConfig = parseConfig(readFileSync(exampleConfigFile, 'utf8'), 'example config');
const mirror = exampleConfig.mirrors[0];
if (mirror?.cloud !== 'aws') throw new Error('the example configuration has no AWS mirror');
if (!mirror) throw new Error('the example configuration has no mirror');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = { [key: string]: Json };
interface Module {
  variable: Record<string, Block[]>;
  data: Record<string, Record<string, Block[]>>;
  resource: Record<string, Record<string, Block[]>>;
}
/** A policy statement as Terraform would render it for one set of variables. */
interface Rendered {
  sid: string;
  effect: string;
  actions: string[];
  resources: string[];
  conditions: { test: string; variable: string; values: string[] }[];
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CREATED_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:mirror-vip-outcomes`;

/** True when an hcl2json value is one whole `${ ... }` expression rather than a string template. */
function isWholeExpression(s: string): boolean {
  if (!s.startsWith('${') || !s.endsWith('}')) return false;
  let depth = 0;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

/** Turns an hcl2json value back into HCL source. */
function hcl(v: Json): string {
  if (typeof v === 'string') return isWholeExpression(v) ? v.slice(2, -1) : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(hcl).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)} = ${hcl(x)}`)
      .join(', ')} }`;
  }
  return String(v);
}

/**
 * Evaluates HCL expressions against the module's real variables.tf and locals.tf, with no provider: only the
 * locals that come from data sources or resources (account, partition, the created outcome topic) are stubbed.
 */
async function evaluate(vars: Record<string, Json>, outcome: string | null, exprs: string[]): Promise<Json[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tf-'));
  try {
    for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    const stub = { account_id: ACCOUNT, partition: 'aws', outcome_topic_arn: outcome };
    const lines = [
      ...Object.entries(stub).map(([k, v]) => `  ${k} = ${v === null ? 'null' : JSON.stringify(v)}`),
      ...exprs.map((e, i) => `  probe_${i} = ${e}`),
    ];
    writeFileSync(join(dir, 'probe.tf'), `locals {\n${lines.join('\n')}\n}\n`);
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify(vars));
    const out = await terraformConsole(dir, `jsonencode([${exprs.map((_, i) => `local.probe_${i}`).join(', ')}])`);
    return JSON.parse(JSON.parse(out.trim())) as Json[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const blocks = (v: Json | undefined): Block[] => (Array.isArray(v) ? (v as Block[]) : []);

/** Static and dynamic statements of a policy document, each with the `for_each` that gates it. */
function statementsOf(doc: Block): { gate: string; body: Block }[] {
  const plain = blocks(doc.statement).map((body) => ({ gate: '[1]', body }));
  const dynamic = (doc.dynamic ?? {}) as { statement?: Block[] };
  const gated = (dynamic.statement ?? []).flatMap((d) =>
    blocks(d.content).map((body) => ({ gate: hcl(d.for_each ?? null), body })),
  );
  return [...plain, ...gated];
}

/** Replaces references to resources and data sources by a readable placeholder string, e.g. "<aws_x.y.arn>". */
const symbolic = (expr: string) =>
  expr.replace(/\b(?:data\.)?aws_[a-z0-9_]+\.[a-z0-9_]+(?:\[\d+\])?\.[a-z0-9_]+/g, (ref) => JSON.stringify(`<${ref}>`));

/** Renders a policy document for one set of variables by evaluating every expression it holds. */
async function render(doc: Block, vars: Record<string, Json>, outcome: string | null): Promise<Rendered[]> {
  const stmts = statementsOf(doc);
  const exprs = stmts.map(({ gate, body }) => {
    const conditions = blocks(body.condition).map(
      (c) =>
        `{ test = ${hcl(c.test ?? null)}, variable = ${hcl(c.variable ?? null)}, values = ${hcl(c.values ?? null)} }`,
    );
    const resources = hcl(body.resources ?? null);
    return symbolic(
      `{ present = length(${gate}) > 0, resources = ${resources}, conditions = [${conditions.join(', ')}] }`,
    );
  });
  const values = (await evaluate(vars, outcome, exprs)) as {
    present: boolean;
    resources: string[];
    conditions: Rendered['conditions'];
  }[];
  return stmts.flatMap(({ body }, i) => {
    const v = values[i];
    if (!v?.present) return [];
    const effect = typeof body.effect === 'string' ? body.effect : 'Allow';
    const actions = (body.actions ?? []) as string[];
    return [{ sid: String(body.sid ?? ''), effect, actions, resources: v.resources, conditions: v.conditions }];
  });
}

/** terraform.tfvars.example as Terraform reads it, with its config_file made absolute. */
async function exampleTfvars(): Promise<Record<string, Json>> {
  const text = readFileSync(join(moduleDir, 'terraform.tfvars.example'), 'utf8');
  const vars = (await parse('terraform.tfvars.example', text)) as Record<string, Json>;
  expect(vars.config_file).toBe('../../deploy/mirror-vip.example.json');
  return { ...vars, config_file: exampleConfigFile };
}

function writeVariantConfig(dir: string, name: string, routeVip: Json): string {
  const config = structuredClone(exampleConfig) as unknown as { mirrors: Record<string, Json>[] };
  const m = config.mirrors[0] as Record<string, Json>;
  m.vips = [routeVip];
  m.keys = [
    { id: 'iris-a-env', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_A' },
    { id: 'iris-b-file', member: 'iris-b', secret: 'file:/opt/mirror-vip/iris-b.key' },
  ];
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** How hcl2json writes an expression: `${expr}`. */
const arn = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
const withAction = (stmts: Rendered[], action: string) =>
  stmts.filter((s) => s.effect === 'Allow' && s.actions.includes(action));
const condition = (s: Rendered | undefined, variable: string) => s?.conditions.find((c) => c.variable === variable);

/** The provider's narrow EC2 interface is the source of truth for what the role may do. */
const WRITE = [...EC2_ACTIONS.filter((a) => !a.startsWith('ec2:Describe')), 'sns:Publish'];
const DESCRIBE: string[] = [...EC2_ACTIONS, ...CHECK_ACTIONS].filter((a) => a.startsWith('ec2:Describe'));
const SECRETS = ['ssm:GetParameter', 'kms:Decrypt'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** The dead letter of failed async invocations, and operator pauses (only with operator keys): both scoped below. */
const OPERATIONS = ['sqs:SendMessage', 'ssm:PutParameter', 'ssm:DeleteParameter'];
/** What Lambda itself needs to place a function in a VPC; allowed only together with the Deny for the code. */
const LAMBDA_ENI = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'ec2:DescribeSubnets',
];

describe('terraform/aws', () => {
  let tf: Module;
  let scratch = '';
  let exampleVars: Record<string, Json>;
  let example: Rendered[];
  let variant: Rendered[];

  const one = (type: string, name: string, kind: 'resource' | 'data' = 'resource'): Block => {
    const b = tf[kind][type]?.[name]?.[0];
    if (!b) throw new Error(`${kind} ${type}.${name} is missing`);
    return b;
  };

  beforeAll(async () => {
    tf = (await convertFiles(moduleDir)) as unknown as Module;
    exampleVars = await exampleTfvars();
    // The example creates the outcome topic: stand in for its ARN, which only exists after apply.
    expect(exampleVars.create_outcome_topic).toBe(true);
    scratch = mkdtempSync(join(tmpdir(), 'mirror-vip-tfcfg-'));
    const doc = one('aws_iam_policy_document', 'function', 'data');
    const vpcVip = { mode: 'route', cidr: '10.109.11.254/32', vpcId: 'vpc-0a1b2c3d4e5f60f51' };
    const variantVars = { region: REGION, config_file: writeVariantConfig(scratch, 'variant', vpcVip) };
    [example, variant] = await Promise.all([render(doc, exampleVars, CREATED_TOPIC), render(doc, variantVars, null)]);
  }, 60_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('is formatted (terraform fmt -check -recursive)', async () => {
    const env = tfEnv(scratch);
    writeFileSync(join(scratch, 'none.tfrc'), '');
    await expect(
      run('terraform', ['fmt', '-check', '-recursive', 'terraform/aws'], { cwd: root, env }),
    ).resolves.toBeDefined();
  });

  describe('the function role', () => {
    it('holds only the calls the function makes, never a wildcard action', () => {
      for (const stmts of [example, variant]) {
        for (const s of stmts.filter((x) => x.effect === 'Allow')) {
          for (const a of s.actions) {
            expect(a).not.toMatch(/\*/);
            const lambdaEni = s.sid === 'LambdaManagesVpcEnis' && LAMBDA_ENI.includes(a);
            expect(lambdaEni || [...WRITE, ...DESCRIBE, ...SECRETS, ...LOGS, ...OPERATIONS].includes(a), a).toBe(true);
          }
        }
      }
    });

    it('puts "*" only on the Describe calls (pinned to the region) and on what Lambda needs for its VPC ENIs', () => {
      for (const s of example.filter((x) => x.effect === 'Allow' && x.resources.includes('*'))) {
        if (s.sid === 'LambdaManagesVpcEnis') continue;
        expect(s.actions.every((a) => DESCRIBE.includes(a))).toBe(true);
        expect(condition(s, 'aws:RequestedRegion')?.values).toEqual([REGION]);
      }
    });

    it('writes logs only to its own log group', () => {
      const logs = example.filter((s) => s.actions.some((a) => a.startsWith('logs:')));
      expect(logs.flatMap((s) => s.resources)).toEqual(['<aws_cloudwatch_log_group.function.arn>:*']);
    });

    it('denies the function code every ENI write it grants Lambda for the VPC', () => {
      const grant = example.find((s) => s.sid === 'LambdaManagesVpcEnis');
      const deny = example.find((s) => s.effect === 'Deny');
      const writes = (grant?.actions ?? []).filter((a) => !a.startsWith('ec2:Describe'));
      expect(writes.length).toBeGreaterThan(0);
      expect(deny?.actions.sort()).toEqual(writes.sort());
      expect(condition(deny, 'lambda:SourceFunctionArn')).toEqual({
        test: 'ArnEquals',
        variable: 'lambda:SourceFunctionArn',
        values: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:mirror-vip`],
      });
      expect(variant.some((s) => s.sid === 'LambdaManagesVpcEnis' || s.effect === 'Deny')).toBe(false);
    });

    it('moves routes only in the configured route tables', () => {
      const vip = mirror.vips.find((v) => v.mode === 'route');
      const expected = (vip?.mode === 'route' ? (vip.routeTableIds ?? []) : []).map((id) => arn(`route-table/${id}`));
      expect(expected.length).toBeGreaterThan(0);
      for (const action of ['ec2:CreateRoute', 'ec2:ReplaceRoute']) {
        const [s, ...more] = withAction(example, action);
        expect(more).toHaveLength(0);
        expect(s?.resources.sort()).toEqual(expected.sort());
        expect(s?.conditions).toEqual([]);
      }
    });

    it('moves routes by VPC only under an ec2:Vpc condition when the VIP names a VPC', () => {
      const [s, ...more] = withAction(variant, 'ec2:ReplaceRoute');
      expect(more).toHaveLength(0);
      expect(s?.resources).toEqual([arn('route-table/*')]);
      expect(s?.conditions).toEqual([
        { test: 'ArnEquals', variable: 'ec2:Vpc', values: [arn('vpc/vpc-0a1b2c3d4e5f60f51')] },
      ]);
    });

    it('associates only the Elastic IP, and only with member ENIs', () => {
      const eip = mirror.vips.find((v) => v.mode === 'eip');
      const expected = [
        arn(`elastic-ip/${eip?.mode === 'eip' ? eip.allocationId : 'none'}`),
        ...mirror.members.map((m) => arn(`network-interface/${m.eniId}`)),
      ];
      const [s, ...more] = withAction(example, 'ec2:AssociateAddress');
      expect(more).toHaveLength(0);
      expect(s?.resources.sort()).toEqual(expected.sort());
      expect(withAction(variant, 'ec2:AssociateAddress')).toHaveLength(0);
    });

    it('sends dead letters only to its own queue, and writes pauses only under <prefix>pause/ with operator keys', () => {
      for (const stmts of [example, variant]) {
        expect(withAction(stmts, 'sqs:SendMessage').flatMap((s) => s.resources)).toEqual([
          `arn:aws:sqs:${REGION}:${ACCOUNT}:mirror-vip-dead-letter`,
        ]);
        expect(withAction(stmts, 'ssm:PutParameter')).toEqual([]); // the example configures no operator key
      }
    });

    it('publishes only to the outcome topic, and not at all without one', () => {
      const [s, ...more] = withAction(example, 'sns:Publish');
      expect(more).toHaveLength(0);
      expect(s?.resources).toEqual([CREATED_TOPIC]);
      expect(withAction(variant, 'sns:Publish')).toHaveLength(0);
    });

    it('reads only the key parameters under the prefix, decrypting through SSM only', () => {
      const pattern = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/mirror-vip/*`;
      const [read, ...more] = withAction(example, 'ssm:GetParameter');
      expect(more).toHaveLength(0);
      expect(read?.resources).toEqual([pattern]);
      const [decrypt] = withAction(example, 'kms:Decrypt');
      expect(condition(decrypt, 'kms:ViaService')?.values).toEqual([`ssm.${REGION}.amazonaws.com`]);
      expect(condition(decrypt, 'kms:EncryptionContext:PARAMETER_ARN')?.values).toEqual([pattern]);
      expect(withAction(variant, 'ssm:GetParameter')).toHaveLength(0);
      expect(withAction(variant, 'kms:Decrypt')).toHaveLength(0);
    });

    it('is the policy attached to the role the function runs as, and the only one with EC2 actions', () => {
      expect(one('aws_iam_role_policy', 'function').policy).toBe(ref('data.aws_iam_policy_document.function.json'));
      expect(one('aws_lambda_function', 'this').role).toBe(ref('aws_iam_role.function.arn'));
      for (const [name, [doc]] of Object.entries(tf.data.aws_iam_policy_document ?? {})) {
        if (name === 'function' || !doc) continue;
        expect(JSON.stringify(doc), name).not.toContain('ec2:');
      }
    });

    it('refuses a configuration that would widen the role', async () => {
      const bad = { mode: 'route', cidr: '10.109.11.254/32', routeTableIds: ['rtb-*'] };
      const vars = { region: REGION, config_file: writeVariantConfig(scratch, 'wildcard', bad) };
      const [problems] = await evaluate(vars, null, ['local.config_problems']);
      expect(problems).toEqual(['bad route table id rtb-*']);
      const pre = blocks(blocks(one('aws_lambda_function', 'this').lifecycle)[0]?.precondition);
      expect(pre.map((p) => p.condition)).toContain(ref('length(local.config_problems) == 0'));
    });
  });

  describe('the member role', () => {
    it('may only invoke this function, through its URL', () => {
      const stmts = statementsOf(one('aws_iam_policy_document', 'member', 'data')).map((s) => s.body);
      expect(stmts.flatMap((s) => s.actions as string[]).sort()).toEqual([
        'lambda:InvokeFunction',
        'lambda:InvokeFunctionUrl',
      ]);
      for (const s of stmts) expect(s.resources).toEqual([ref('aws_lambda_function.this.arn')]);
      const conditions = stmts.flatMap((s) => blocks(s.condition));
      expect(conditions).toContainEqual({
        test: 'StringEquals',
        variable: 'lambda:FunctionUrlAuthType',
        values: [ref('var.url_auth_type')],
      });
      expect(conditions).toContainEqual({ test: 'Bool', variable: 'lambda:InvokedViaFunctionUrl', values: ['true'] });
    });

    it('is an EC2 instance profile whose role carries that policy and nothing else', () => {
      expect(one('aws_iam_role', 'member').assume_role_policy).toBe(
        ref('data.aws_iam_policy_document.ec2_assume.json'),
      );
      expect(JSON.stringify(one('aws_iam_policy_document', 'ec2_assume', 'data'))).toContain('ec2.amazonaws.com');
      expect(one('aws_iam_role_policy', 'member').policy).toBe(ref('data.aws_iam_policy_document.member.json'));
      expect(one('aws_iam_instance_profile', 'member').role).toBe(ref('aws_iam_role.member[0].name'));
      const users = Object.entries(tf.resource).flatMap(([type, byName]) =>
        Object.entries(byName)
          .filter(([, [b]]) => JSON.stringify(b).includes('aws_iam_role.member'))
          .map(([name]) => `${type}.${name}`),
      );
      expect(users.sort()).toEqual(['aws_iam_instance_profile.member', 'aws_iam_role_policy.member']);
    });
  });

  describe('the function and its triggers', () => {
    it('runs nodejs22.x on arm64 with 256 MB and 30 s, from the bundle', () => {
      const fn = one('aws_lambda_function', 'this');
      expect(fn).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], memory_size: 256, timeout: 30 });
      // one writer per mirror, by the platform
      expect(fn.reserved_concurrent_executions).toBe(1);
      expect(fn.handler).toBe('handler.handler');
      expect(fn.filename).toBe(ref('data.archive_file.bundle.output_path'));
      expect(one('archive_file', 'bundle', 'data').source_file).toBe(ref('local.bundle_path'));
    });

    it('passes a configuration the function accepts, with the outcome topic merged in', async () => {
      const env = blocks(one('aws_lambda_function', 'this').environment)[0]?.variables as Block;
      expect(env.MIRROR_VIP_CONFIG).toBe(ref('local.function_config'));
      const [withTopic, without] = await Promise.all([
        evaluate(exampleVars, CREATED_TOPIC, ['local.function_config']),
        evaluate(exampleVars, null, ['local.function_config']),
      ]);
      const config = parseConfig(String(withTopic[0]), 'rendered MIRROR_VIP_CONFIG');
      expect(config.mirrors).toEqual(exampleConfig.mirrors);
      expect(config.notify?.topicArn).toBe(CREATED_TOPIC);
      expect(parseConfig(String(without[0]), 'rendered MIRROR_VIP_CONFIG').notify).toBeUndefined();
    });

    it('exposes a function URL whose auth type is the url_auth_type variable (NONE by default)', () => {
      expect(one('aws_lambda_function_url', 'this').authorization_type).toBe(ref('var.url_auth_type'));
      const v = (tf as unknown as { variable: Record<string, Block[]> }).variable.url_auth_type?.[0];
      expect(v?.default).toBe('NONE');
    });

    it('raises one status-check alarm per member, named for the mirror, into the alarm topic', async () => {
      const alarm = one('aws_cloudwatch_metric_alarm', 'member_status');
      expect(alarm).toMatchObject({ namespace: 'AWS/EC2', metric_name: 'StatusCheckFailed' });
      expect(alarm.alarm_actions).toEqual([ref('aws_sns_topic.alarms.arn')]);
      const perMember = (s: Json | undefined) => hcl(s ?? null).replace(/\beach\.value\b/g, 'ev');
      const dims = alarm.dimensions as Block;
      const probe = `[for ev in values(${hcl(alarm.for_each ?? null)}) : { name = ${perMember(alarm.alarm_name)}, id = ${perMember(dims.InstanceId)} }]`;
      const [rendered] = await evaluate(exampleVars, null, [probe]);
      expect(rendered).toEqual(
        expect.arrayContaining(
          mirror.members.map((m) => ({ name: `mirror-vip:${mirror.name}:${m.name}-status`, id: m.instanceId })),
        ),
      );
      expect(rendered).toHaveLength(mirror.members.length);
    });

    it('subscribes the function to the alarm topic', () => {
      expect(one('aws_sns_topic_subscription', 'function')).toMatchObject({
        topic_arn: ref('aws_sns_topic.alarms.arn'),
        protocol: 'lambda',
        endpoint: ref('aws_lambda_function.this.arn'),
      });
      expect(one('aws_lambda_permission', 'alarms')).toMatchObject({
        principal: 'sns.amazonaws.com',
        source_arn: ref('aws_sns_topic.alarms.arn'),
        function_name: ref('aws_lambda_function.this.function_name'),
      });
    });

    it('reconciles on an EventBridge schedule whose rate is a variable, every minute by default', () => {
      expect(one('aws_cloudwatch_event_rule', 'reconcile').schedule_expression).toBe(ref('var.schedule_expression'));
      expect(tf.variable.schedule_expression?.[0]?.default).toBe('rate(1 minute)');
      expect(one('aws_cloudwatch_event_target', 'reconcile').arn).toBe(ref('aws_lambda_function.this.arn'));
      expect(one('aws_lambda_permission', 'reconcile')).toMatchObject({
        principal: 'events.amazonaws.com',
        source_arn: ref('aws_cloudwatch_event_rule.reconcile.arn'),
      });
    });
  });

  describe('the preflight check (check.tf)', () => {
    it('runs on its own EventBridge schedule, hourly by default, with the input the function takes as a check', () => {
      expect(one('aws_cloudwatch_event_rule', 'check').schedule_expression).toBe(ref('var.check_schedule_expression'));
      expect(tf.variable.check_schedule_expression?.[0]?.default).toBe('rate(1 hour)');
      const target = one('aws_cloudwatch_event_target', 'check');
      expect(target.arn).toBe(ref('aws_lambda_function.this.arn'));
      expect(target.input).toBe(ref('jsonencode({ mirrorVip = "check" })'));
      expect(one('aws_lambda_permission', 'check')).toMatchObject({
        principal: 'events.amazonaws.com',
        source_arn: ref('aws_cloudwatch_event_rule.check.arn'),
      });
    });

    it('alarms on the failing line the function writes, into the operator alarm actions', () => {
      const filter = one('aws_cloudwatch_log_metric_filter', 'check_failed');
      expect(filter.pattern).toBe(`{ $.msg = "${CHECK_FAILED_MSG}" }`);
      expect(filter.log_group_name).toBe(ref('aws_cloudwatch_log_group.function.name'));
      const alarm = one('aws_cloudwatch_metric_alarm', 'check_failed');
      expect(alarm).toMatchObject({
        metric_name: 'CheckFailed',
        threshold: 1,
        alarm_actions: ref('local.operator_alarm_actions'),
      });
    });

    it('reads only its own reserved concurrency besides the function policy (which holds ec2:DescribeVpcs)', () => {
      const [doc] = tf.data.aws_iam_policy_document?.check ?? [];
      const stmts = blocks(doc?.statement);
      expect(stmts.map((x) => [x.actions, x.resources])).toEqual([
        [['lambda:GetFunctionConcurrency'], [ref('aws_lambda_function.this.arn')]],
      ]);
      expect(one('aws_iam_role_policy', 'check').role).toBe(ref('aws_iam_role.function.id'));
      for (const stmts of [example, variant]) expect(withAction(stmts, 'ec2:DescribeVpcs')).toHaveLength(1);
    });
  });
});
