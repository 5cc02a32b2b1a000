import { readFileSync } from 'node:fs';
import type { AuthenticationDetailsProvider } from 'oci-common';
import * as common from 'oci-common';
import { ConfigError } from '../../errors.ts';
import { OCI_ENV } from './endpoint.ts';

export { OCI_ENV, parseOciEndpoint } from './endpoint.ts';

/** Set by OCI Functions for a function with a dynamic group (resource principal v2.2). */
export const RESOURCE_PRINCIPAL_ENV = 'OCI_RESOURCE_PRINCIPAL_VERSION';

// The SDK's global circuit breaker opens after repeated failures and then refuses calls for 30 s on its own
// clock; mirror-vip bounds failures with its one deadline instead (sdk-notes).
common.CircuitBreaker.EnableGlobalCircuitBreaker = false;

/**
 * How the function signs its calls: an API key when MIRROR_VIP_OCI_KEY_ID/FILE are set (local runs against the
 * emulator, the CLI), else the function's resource principal (the only identity that holds the policy).
 */
export async function ociAuth(
  env: Record<string, string | undefined>,
  /** The CLI on an operator's machine: fall back to ~/.oci/config (DEFAULT profile). */
  configFile = false,
): Promise<AuthenticationDetailsProvider> {
  const keyId = env[OCI_ENV.keyId];
  const keyFile = env[OCI_ENV.keyFile];
  if (keyId || keyFile) {
    const parts = (keyId ?? '').split('/');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      throw new ConfigError(`${OCI_ENV.keyId}: must be tenancy/user/fingerprint`);
    }
    if (!keyFile) throw new ConfigError(`${OCI_ENV.keyFile}: must name the PEM file of ${OCI_ENV.keyId}`);
    let pem: string;
    try {
      pem = readFileSync(keyFile, 'utf8');
    } catch (e: unknown) {
      throw new ConfigError(`${OCI_ENV.keyFile}: cannot read ${keyFile}: ${(e as Error).message}`, { cause: e });
    }
    const [tenancy, user, fingerprint] = parts as [string, string, string];
    return new common.SimpleAuthenticationDetailsProvider(tenancy, user, fingerprint, pem, null);
  }
  if (!env[RESOURCE_PRINCIPAL_ENV] && configFile) return new common.ConfigFileAuthenticationDetailsProvider();
  if (!env[RESOURCE_PRINCIPAL_ENV]) {
    throw new ConfigError(
      `${RESOURCE_PRINCIPAL_ENV} is not set: run as an OCI Function in a dynamic group, or set ${OCI_ENV.keyId} and ${OCI_ENV.keyFile}`,
    );
  }
  return common.ResourcePrincipalAuthenticationDetailsProvider.builder();
}
