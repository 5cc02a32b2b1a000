// terraform/aws findings of issue 17, on the module's own files: the reserved concurrency is a variable (accounts
// below ~101 concurrency refuse any reservation), the pause prefix reaches the function, a NONE function URL gets
// its two public permissions keyed by auth type, and an environment over Lambda's 4 KB is refused at plan time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertFiles } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { evaluateModule, ref } from '../support/terraform.ts';

type Block = Record<string, unknown>;
const moduleDir = join(ROOT, 'terraform/aws');
const exampleConfig = join(ROOT, 'deploy/mirror-vip.example.json');
const STUB = { account_id: '123456789012', partition: 'aws', outcome_topic_arn: null };
const base = { region: 'us-east-1', config_file: exampleConfig };
const evaluate = (vars: Record<string, unknown>, exprs: string[]) =>
  evaluateModule(moduleDir, ['variables.tf', 'locals.tf'], STUB, { ...base, ...vars }, exprs);

let tf: { resource: Record<string, Record<string, Block[]>>; variable: Record<string, Block[]> };
const one = (type: string, name: string) => tf.resource[type]?.[name]?.[0] as Block;
const blocks = (v: unknown) => (Array.isArray(v) ? (v as Block[]) : []);
let scratch = '';

beforeAll(async () => {
  tf = (await convertFiles(moduleDir)) as unknown as typeof tf;
  scratch = mkdtempSync(join(tmpdir(), 'mirror-vip-aws-deploy-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('reserved concurrency', () => {
  it('is the reserved_concurrency variable, none by default, so the apply works on an account with quota 10', () => {
    expect(one('aws_lambda_function', 'this').reserved_concurrent_executions).toBe(ref('var.reserved_concurrency'));
    expect(tf.variable.reserved_concurrency?.[0]?.default).toBeNull();
  });

  it('accepts 1 and refuses 0 or a fraction, naming the variable', async () => {
    const [one, ...bad] = await Promise.allSettled(
      [1, 0, 1.5].map((n) => evaluate({ reserved_concurrency: n }, ['var.reserved_concurrency'])),
    );
    expect(one).toEqual({ status: 'fulfilled', value: [1] });
    for (const b of bad)
      expect(String(b.status === 'rejected' && b.reason)).toMatch(
        /reserved_concurrency must be null \(no reservation\) or a whole number >= 1/,
      );
  });
});

describe('the environment', () => {
  it('passes the configuration and MIRROR_VIP_PAUSE_PREFIX = ssm_parameter_prefix, which the function reads', async () => {
    const env = blocks(one('aws_lambda_function', 'this').environment)[0]?.variables;
    expect(env).toBe(ref('local.function_environment'));
    const [rendered, pauses] = (await evaluate({ ssm_parameter_prefix: '/ops/mirror-vip/' }, [
      'local.function_environment',
      'local.pause_parameter_arn_pattern',
    ])) as [Record<string, string>, string];
    expect(rendered.MIRROR_VIP_PAUSE_PREFIX).toBe('/ops/mirror-vip/');
    expect(pauses).toBe('arn:aws:ssm:us-east-1:123456789012:parameter/ops/mirror-vip/pause/*');
    expect(parseConfig(rendered.MIRROR_VIP_CONFIG ?? '', 'MIRROR_VIP_CONFIG').mirrors.length).toBeGreaterThan(0);
    expect(readFileSync(join(ROOT, 'functions/aws/aws-operator.ts'), 'utf8')).toContain('env.MIRROR_VIP_PAUSE_PREFIX');
  });

  it("refuses at plan time an environment over Lambda's 4 KB, naming the limit", async () => {
    const pre = blocks(blocks(one('aws_lambda_function', 'this').lifecycle)[0]?.precondition);
    const size = pre.find((p) => String(p.condition).includes('function_environment_bytes'));
    expect(size?.condition).toBe(ref('local.function_environment_bytes <= 4096'));
    expect(String(size?.error_message)).toContain('4 KB (4096 bytes)');
    const config = JSON.parse(readFileSync(exampleConfig, 'utf8'));
    const big = join(scratch, 'big.json');
    // Many long key references: a valid document whose JSON passes 4 KB.
    const mirror = config.mirrors[0];
    mirror.keys = Array.from({ length: 60 }, (_, i) => ({
      id: `key-${i}`,
      member: mirror.members[0].name,
      secret: `env:MIRROR_VIP_KEY_WITH_A_LONG_NAME_${i}`,
    }));
    writeFileSync(big, JSON.stringify(config));
    const cond = 'local.function_environment_bytes <= 4096';
    const [[small], [large, bytes]] = await Promise.all([
      evaluate({}, [cond]),
      evaluate({ config_file: big }, [cond, 'local.function_environment_bytes']),
    ]);
    expect(small).toBe(true);
    expect(large).toBe(false);
    expect(bytes).toBeGreaterThan(4096);
  });
});

describe('the function URL', () => {
  const url = () => one('aws_lambda_permission', 'url_public');

  it('grants the public permissions from a map keyed by auth type, after the URL has switched', () => {
    expect(url()).toMatchObject({
      for_each: ref('local.url_public_permissions'),
      statement_id: ref('each.key'),
      principal: '*',
      action: ref('each.value.action'),
      function_url_auth_type: ref('each.value.function_url_auth_type'),
      invoked_via_function_url: ref('each.value.invoked_via_function_url'),
      function_name: ref('aws_lambda_function.this.function_name'),
      depends_on: [ref('aws_lambda_function_url.this')],
    });
  });

  it('NONE: InvokeFunctionUrl for a NONE URL and InvokeFunction only via the URL; AWS_IAM: nothing public', async () => {
    const [[none], [iam]] = await Promise.all([
      evaluate({ url_auth_type: 'NONE' }, ['local.url_public_permissions']),
      evaluate({ url_auth_type: 'AWS_IAM' }, ['local.url_public_permissions']),
    ]);
    expect(none).toEqual({
      'FunctionURLAllowPublicAccess-NONE': {
        action: 'lambda:InvokeFunctionUrl',
        function_url_auth_type: 'NONE',
        invoked_via_function_url: null,
      },
      'FunctionURLInvokeAllowPublicAccess-NONE': {
        action: 'lambda:InvokeFunction',
        function_url_auth_type: null,
        invoked_via_function_url: true,
      },
    });
    // Switching AWS_IAM -> NONE in place: every key is new, so the plan creates both permissions.
    expect(iam).toEqual({});
  });
});
