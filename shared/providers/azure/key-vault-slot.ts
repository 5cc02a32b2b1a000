import type { TokenCredential } from '@azure/core-auth';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { SecretSlot } from '../../config/paused.ts';
import { ProviderError } from '../../errors.ts';

/** A pause secret's reference: its versionless id, https://<vault>.vault.azure.net/secrets/<name>. */
export const PAUSE_SECRET_REF = /^https:\/\/[a-z0-9-]{3,24}\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]{1,127}$/;
export const PAUSE_SECRET_FORM = 'https://<vault>.vault.azure.net/secrets/<name>';

export interface KeyVaultSlotOptions {
  /** Reach every vault at this origin instead (a Key Vault emulator); unset in a real deployment. */
  endpoint?: string;
  /** Extra CA certificates (PEM) to trust, e.g. an emulator's self-signed certificate. */
  ca?: string;
  /** Budget of one get or set, token and challenge included. */
  timeoutMs?: number;
}

/** The only outcome the slot reads as "no version yet": Key Vault's SecretNotFound (the secret does not exist). */
const notFound = (e: unknown) => (e as { code?: string }).code === 'SecretNotFound';

function failure(op: string, ref: string, e: unknown): ProviderError {
  const err = e as { statusCode?: number; code?: string; message?: string; name?: string };
  const what = err.statusCode ? `HTTP ${err.statusCode} ${err.code ?? ''}`.trim() : (err.code ?? err.name ?? 'Error');
  const message = `Key Vault ${op} ${ref} failed: ${what}: ${(err.message ?? String(e)).split('\n')[0]?.slice(0, 200)}`;
  return new ProviderError(message, { cause: e, detail: { op, status: err.statusCode, apiCode: err.code } });
}

/**
 * The Key Vault data actions of each call below, granted on the pause secret alone (Azure resource provider operations,
 * Microsoft.KeyVault; terraform/azure pause.tf `pause_data_actions`, kept equal by test/deploy/terraform-azure.test.ts).
 */
export const KEY_VAULT_DATA_ACTIONS = {
  getSecret: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  setSecret: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
} as const;

/**
 * The pause secrets in Key Vault through @azure/keyvault-secrets: getSecret (the latest version) and setSecret (a new
 * version), the two data actions the function's role holds on each pause secret. One client per vault; the SDK's
 * retries are off and each call has its own budget, so an unreachable vault costs one timeout, never a retry loop.
 */
export function keyVaultSlot(credential: TokenCredential, o: KeyVaultSlotOptions = {}): SecretSlot {
  const clients = new Map<string, Promise<SecretClient>>();
  const split = (ref: string) => {
    const url = new URL(ref);
    return { vault: url.origin, name: url.pathname.split('/')[2] ?? '' };
  };
  const client = (vault: string) => {
    const at = o.endpoint ?? vault;
    let c = clients.get(at);
    if (!c) {
      c = import('@azure/keyvault-secrets').then(
        ({ SecretClient }) =>
          new SecretClient(at, credential, {
            retryOptions: { maxRetries: 0 },
            ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
            // the emulator's 127.0.0.1 is not a subdomain of the challenge's vault.azure.net: only then
            ...(o.endpoint ? { disableChallengeResourceVerification: true } : {}),
          }),
      );
      clients.set(at, c);
    }
    return c;
  };
  const opts = () => ({ abortSignal: AbortSignal.timeout(o.timeoutMs ?? 3000) });
  return {
    async read(ref) {
      const { vault, name } = split(ref);
      try {
        return (await (await client(vault)).getSecret(name, opts())).value ?? null;
      } catch (e: unknown) {
        if (notFound(e)) return null;
        throw failure('getSecret', ref, e);
      }
    },
    async write(ref, text) {
      const { vault, name } = split(ref);
      try {
        await (await client(vault)).setSecret(name, text, { ...opts(), contentType: 'application/json' });
      } catch (e: unknown) {
        throw failure('setSecret', ref, e);
      }
    },
  };
}
