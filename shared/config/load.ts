import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { type Config, configSchema, type MirrorConfig } from './schema.ts';

/** Environment variables that carry the configuration document. */
export const CONFIG_ENV = { inline: 'MIRROR_VIP_CONFIG', file: 'MIRROR_VIP_CONFIG_FILE' } as const;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
    '',
  );
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${fieldPath(i.path) || '(document)'}: ${i.message}`)
    .join('; ');
}

/** A probe kind's demands on the member URLs: Patroni's primary check is GET /primary; a password needs https. */
function checkProbeUrls(m: MirrorConfig, mi: number): void {
  const probe = m.health.probe;
  m.members.forEach((mem, i) => {
    const field = `mirrors[${mi}].members[${i}].healthUrl`;
    const url = new URL(mem.healthUrl);
    if (probe.kind === 'patroni' && !url.pathname.endsWith('/primary')) {
      throw new ConfigError(
        `${field}: a patroni probe reads Patroni's GET /primary (e.g. https://10.0.1.10:8008/primary)`,
      );
    }
    if (probe.kind !== 'iris' && url.protocol !== 'https:' && (probe.auth || probe.ca || probe.clientCert)) {
      throw new ConfigError(`${field}: health.probe sets a password or TLS material, so the URL must be https`);
    }
  });
  if (probe.kind !== 'iris' && (probe.clientCert === undefined) !== (probe.clientKey === undefined)) {
    throw new ConfigError(`mirrors[${mi}].health.probe.clientCert: give clientCert and clientKey together`);
  }
}

function checkReferences(config: Config): void {
  const seenMirrors = new Set<string>();
  const seenKeys = new Set<string>();
  config.mirrors.forEach((m, mi) => {
    if (seenMirrors.has(m.name)) throw new ConfigError(`mirrors[${mi}].name: duplicate mirror name "${m.name}"`);
    seenMirrors.add(m.name);
    checkProbeUrls(m, mi);
    const members = new Set<string>();
    m.members.forEach((mem, i) => {
      if (members.has(mem.name)) throw new ConfigError(`mirrors[${mi}].members[${i}].name: duplicate "${mem.name}"`);
      members.add(mem.name);
    });
    m.keys.forEach((k, ki) => {
      if (!members.has(k.member)) {
        throw new ConfigError(`mirrors[${mi}].keys[${ki}].member: "${k.member}" is not a member of ${m.name}`);
      }
      if (seenKeys.has(k.id)) throw new ConfigError(`mirrors[${mi}].keys[${ki}].id: duplicate key id "${k.id}"`);
      seenKeys.add(k.id);
    });
  });
}

/** Parse and validate a configuration document; the error names the first fields that are wrong. */
export function parseConfig(text: string, source = 'configuration'): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new ConfigError(`${source} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${source} is invalid: ${describe(parsed.error)}`);
  checkReferences(parsed.data);
  return parsed.data;
}

/** Read the configuration named by the environment: inline JSON or a file path. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const inline = env[CONFIG_ENV.inline];
  const file = env[CONFIG_ENV.file];
  if (inline && file) throw new ConfigError(`set only one of ${CONFIG_ENV.inline} and ${CONFIG_ENV.file}`);
  if (inline) return parseConfig(inline, CONFIG_ENV.inline);
  if (!file) throw new ConfigError(`${CONFIG_ENV.inline} or ${CONFIG_ENV.file} must be set`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(`${CONFIG_ENV.file}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(text, `${CONFIG_ENV.file} (${file})`);
}

/** Refuse at cold start a mirror of another cloud: each function holds only its own cloud's clients. */
export function requireCloud<C extends MirrorConfig['cloud']>(
  config: Config,
  cloud: C,
): Extract<MirrorConfig, { cloud: C }>[] {
  return config.mirrors.map((m, i) => {
    if (m.cloud !== cloud) {
      throw new ConfigError(
        `mirrors[${i}].cloud: ${m.name} is a ${m.cloud} mirror; this function moves ${cloud} mirrors only`,
      );
    }
    return m as Extract<MirrorConfig, { cloud: C }>;
  });
}
