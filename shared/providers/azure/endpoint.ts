import { ConfigError } from '../../errors.ts';

/** Environment variables of the Azure function besides the configuration (see shared/config/load.ts). */
export const AZURE_ENV = {
  /** Resource Manager base URL, e.g. an emulator `https://127.0.0.1:8443`; default https://management.azure.com. */
  armEndpoint: 'MIRROR_VIP_AZURE_ARM_ENDPOINT',
  /**
   * Where every vault of MIRROR_VIP_PAUSE_SECRETS is reached instead of https://<vault>.vault.azure.net: a Key Vault
   * emulator (local cloud only; unset in a real deployment).
   */
  keyVaultEndpoint: 'MIRROR_VIP_AZURE_KEYVAULT_ENDPOINT',
  /** Client id of the user-assigned managed identity (the platform's own variable name). */
  clientId: 'AZURE_CLIENT_ID',
} as const;

export const ARM_URL = 'https://management.azure.com';

/** An https origin from the environment: https only, since the bearer token must never travel in clear. */
function httpsOrigin(name: string, env: Record<string, string | undefined>): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new ConfigError(`${name}: use https:// (bearer tokens are not sent over http)`);
  return url.origin;
}

/** The Resource Manager URL from the environment (undefined: the public cloud's). */
export const armEndpoint = (env: Record<string, string | undefined>) => httpsOrigin(AZURE_ENV.armEndpoint, env);

/** The Key Vault emulator's URL from the environment (undefined: each vault's own https://<vault>.vault.azure.net). */
export const keyVaultEndpoint = (env: Record<string, string | undefined>) =>
  httpsOrigin(AZURE_ENV.keyVaultEndpoint, env);
