import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertFiles } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';

type Block = Record<string, unknown>;
interface Tf {
  terraform?: { required_providers?: Record<string, { source: string; version: string }>[] }[];
  provider?: Record<string, Block[]>;
  module?: Record<string, { source: string }[]>;
  resource?: Record<string, Record<string, Block[]>>;
  variable?: Record<string, Block[]>;
}
const load = async (dir: string) => (await convertFiles(join(ROOT, dir))) as unknown as Tf;
const providersOf = (tf: Tf) => Object.assign({}, ...(tf.terraform ?? []).flatMap((t) => t.required_providers ?? []));

const CLOUDS = [
  { cloud: 'aws', provider: 'aws', pinned: '~> 6.28' },
  { cloud: 'gcp', provider: 'google', pinned: '~> 6.0' },
] as const;

describe.each(CLOUDS)('terraform/$cloud: a reusable module and an example root', ({ cloud, provider, pinned }) => {
  it('pins every provider to a tested major version (~>), never an open >=', async () => {
    for (const dir of [`terraform/${cloud}`, `terraform/${cloud}/examples/basic`]) {
      const p = providersOf(await load(dir));
      expect(p[provider]?.version, dir).toBe(pinned);
      for (const [name, v] of Object.entries(p) as [string, { version: string }][])
        expect(v.version, `${dir}: ${name}`).toMatch(/^~> \d+\.\d+$/);
    }
  });

  it('has no provider block in the module; the example root configures it and calls the module', async () => {
    expect((await load(`terraform/${cloud}`)).provider).toBeUndefined();
    const root = await load(`terraform/${cloud}/examples/basic`);
    expect(Object.keys(root.provider ?? {})).toEqual([provider]);
    expect(root.module?.mirror_vip?.[0]?.source).toBe('../..');
  });
});

describe('terraform/aws operations', () => {
  it('alarms on function errors, failed and no-primary decisions and dead letters; a dead-letter queue', async () => {
    const tf = await load('terraform/aws');
    const alarms = tf.resource?.aws_cloudwatch_metric_alarm ?? {};
    expect(Object.keys(alarms)).toEqual(expect.arrayContaining(['function_errors', 'outcome', 'dead_letters']));
    expect(alarms.function_errors?.[0]).toMatchObject({ namespace: 'AWS/Lambda', metric_name: 'Errors' });
    const filters = readFileSync(join(ROOT, 'terraform/aws/operations.tf'), 'utf8');
    expect(filters).toContain('$.outcome = \\"failed\\"');
    expect(filters).toContain('$.error.code = \\"no_primary\\"');
    const fn = tf.resource?.aws_lambda_function?.this?.[0] as { dead_letter_config?: { target_arn: string }[] };
    expect(fn.dead_letter_config?.[0]?.target_arn).toBe(`${'$'}{aws_sqs_queue.dead_letter.arn}`);
  });
});

describe('terraform/gcp operations', () => {
  it('log-based alerts on moved, failed and no-primary decisions and on function errors', async () => {
    const tf = await load('terraform/gcp');
    const metrics = readFileSync(join(ROOT, 'terraform/gcp/operations.tf'), 'utf8');
    for (const f of [
      'jsonPayload.outcome=\\"moved\\"',
      'jsonPayload.outcome=\\"failed\\"',
      'jsonPayload.error.code=\\"no_primary\\"',
    ])
      expect(metrics).toContain(f);
    expect(Object.keys(tf.resource?.google_monitoring_alert_policy ?? {})).toEqual(
      expect.arrayContaining(['outcome', 'function_errors']),
    );
  });
});
