import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.ts';
import type { VerificationKey } from '../protocol/verify.ts';
import type { Config } from './schema.ts';

/** Shortest secret accepted: `mirror-vip keygen` makes 43 characters (256 bits). */
export const MIN_SECRET_LENGTH = 32;

/** How to read a secret from a store that needs a cloud client (`ssm` → Parameter Store, `gcp-sm` → Secret Manager, `oci-vault` → OCI Vault). */
export type SecretStores = Partial<Record<'ssm' | 'gcp-sm' | 'oci-vault', (name: string) => Promise<string>>>;

/** Read one secret reference (env:, file:, or a store of this runtime); the value never ends in a newline. */
export async function readSecret(ref: string, env: Record<string, string | undefined>, stores: SecretStores) {
  const [source, ...rest] = ref.split(':');
  const where = rest.join(':');
  if (source === 'env') {
    const v = env[where];
    if (v === undefined || v === '') throw new Error(`environment variable ${where} is not set`);
    return v;
  }
  if (source === 'file') return (await readFile(where, 'utf8')).replace(/\r?\n$/, '');
  const store = stores[source as keyof SecretStores];
  if (!store) throw new Error(`no ${source} client in this runtime`);
  // A value stored with `--value "$(cat key)"` or from a file may keep its newline; the key never ends in one.
  return (await store(where)).replace(/\r?\n$/, '');
}

/** Read every member key the configuration references, once, at cold start; a failure names the field. */
export async function resolveKeys(
  config: Config,
  env: Record<string, string | undefined>,
  stores: SecretStores = {},
): Promise<Map<string, VerificationKey>> {
  const jobs = config.mirrors.flatMap((m, mi) =>
    m.keys.map(async (k, ki) => {
      const field = `mirrors[${mi}].keys[${ki}].secret (${k.secret})`;
      let secret: string;
      try {
        secret = await readSecret(k.secret, env, stores);
      } catch (e: unknown) {
        throw new ConfigError(`${field}: cannot read the secret: ${(e as Error).message}`, { cause: e });
      }
      if (secret.length < MIN_SECRET_LENGTH) {
        throw new ConfigError(`${field}: secret is shorter than ${MIN_SECRET_LENGTH} characters`);
      }
      return { id: k.id, secret, mirror: m.name, member: k.member } satisfies VerificationKey;
    }),
  );
  return new Map((await Promise.all(jobs)).map((k) => [k.id, k]));
}
