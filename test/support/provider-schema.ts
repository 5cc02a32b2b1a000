// Checks .tf files against provider schemas extracted from references nobody here wrote (test/deploy/schemas/).
// Terraform itself would refuse each thing reported here at `terraform validate` / `plan`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import type { Attribute, Kind, Schema } from '../../scripts/provider-schema-extract.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };
/** One provider's extract (test/deploy/schemas/<provider>.json). */
export interface ProviderExtract {
  provider: string;
  providerVersion: string;
  typeNames: { resource: string[]; data: string[] };
  providerConfig: Schema;
  resource: Record<string, Schema>;
  data: Record<string, Schema>;
}

const META = new Set([
  'alias',
  'count',
  'for_each',
  'depends_on',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);
/** A provider block's own meta-argument. */
const PROVIDER_META = new Set(['alias']);
const SCHEMAS = join(import.meta.dirname, '../deploy/schemas');

/** Loads the extract of each provider in the list (file name = provider local name). */
export function loadExtracts(names: string[]): Map<string, ProviderExtract> {
  return new Map(
    names.map((n) => [n, JSON.parse(readFileSync(join(SCHEMAS, `${n}.json`), 'utf8')) as ProviderExtract]),
  );
}

/** True when an hcl2json string is one whole `${ ... }` expression, whose kind is only known at plan time. */
function isExpression(s: string): boolean {
  if (!s.startsWith('${') || !s.endsWith('}')) return false;
  let depth = 0;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

const isObject = (v: Json): v is Body => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Functions that always return a string (Terraform's function reference): a call of one is a string. */
const STRING_FUNCTIONS =
  'jsonencode|yamlencode|format|join|file|templatefile|base64encode|base64decode|filebase64|lower|upper|title|replace|trimprefix|trimsuffix|trimspace|chomp|substr|tostring|md5|sha1|sha256|sha512|uuid|timestamp|formatdate|urlencode';
const STRING_CALL = new RegExp(`^\\$\\{(?:${STRING_FUNCTIONS})\\(`);

/** The kind of a whole expression when its form alone decides it (one call of a string function); else null. */
function expressionKind(s: string): 'string' | null {
  if (!STRING_CALL.test(s)) return null;
  let depth = 0;
  for (let i = s.indexOf('('); i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i === s.length - 2 ? 'string' : null;
  }
  return null;
}

/** Why a literal value cannot be converted to the kind the schema wants, or null when it fits. */
function misfit(v: Json, kind: Kind, element: Kind | undefined): string | null {
  if (kind === 'any' || v === null) return null;
  if (typeof v === 'string' && isExpression(v)) {
    const known = expressionKind(v);
    const fits = known === null || kind === 'string' || kind === 'number' || kind === 'bool';
    return fits ? null : `wants a ${kind} of ${element ?? 'any'}, got a string (${v.slice(2, v.indexOf('('))}(...))`;
  }
  const shown = Array.isArray(v) ? 'a list' : isObject(v) ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
  switch (kind) {
    case 'string':
      return Array.isArray(v) || isObject(v) ? `wants a string, got ${shown}` : null;
    case 'number':
      return typeof v === 'number' || (typeof v === 'string' && (/^-?\d+(\.\d+)?$/.test(v) || v.includes('${')))
        ? null
        : `wants a number, got ${shown}`;
    case 'bool':
      return typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$|\$\{/.test(v))
        ? null
        : `wants a bool, got ${shown}`;
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) return `wants a ${kind} of ${element ?? 'any'}, got ${shown}`;
      for (const x of v) {
        const why = misfit(x, element ?? 'any', undefined);
        if (why) return `element ${why}`;
      }
      return null;
    }
    case 'map': {
      if (!isObject(v)) return `wants a map of ${element ?? 'any'}, got ${shown}`;
      for (const x of Object.values(v)) {
        const why = misfit(x, element ?? 'any', undefined);
        if (why) return `value ${why}`;
      }
      return null;
    }
  }
  return null;
}

const attributeProblem = (path: string, v: Json, a: Attribute) => {
  const why = misfit(v, a.kind, a.element);
  return why ? [`${path}: ${why}`] : [];
};

/** Every way `body` breaks `schema`: unknown names, argument/block misuse, repeats, missing required, bad kinds. */
export function checkBody(body: Body, schema: Schema, path: string, meta: Set<string> = META): string[] {
  const problems: string[] = [];
  const present = new Set(Object.keys(body));
  const dynamic = isObject(body.dynamic ?? null) ? (body.dynamic as Body) : {};
  for (const [name, uses] of Object.entries(dynamic)) {
    present.add(name);
    const nested = schema.blocks[name];
    if (!nested) {
      problems.push(
        `${path}: dynamic "${name}": ${schema.attributes[name] ? 'is an argument, not a block' : 'no such block'}`,
      );
      continue;
    }
    for (const use of Array.isArray(uses) ? uses : [])
      for (const content of isObject(use) && Array.isArray(use.content) ? use.content : [])
        if (isObject(content)) problems.push(...checkBody(content, nested.block, `${path}.${name}`));
  }
  for (const [name, v] of Object.entries(body)) {
    if (meta.has(name) || name === 'dynamic') continue;
    const nested = schema.blocks[name];
    const attr = schema.attributes[name];
    if (nested) {
      const list = Array.isArray(v) && v.every(isObject) ? (v as Body[]) : null;
      if (!list) problems.push(`${path}.${name}: is a block, written as an argument (${name} = ...)`);
      else if (nested.nesting === 'single' && list.length > 1)
        problems.push(`${path}.${name}: at most one block allowed, found ${list.length}`);
      for (const b of list ?? []) problems.push(...checkBody(b, nested.block, `${path}.${name}`));
    } else if (attr) {
      const asBlock = Array.isArray(v) && v.length > 0 && v.every(isObject) && attr.element !== 'any';
      if (asBlock) problems.push(`${path}.${name}: is an argument, written as a block`);
      else problems.push(...attributeProblem(`${path}.${name}`, v, attr));
    } else problems.push(`${path}.${name}: no such argument or block`);
  }
  for (const [name, a] of Object.entries(schema.attributes))
    if (a.required && !present.has(name)) problems.push(`${path}: required argument ${name} is missing`);
  for (const [name, b] of Object.entries(schema.blocks))
    if (b.required && !present.has(name)) problems.push(`${path}: required block ${name} is missing`);
  return problems;
}

/** The provider local name of a type: the part before the first underscore. */
const providerOf = (type: string) => type.slice(0, type.indexOf('_'));

/** Every schema violation in one .tf file's text (resources and data sources). */
export async function checkFile(file: string, text: string, extracts: Map<string, ProviderExtract>): Promise<string[]> {
  const tf = (await parse(file, text)) as Record<string, Json>;
  const problems: string[] = [];
  for (const kind of ['resource', 'data'] as const) {
    const byType = isObject(tf[kind] ?? null) ? (tf[kind] as Body) : {};
    for (const [type, named] of Object.entries(byType)) {
      const extract = extracts.get(providerOf(type));
      const label = `${file}: ${kind === 'data' ? 'data.' : ''}${type}`;
      if (!extract) {
        problems.push(`${label}: no schema extract for provider ${providerOf(type)}`);
        continue;
      }
      const schema = extract[kind][type];
      if (!schema) {
        const exists = extract.typeNames[kind].includes(type);
        problems.push(
          exists
            ? `${label}: not in the extract; add its family to scripts/provider-schemas.ts and regenerate`
            : `${label}: no such ${kind} type in ${extract.provider} ${extract.providerVersion}`,
        );
        continue;
      }
      for (const [name, bodies] of Object.entries(isObject(named) ? named : {}))
        for (const body of Array.isArray(bodies) ? bodies : [])
          if (isObject(body)) problems.push(...checkBody(body, schema, `${label}.${name}`));
    }
  }
  const providers = isObject(tf.provider ?? null) ? (tf.provider as Body) : {};
  for (const [name, bodies] of Object.entries(providers)) {
    const extract = extracts.get(name);
    if (!extract) {
      problems.push(`${file}: provider "${name}": no schema extract`);
      continue;
    }
    for (const body of Array.isArray(bodies) ? bodies : [])
      if (isObject(body))
        problems.push(...checkBody(body, extract.providerConfig, `${file}: provider.${name}`, PROVIDER_META));
  }
  return problems;
}

/** The .tf files directly in `dir` (a module or an example root). */
export const tfFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
