import type { AuthenticationDetailsProvider } from 'oci-common';
import { SecretsClient } from 'oci-secrets';
import { NO_SDK_RETRY } from './oci-sdk.ts';

export interface VaultOptions {
  auth: AuthenticationDetailsProvider;
  region: string;
  /** Overrides the region's secrets endpoint (an emulator); the SDK appends /20190301. */
  endpoint?: string;
  timeoutMs?: number;
}

/** Read the CURRENT version of a Vault secret by OCID (GetSecretBundle) and decode its base64 content. */
export function vaultSecretReader(opts: VaultOptions): (secretId: string) => Promise<string> {
  const client = new SecretsClient({ authenticationDetailsProvider: opts.auth }, NO_SDK_RETRY);
  if (opts.endpoint) client.endpoint = opts.endpoint;
  else client.regionId = opts.region;
  return async (secretId) => {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 5000);
    const res = await Promise.race([
      client.getSecretBundle({ secretId }),
      new Promise<never>((_, reject) =>
        timeout.addEventListener('abort', () => reject(new Error(`Vault did not answer for ${secretId} in time`))),
      ),
    ]);
    const content = (res.secretBundle.secretBundleContent as { content?: string } | undefined)?.content;
    if (typeof content !== 'string') throw new Error(`${secretId} has no base64 content`);
    return Buffer.from(content, 'base64').toString('utf8');
  };
}
