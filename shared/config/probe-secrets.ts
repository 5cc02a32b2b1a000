import type { ProbeSecrets, ProbeSpec } from '../core/probe-kinds.ts';
import { ConfigError } from '../errors.ts';
import type { Config } from './schema.ts';
import { readSecret, type SecretStores } from './secrets.ts';

/** Largest PEM bundle or key read for a probe: a CA bundle of ~150 roots is ~200 KB. */
const MAX_PEM_CHARS = 512 * 1024;

async function read(
  field: string,
  ref: string,
  env: Record<string, string | undefined>,
  stores: SecretStores,
): Promise<string> {
  let value: string;
  try {
    value = await readSecret(ref, env, stores);
  } catch (e: unknown) {
    throw new ConfigError(`${field} (${ref}): cannot read the secret: ${(e as Error).message}`, { cause: e });
  }
  if (value === '') throw new ConfigError(`${field} (${ref}): the secret is empty`);
  if (value.length > MAX_PEM_CHARS) throw new ConfigError(`${field} (${ref}): longer than ${MAX_PEM_CHARS} characters`);
  return value;
}

async function resolveOne(
  spec: ProbeSpec,
  field: string,
  env: Record<string, string | undefined>,
  stores: SecretStores,
): Promise<ProbeSpec> {
  if (spec.kind === 'iris') return spec;
  const { ca, clientCert, clientKey, auth } = spec;
  if (ca === undefined && clientCert === undefined && auth === undefined) return spec;
  const secrets: ProbeSecrets = {};
  if (ca !== undefined) secrets.ca = await read(`${field}.ca`, ca, env, stores);
  if (clientCert !== undefined) secrets.cert = await read(`${field}.clientCert`, clientCert, env, stores);
  if (clientKey !== undefined) secrets.key = await read(`${field}.clientKey`, clientKey, env, stores);
  if (auth !== undefined) {
    const password = await read(`${field}.auth.password`, auth.password, env, stores);
    secrets.authorization = `Basic ${Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64')}`;
  }
  return { ...spec, secrets };
}

/**
 * Read the secrets every mirror's probe references (CA bundle, client certificate and key, basic-auth password),
 * once, at cold start; a failure names the field. They are attached to each mirror's probe spec in place (the
 * runtimes hold one parsed configuration), and the same configuration is returned.
 */
export async function resolveProbeSecrets(
  config: Config,
  env: Record<string, string | undefined>,
  stores: SecretStores = {},
): Promise<Config> {
  const specs = await Promise.all(
    config.mirrors.map((m, mi) => resolveOne(m.health.probe, `mirrors[${mi}].health.probe`, env, stores)),
  );
  config.mirrors.forEach((m, i) => {
    const probe = specs[i];
    if (probe && probe !== m.health.probe) m.health = { ...m.health, probe };
  });
  return config;
}
