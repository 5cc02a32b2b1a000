// The real AWS provider binary of this machine's local mirror (/opt/tf-plugins, part of the machine image: hashicorp/aws
// 5.100.0) against terraform/aws. Its own `terraform providers schema -json` decides two things: the module needs 6.x
// (5.100 lacks aws_lambda_permission.invoked_via_function_url, so `~> 6.28` stays and `terraform validate` cannot run
// with this binary), and the checker run on 5.100's schema finds that argument and nothing else, which cross-checks
// the npm-derived extract (test/deploy/schemas/aws.json) against the provider itself.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { convertFiles } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import type { Attribute, Kind, Schema } from '../../scripts/provider-schema-extract.ts';
import { checkFile, loadExtracts, type ProviderExtract, tfFiles } from '../support/provider-schema.ts';
import { satisfies } from '../support/version-range.ts';

const run = promisify(execFile);
const MIRROR = '/opt/tf-plugins';
const VERSION = '5.100.0';
const BINARY = `${MIRROR}/registry.terraform.io/hashicorp/aws/${VERSION}/linux_amd64/terraform-provider-aws_v${VERSION}_x5`;

type Cty = string | [string, Cty] | [string, Record<string, Cty>];
interface TfBlock {
  attributes?: Record<string, { type?: Cty; required?: boolean; optional?: boolean }>;
  block_types?: Record<string, { nesting_mode: string; min_items?: number; max_items?: number; block: TfBlock }>;
}

const KIND: Record<string, Kind> = {
  string: 'string',
  number: 'number',
  bool: 'bool',
  list: 'list',
  set: 'set',
  map: 'map',
};
const kindOf = (t: Cty | undefined): Kind =>
  typeof t === 'string' ? (KIND[t] ?? 'any') : (KIND[t?.[0] ?? ''] ?? 'any');

/** Terraform's JSON block schema in the checker's form: settable arguments only. */
function fromTerraform(b: TfBlock): Schema {
  const schema: Schema = { attributes: {}, blocks: {} };
  for (const [name, a] of Object.entries(b.attributes ?? {})) {
    if (!a.required && !a.optional) continue;
    const attr: Attribute = { kind: kindOf(a.type), required: a.required === true };
    if (Array.isArray(a.type) && typeof a.type[1] === 'string') attr.element = kindOf(a.type[1]);
    else if (Array.isArray(a.type)) attr.element = 'any';
    schema.attributes[name] = attr;
  }
  for (const [name, t] of Object.entries(b.block_types ?? {})) {
    const single = t.nesting_mode === 'single' || t.nesting_mode === 'group' || t.max_items === 1;
    schema.blocks[name] = {
      nesting: single ? 'single' : 'list',
      required: (t.min_items ?? 0) > 0,
      block: fromTerraform(t.block),
    };
  }
  return schema;
}

describe(`hashicorp/aws ${VERSION} from ${MIRROR}`, () => {
  let dir = '';
  let real: ProviderExtract;
  const extracts = loadExtracts(['aws', 'archive']);

  beforeAll(async () => {
    if (!existsSync(BINARY))
      throw new Error(
        `${BINARY} is missing: this machine's image carries the AWS provider in a local mirror at ${MIRROR}`,
      );
    dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfaws-'));
    writeFileSync(
      join(dir, 'cli.tfrc'),
      `provider_installation {\n  filesystem_mirror {\n    path    = "${MIRROR}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
    );
    writeFileSync(
      join(dir, 'main.tf'),
      `terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "${VERSION}" }\n  }\n}\n`,
    );
    const env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'),
      TF_DATA_DIR: join(dir, '.terraform'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
    };
    await run('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env, timeout: 120_000 });
    const { stdout } = await run('terraform', ['providers', 'schema', '-json'], {
      cwd: dir,
      env,
      maxBuffer: 1 << 27,
      timeout: 120_000,
    });
    const schemas = JSON.parse(stdout).provider_schemas['registry.terraform.io/hashicorp/aws'];
    const pick = (all: Record<string, { block: TfBlock }>) =>
      Object.fromEntries(Object.entries(all).map(([t, s]) => [t, fromTerraform(s.block)]));
    real = {
      provider: 'aws',
      providerVersion: VERSION,
      providerConfig: fromTerraform(schemas.provider.block),
      typeNames: { resource: Object.keys(schemas.resource_schemas), data: Object.keys(schemas.data_source_schemas) },
      resource: pick(schemas.resource_schemas),
      data: pick(schemas.data_source_schemas),
    };
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is not in the module's range, because the module needs 6.x's invoked_via_function_url", async () => {
    const tf = (await convertFiles(join(ROOT, 'terraform/aws'))) as {
      terraform: { required_providers: Record<string, { version: string }>[] }[];
      resource: Record<string, Record<string, Record<string, unknown>[]>>;
    };
    const range = tf.terraform.flatMap((t) => t.required_providers)[0]?.aws?.version ?? '';
    expect(satisfies(VERSION, range)).toBe(false);
    expect(tf.resource.aws_lambda_permission?.url_public?.[0]).toHaveProperty('invoked_via_function_url');
    expect(real.resource.aws_lambda_permission?.attributes).not.toHaveProperty('invoked_via_function_url');
    expect(extracts.get('aws')?.resource.aws_lambda_permission?.attributes).toHaveProperty('invoked_via_function_url');
  });

  it("checked against 5.100's own schema, the module and example break only on that 6.x argument", async () => {
    const own = new Map([...extracts, ['aws', real]]);
    const problems: string[] = [];
    for (const d of ['terraform/aws', 'terraform/aws/examples/basic'])
      for (const f of tfFiles(join(ROOT, d)))
        problems.push(...(await checkFile(`${d}/${f}`, readFileSync(join(ROOT, d, f), 'utf8'), own)));
    expect(problems).toEqual([
      'terraform/aws/main.tf: aws_lambda_permission.url_public.invoked_via_function_url: no such argument or block',
    ]);
  });

  it('agrees with the npm-derived extract on every argument both versions have (kind, block nesting)', () => {
    const extract = extracts.get('aws') as ProviderExtract;
    const differences: string[] = [];
    const compare = (path: string, a: Schema, b: Schema) => {
      for (const [n, x] of Object.entries(a.attributes)) {
        const y = b.attributes[n];
        if (y && x.kind !== y.kind) differences.push(`${path}.${n}: ${x.kind} vs ${y.kind}`);
      }
      for (const [n, x] of Object.entries(a.blocks)) {
        const y = b.blocks[n];
        if (!y) continue;
        if (x.nesting !== y.nesting) differences.push(`${path}.${n}: ${x.nesting} vs ${y.nesting}`);
        compare(`${path}.${n}`, x.block, y.block);
      }
    };
    let compared = 0;
    for (const kind of ['resource', 'data'] as const)
      for (const [t, s] of Object.entries(extract[kind])) {
        const r = real[kind][t];
        if (!r) continue;
        compared++;
        compare(`${kind}.${t}`, r, s);
      }
    expect(compared).toBeGreaterThan(50);
    expect(differences).toEqual([]);
  });
});
