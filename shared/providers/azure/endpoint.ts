import { ConfigError } from '../../errors.ts';

/** Environment variables of the Azure function besides the configuration (see shared/config/load.ts). */
export const AZURE_ENV = {
  /** Resource Manager base URL, e.g. an emulator `https://127.0.0.1:8443`; default https://management.azure.com. */
  armEndpoint: 'MIRROR_VIP_AZURE_ARM_ENDPOINT',
  /** Client id of the user-assigned managed identity (the platform's own variable name). */
  clientId: 'AZURE_CLIENT_ID',
} as const;

export const ARM_URL = 'https://management.azure.com';

/** The Resource Manager URL from the environment: https only, since the bearer token must never travel in clear. */
export function armEndpoint(env: Record<string, string | undefined>): string | undefined {
  const raw = env[AZURE_ENV.armEndpoint];
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${AZURE_ENV.armEndpoint}: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:')
    throw new ConfigError(`${AZURE_ENV.armEndpoint}: use https:// (bearer tokens are not sent over http)`);
  return url.origin;
}
