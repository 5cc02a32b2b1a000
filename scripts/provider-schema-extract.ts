// Reads a Terraform provider's schema out of the npm package that cdktf / cdktn generated from it (the generator
// reads `terraform providers schema -json`; we read what it wrote: the argument tables in lib/<type>/index.js and
// the optional marks in lib/<type>/index.d.ts). Used by scripts/provider-schemas.ts; see test/deploy/schemas/README.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The value kind an argument takes: what a literal in a .tf file must fit. */
export type Kind = 'string' | 'number' | 'bool' | 'list' | 'set' | 'map' | 'any';
export interface Attribute {
  kind: Kind;
  /** Element kind of a list, set or map. */
  element?: Kind;
  required: boolean;
}
export interface NestedBlock {
  /** single: at most one (max_items = 1); list: repeated. */
  nesting: 'single' | 'list';
  required: boolean;
  block: Schema;
}
export interface Schema {
  attributes: Record<string, Attribute>;
  blocks: Record<string, NestedBlock>;
}

interface Entry {
  name: string;
  camel: string | undefined;
  isBlock: boolean;
  type: string;
  storage: string;
  struct: string | undefined;
}
interface Prop {
  optional: boolean;
  type: string;
}

const ENTRY =
  /\n\s+(\w+): \{\n\s+value: (.*),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\}/g;

/** The argument table of one `const attrs = { ... };` body. */
function entries(body: string): Entry[] {
  return [...body.matchAll(ENTRY)].map((m) => ({
    name: m[1] as string,
    camel: /(?:struct\.|this\._)(\w+)/.exec(m[2] as string)?.[1],
    isBlock: m[3] === 'true',
    type: m[4] as string,
    storage: m[5] as string,
    struct: /(?<!cdk\w{2}\.)\b(\w+)ToHclTerraform\b/.exec(m[2] as string)?.[1],
  }));
}

/** The attrs body that follows `start` in the source (up to the closing `};` of the same object). */
function attrsAfter(js: string, start: number): string {
  const open = js.indexOf('const attrs = {', start);
  return js.slice(open, js.indexOf('};', open));
}

/** Interface name -> camel property -> optional flag and type text, from the .d.ts. */
function interfaces(dts: string): Map<string, Map<string, Prop>> {
  const out = new Map<string, Map<string, Prop>>();
  let current: Map<string, Prop> | undefined;
  for (const line of dts.split('\n')) {
    const head = /^export interface (\w+)/.exec(line);
    if (head) {
      current = new Map();
      out.set(head[1] as string, current);
      continue;
    }
    if (line.startsWith('}')) current = undefined;
    const prop = /^ {4}readonly (\w+)(\??): (.*)$/.exec(line);
    if (current && prop) current.set(prop[1] as string, { optional: prop[2] === '?', type: prop[3] as string });
  }
  return out;
}

const SCALAR: Record<string, Kind> = { string: 'string', number: 'number', boolean: 'bool' };

function attribute(e: Entry, prop: Prop | undefined): Attribute {
  const required = prop ? !prop.optional : false;
  if (e.type === 'simple') return { kind: SCALAR[e.storage] ?? 'any', required };
  const element = SCALAR[e.storage.replace(/(List|Map)$/, '')] ?? 'any';
  const kind: Kind = e.type === 'map' ? 'map' : e.type === 'set' ? 'set' : e.type === 'list' ? 'list' : 'any';
  return { kind, element, required };
}

/** The schema of one struct (a nested block) or of the resource's config, by the attrs table's source. */
function schemaOf(js: string, types: Map<string, Map<string, Prop>>, iface: string, body: string): Schema {
  const props = types.get(iface) ?? new Map<string, Prop>();
  const schema: Schema = { attributes: {}, blocks: {} };
  for (const e of entries(body)) {
    const prop = e.camel ? props.get(e.camel) : undefined;
    if (!e.isBlock || !e.struct) {
      schema.attributes[e.name] = attribute(e, prop);
      continue;
    }
    const fn = js.indexOf(`function ${e.struct}ToHclTerraform(struct)`);
    const structName = e.struct.charAt(0).toUpperCase() + e.struct.slice(1);
    const nested = fn < 0 ? { attributes: {}, blocks: {} } : schemaOf(js, types, structName, attrsAfter(js, fn));
    schema.blocks[e.name] = {
      nesting: prop && !/\[\]/.test(prop.type) ? 'single' : 'list',
      required: prop ? !prop.optional : false,
      block: nested,
    };
  }
  return schema;
}

/** Every resource and data source type the package has: type name -> lib folder, split by kind. */
export function typeIndex(pkg: string): { resource: Map<string, string>; data: Map<string, string> } {
  const resource = new Map<string, string>();
  const data = new Map<string, string>();
  for (const dir of readdirSync(join(pkg, 'lib'))) {
    let js: string;
    try {
      js = readFileSync(join(pkg, 'lib', dir, 'index.js'), 'utf8');
    } catch {
      continue;
    }
    const m = /tfResourceType = "(\w+)";/.exec(js);
    if (!m || dir === 'provider') continue;
    (dir.startsWith('data-') ? data : resource).set(m[1] as string, dir);
  }
  return { resource, data };
}

/** The schema of one resource or data source type, from its lib folder. */
export function typeSchema(pkg: string, dir: string): Schema {
  const js = readFileSync(join(pkg, 'lib', dir, 'index.js'), 'utf8');
  const dts = readFileSync(join(pkg, 'lib', dir, 'index.d.ts'), 'utf8');
  // The generated class: `class X extends cdktf.TerraformResource` (or TerraformDataSource, TerraformProvider).
  const cls = /class (\w+) extends cdk\w{2}\.Terraform(?:Resource|DataSource|Provider)\b/.exec(js)?.[1] as string;
  return schemaOf(js, interfaces(dts), `${cls}Config`, attrsAfter(js, js.indexOf('synthesizeHclAttributes()')));
}
