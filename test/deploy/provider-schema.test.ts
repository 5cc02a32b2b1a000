// Every .tf file of every module and example, on all four clouds, against the provider's own schema (extracts in
// test/deploy/schemas/, provenance in its README): types exist, arguments and blocks exist and are used as the schema
// says, required ones are present, literal values fit, and the pinned version range admits the extract's version.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertFiles, parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { tfDirs } from '../../scripts/provider-schemas.ts';
import { checkFile, loadExtracts, tfFiles } from '../support/provider-schema.ts';
import { satisfies } from '../support/version-range.ts';

const extracts = loadExtracts(['aws', 'google', 'azurerm', 'oci', 'archive', 'random', 'terraform']);
const DIRS = tfDirs();

type Tf = {
  terraform?: { required_providers?: Record<string, { source: string; version?: string }>[] }[];
  module?: Record<string, Record<string, unknown>[]>;
  variable?: Record<string, { default?: unknown }[]>;
};
const load = async (dir: string) => (await convertFiles(join(ROOT, dir))) as unknown as Tf;

/** Schema problems of every .tf file in a directory (paths relative to the repository). */
async function problemsIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of tfFiles(join(ROOT, dir)))
    out.push(...(await checkFile(`${dir}/${f}`, readFileSync(join(ROOT, dir, f), 'utf8'), extracts)));
  return out;
}

/** Arguments of each local module call that the module has no variable for, and required variables left out. */
async function moduleCallProblems(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const [name, calls] of Object.entries((await load(dir)).module ?? {}))
    for (const call of calls) {
      const target = resolve(ROOT, dir, String(call.source));
      const vars = (await convertFiles(target)).variable as Tf['variable'];
      for (const arg of Object.keys(call))
        if (!['source', 'version', 'providers', 'count', 'for_each', 'depends_on'].includes(arg) && !vars?.[arg])
          out.push(`${dir}: module.${name}.${arg}: the module has no such variable`);
      for (const [v, [decl]] of Object.entries(vars ?? {}))
        if (decl && !('default' in decl) && !(v in call))
          out.push(`${dir}: module.${name}: required variable ${v} is missing`);
    }
  return out;
}

it('finds the modules and examples of all four clouds', () => {
  for (const cloud of ['aws', 'gcp', 'azure', 'oci']) expect(DIRS).toContain(`terraform/${cloud}`);
  expect(DIRS).toEqual(expect.arrayContaining(['terraform/aws/examples/basic', 'terraform/gcp/examples/basic']));
});

describe.each(DIRS)('%s', (dir) => {
  it('uses every resource, data source, argument and block as the provider schema says', async () => {
    expect(await problemsIn(dir)).toEqual([]);
  });

  it('passes every module variable it sets, and each required one', async () => {
    expect(await moduleCallProblems(dir)).toEqual([]);
  });

  it('has .tfvars examples of literal values only, commented ones included (Terraform refuses functions there)', async () => {
    const files = readdirSync(join(ROOT, dir)).filter((f) => /\.tfvars(\.example)?$/.test(f));
    const problems: string[] = [];
    for (const f of files) {
      // Commented-out assignments too: an example is there to be uncommented.
      const uncommented = readFileSync(join(ROOT, dir, f), 'utf8').replace(/^#\s?([a-z_][a-z0-9_]*\s*=)/gm, '$1');
      const vars = (await parse(f, uncommented)) as Record<string, unknown>;
      const text = (v: unknown): string[] =>
        typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(text) : [];
      for (const [name, v] of Object.entries(vars))
        if (text(v).some((x) => x.includes('${'))) problems.push(`${dir}/${f}: ${name} is not a literal value`);
    }
    expect(problems).toEqual([]);
  });

  it("pins each provider to a range that admits the extract's provider version", async () => {
    const required = Object.assign({}, ...((await load(dir)).terraform ?? []).flatMap((t) => t.required_providers));
    for (const [name, p] of Object.entries(required) as [string, { version?: string }][]) {
      const extract = extracts.get(name);
      expect(extract, `${dir}: no schema extract for provider ${name}`).toBeDefined();
      expect(p.version, `${dir}: provider ${name} has no version constraint`).toBeDefined();
      const v = extract?.providerVersion ?? '';
      expect(satisfies(v, p.version ?? ''), `${dir}: ${name} "${p.version}" does not admit ${v}`).toBe(true);
    }
  });
});

describe('the checker fails on a deliberately broken file', () => {
  const file = 'terraform/aws/main.tf';
  const text = readFileSync(join(ROOT, file), 'utf8');
  const broken = async (from: string | RegExp, to: string) => {
    const mutated = text.replace(from, to);
    expect(mutated).not.toBe(text);
    return checkFile(file, mutated, extracts);
  };

  it('is clean on the real file', async () => {
    expect(await checkFile(file, text, extracts)).toEqual([]);
  });

  it.each([
    ['an unknown argument', /\n {2}memory_size /, '\n  memory_sizes ', 'memory_sizes: no such argument or block'],
    ['a list given as a string', 'architectures    = ["arm64"]', 'architectures = "arm64"', 'wants a list of string'],
    [
      'a list given as a string expression',
      'architectures    = ["arm64"]',
      'architectures = jsonencode(["arm64"])',
      'got a string (jsonencode',
    ],
    ['a string given as a list', 'runtime          = "nodejs22.x"', 'runtime = ["nodejs22.x"]', 'wants a string'],
    ['a number that is not one', /memory_size {6}= 256/, 'memory_size = "lots"', 'wants a number'],
    ['a block written as an argument', /dead_letter_config \{/, 'dead_letter_config = {', 'is a block, written as'],
    [
      'a single block repeated',
      /\n {2}dead_letter_config \{/,
      '\n  dead_letter_config {}\n  dead_letter_config {',
      'at most one',
    ],
    ['a required argument removed', /\n {2}role {13}= .*\n/, '\n', 'required argument role is missing'],
    [
      'an unknown resource type',
      'resource "aws_lambda_function_url"',
      'resource "aws_lambda_function_uri"',
      'no such resource type',
    ],
  ])('%s', async (_what, from, to, message) => {
    const problems = await broken(from, to);
    expect(problems.join('\n')).toContain(message);
  });
});
