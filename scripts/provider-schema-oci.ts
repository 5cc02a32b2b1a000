// Regenerates test/deploy/schemas/oci.json from oracle/terraform-provider-oci's own Go source at a release tag (no
// npm package carries the OCI provider's schema). Usage: npx tsx scripts/provider-schema-oci.ts <git dir> [<ref>]
// with a clone of github.com/oracle/terraform-provider-oci. Reads each resource's `map[string]*schema.Schema{...}`
// literal (terraform-plugin-sdk v2): Type, Required, Optional, Computed, MaxItems, Elem.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Attribute, Kind, Schema } from './provider-schema-extract.ts';

const FAMILIES = [
  'oci_identity_',
  'oci_vault_',
  'oci_kms_',
  'oci_functions_',
  'oci_apigateway_',
  'oci_ons_',
  'oci_monitoring_',
  'oci_resource_scheduler_',
  'oci_logging_',
  'oci_sch_',
  'oci_core_private_ip',
  'oci_core_public_ip',
  'oci_core_route_table',
  'oci_core_vnic',
];

/** The end index (exclusive) of the brace group opening at `open`, skipping strings and comments. */
function closeOf(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === '`') {
      const end = c === '`' ? src.indexOf('`', i + 1) : /(?<!\\)"/g.exec(src.slice(i + 1))?.index;
      i = c === '`' ? (end as number) : i + 1 + (end as number);
    } else if (c === '/' && src[i + 1] === '/') i = src.indexOf('\n', i);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced braces at ${open}`);
}

/** `Key: value` pairs at depth 0 of a composite literal's body. */
function fields(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(?:\/\/[^\n]*\n\s*)*(\w+|"[\w]+"|globalvar\.\w+)\s*:\s*/.exec(body.slice(i));
    if (!m) break;
    let j = i + m[0].length;
    const start = j;
    while (j < body.length && body[j] !== ',' && body[j] !== '\n') {
      if (body[j] === '{') j = closeOf(body, j);
      else j++;
    }
    out.set((m[1] as string).replace(/"/g, ''), body.slice(start, j).trim());
    i = j + 1;
  }
  return out;
}

const KINDS: Record<string, Kind> = {
  TypeString: 'string',
  TypeInt: 'number',
  TypeFloat: 'number',
  TypeBool: 'bool',
  TypeList: 'list',
  TypeSet: 'set',
  TypeMap: 'map',
};
const kindOf = (t: string | undefined): Kind => KINDS[t?.replace('schema.', '') ?? ''] ?? 'any';

/** The schema of a `map[string]*schema.Schema{ ... }` literal; names: globalvar constant -> attribute name. */
function schemaMap(src: string, names: Map<string, string>): Schema {
  const schema: Schema = { attributes: {}, blocks: {} };
  const open = src.indexOf('map[string]*schema.Schema{') + 'map[string]*schema.Schema'.length;
  for (const [key, value] of fields(src.slice(open + 1, closeOf(src, open) - 1))) {
    const name = names.get(key) ?? key;
    const f = fields(value.slice(value.indexOf('{') + 1, -1));
    const settable = f.get('Required') === 'true' || f.get('Optional') === 'true';
    if (!settable) continue;
    const required = f.get('Required') === 'true';
    const kind = kindOf(f.get('Type'));
    const elem = f.get('Elem') ?? '';
    if ((kind === 'list' || kind === 'set') && elem.startsWith('&schema.Resource')) {
      const nesting = f.get('MaxItems') === '1' ? 'single' : 'list';
      schema.blocks[name] = { nesting, required, block: schemaMap(elem, names) };
    } else {
      const element = /Type:\s*(schema\.\w+)/.exec(elem)?.[1] ?? (elem.startsWith('schema.') ? elem : undefined);
      const a: Attribute = { kind, required };
      if (kind === 'list' || kind === 'set' || kind === 'map') a.element = element ? kindOf(element) : 'string';
      schema.attributes[name] = a;
    }
  }
  return schema;
}

type Git = (...args: string[]) => string;

/** globalvar constant -> attribute name: names the provider's schema spells as constants (internal/globalvar/*.go). */
function globalNames(git: Git, ref: string): Map<string, string> {
  const src = git('ls-tree', '--name-only', ref, 'internal/globalvar/')
    .split('\n')
    .filter((f) => f.endsWith('.go'))
    .map((f) => git('show', `${ref}:${f}`))
    .join('\n');
  return new Map([...src.matchAll(/(\w+)\s*=\s*"(\w+)"/g)].map((m) => [`globalvar.${m[1]}`, m[2] as string]));
}

/** Every registered resource and data source name, and the schema of the resources in FAMILIES. */
function resources(git: Git, ref: string, names: Map<string, string>) {
  const files = git('ls-tree', '-r', '--name-only', ref, 'internal/service').split('\n');
  const out = { resource: {} as Record<string, Schema>, all: [] as string[], data: [] as string[] };
  for (const reg of files.filter((f) => /\/register_(resource|datasource)\.go$/.test(f))) {
    const dir = reg.slice(0, reg.lastIndexOf('/'));
    for (const [, kind, type, fn] of git('show', `${ref}:${reg}`).matchAll(
      /Register(Resource|Datasource)\("(\w+)", (\w+)\(\)\)/g,
    )) {
      (kind === 'Datasource' ? out.data : out.all).push(type as string);
      if (kind === 'Datasource' || !FAMILIES.some((f) => (type as string).startsWith(f))) continue;
      const head = `func ${fn}() *schema.Resource {`;
      const file = git('grep', '-l', '-F', head, ref, '--', dir)
        .split('\n')[0]
        ?.slice(ref.length + 1);
      if (!file) continue;
      const src = git('show', `${ref}:${file}`);
      const at = src.indexOf(head);
      out.resource[type as string] = schemaMap(src.slice(at, closeOf(src, src.indexOf('{', at))), names);
    }
  }
  return out;
}

function main(): void {
  const [gitDir, ref = 'HEAD'] = process.argv.slice(2);
  if (!gitDir) throw new Error('usage: provider-schema-oci.ts <git dir of terraform-provider-oci> [<ref>]');
  const git: Git = (...args) =>
    execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const version = /const Version = "([\d.]+)"/.exec(git('show', `${ref}:internal/globalvar/version.go`))?.[1] as string;
  const commit = git('rev-parse', ref).trim();
  const names = globalNames(git, ref);
  const found = resources(git, ref, names);
  const provider = git('show', `${ref}:internal/provider/provider.go`);
  const out = {
    provider: 'oci',
    providerVersion: version,
    extractedFrom: `github.com/oracle/terraform-provider-oci v${version} (commit ${commit}): internal/service/*/ schema literals`,
    providerConfig: schemaMap(provider.slice(provider.indexOf('func SchemaMap()')), names),
    typeNames: { resource: found.all.sort(), data: found.data.sort() },
    resource: Object.fromEntries(Object.entries(found.resource).sort()),
    data: {},
  };
  const target = join(fileURLToPath(new URL('../', import.meta.url)), 'test/deploy/schemas/oci.json');
  writeFileSync(target, `${JSON.stringify(out)}\n`);
  console.log(`oci ${version}: ${Object.keys(found.resource).length} resources kept`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
