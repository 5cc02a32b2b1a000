import { EmulatorApiError, invalidValue, missingParameter } from './errors.ts';

/** Decoded form (query protocol) parameters. */
export type Params = Record<string, string>;

/** One `Filter.N` of a Describe call: the values are alternatives. */
export interface Filter {
  name: string;
  values: string[];
}

/** Decodes an `application/x-www-form-urlencoded` body. */
export function parseForm(body: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/** A parameter that must be present and non-empty. */
export function requireParam(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

/** A parameter that may be absent; an empty value counts as absent. */
export function optionalParam(params: Params, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `Prefix.1`, `Prefix.2`, … in index order (gaps allowed, like the real parser). */
export function listParam(params: Params, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  const found: [number, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    const m = pattern.exec(k);
    if (m?.[1] !== undefined) found.push([Number(m[1]), v]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** A boolean parameter: `true`/`false` (any case), otherwise InvalidParameterValue. */
export function boolParam(params: Params, name: string): boolean | undefined {
  const raw = optionalParam(params, name);
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidValue(`Value (${raw}) for parameter ${name} is invalid. Expected a boolean.`);
}

/** An integer parameter, or InvalidParameterValue. */
export function intParam(params: Params, name: string): number | undefined {
  const raw = optionalParam(params, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidValue(`Value (${raw}) for parameter ${name} is invalid. Expected an integer.`);
  return Number(raw);
}

/** `Filter.N.Name` / `Filter.N.Value.M`; a filter without a name is rejected like EC2 does. */
export function filterParams(params: Params): Filter[] {
  const indexes = new Set<number>();
  for (const k of Object.keys(params)) {
    const m = /^Filter\.(\d+)\./.exec(k);
    if (m?.[1] !== undefined) indexes.add(Number(m[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((i) => {
      const name = optionalParam(params, `Filter.${i}.Name`);
      if (name === undefined) throw new EmulatorApiError('InvalidFilter', `The filter at index ${i} has no name`);
      return { name, values: listParam(params, `Filter.${i}.Value`) };
    });
}
