import { ConfigError } from '../../errors.ts';

/** Environment variables that point the OCI clients elsewhere than the region's endpoints (an emulator). */
export const OCI_ENV = {
  /** Base URL of the VirtualNetwork API without /20160918 (the SDK appends it). */
  endpoint: 'MIRROR_VIP_OCI_ENDPOINT',
  /** Base URL of the Vault secrets API without /20190301. */
  secretsEndpoint: 'MIRROR_VIP_OCI_SECRETS_ENDPOINT',
  /** Base URL of the Vault management API (UpdateSecret: the pause secrets) without /20180608. */
  vaultEndpoint: 'MIRROR_VIP_OCI_VAULT_ENDPOINT',
  /** API-key signing instead of the resource principal: `tenancy/user/fingerprint` and a PEM file. */
  keyId: 'MIRROR_VIP_OCI_KEY_ID',
  keyFile: 'MIRROR_VIP_OCI_KEY_FILE',
} as const;

/** An endpoint from the environment, checked: http(s) URL without a trailing slash. */
export function parseOciEndpoint(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^https?:\/\/[^/\s]+$/.test(v.replace(/\/+$/, ''))) {
    throw new ConfigError(`${name}: must be a base URL such as http://127.0.0.1:8080`);
  }
  return v.replace(/\/+$/, '');
}
