import { ConfigError } from '../errors.ts';
import type { VerificationKey } from '../protocol/verify.ts';
import type { Config } from './schema.ts';
import { resolveKeys, type SecretStores } from './secrets.ts';

/** Read the operator keys (config.operatorKeys) like member keys, at cold start; a failure names operatorKeys[i]. */
export async function resolveOperatorKeys(
  config: Config,
  env: Record<string, string | undefined>,
  stores: SecretStores = {},
): Promise<Map<string, VerificationKey>> {
  const keys = config.operatorKeys ?? [];
  if (keys.length === 0) return new Map();
  const memberIds = new Set(config.mirrors.flatMap((m) => m.keys.map((k) => k.id)));
  const clash = keys.find((k) => memberIds.has(k.id));
  if (clash) throw new ConfigError(`operatorKeys: ${clash.id} is also a member key id; an operator key is its own key`);
  // The same secret sources and rules as member keys, read by the same code.
  const asMirror = { name: '(operators)', keys: keys.map((k) => ({ ...k, member: 'operator' })) };
  try {
    return await resolveKeys({ ...config, mirrors: [asMirror] } as unknown as Config, env, stores);
  } catch (e: unknown) {
    if (e instanceof ConfigError)
      throw new ConfigError(e.message.replace('mirrors[0].keys[', 'operatorKeys['), { cause: e });
    throw e;
  }
}
