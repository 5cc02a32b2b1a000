import type { AuthenticationDetailsProvider } from 'oci-common';
import { SecretsClient } from 'oci-secrets';
import { models, VaultsClient } from 'oci-vault';
import type { SecretSlot } from '../../config/paused.ts';
import { classifyOciError } from './oci-errors.ts';
import { NO_SDK_RETRY } from './oci-sdk.ts';

export interface VaultOptions {
  auth: AuthenticationDetailsProvider;
  region: string;
  /** Overrides the region's secrets endpoint (an emulator); the SDK appends /20190301. */
  endpoint?: string;
  /** Overrides the region's Vault management endpoint (vaults.<region>…); the SDK appends /20180608. */
  managementEndpoint?: string;
  timeoutMs?: number;
}

/** One call under the options' timeout: the SDK's own retries are off (NO_SDK_RETRY), a slow Vault is an error. */
function bounded<T>(opts: VaultOptions, secretId: string, call: Promise<T>): Promise<T> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 5000);
  return Promise.race([
    call,
    new Promise<never>((_, reject) =>
      timeout.addEventListener('abort', () => reject(new Error(`Vault did not answer for ${secretId} in time`))),
    ),
  ]);
}

/**
 * The Vault calls and the grant each needs on the one secret it names (`where target.secret.id = '<OCID>'`): Vault
 * policy reference (docs.oracle.com/iaas/Content/Identity/Reference/keypolicyreference.htm), secret-bundles read
 * SECRET_BUNDLE_READ; secrets use SECRET_UPDATE. terraform/oci iam.tf grants these; test/deploy/terraform-oci.test.ts.
 */
export const OCI_VAULT_CALLS = {
  getSecretBundle: {
    op: 'GetSecretBundle',
    verb: 'read',
    resource: 'secret-bundles',
    permissions: ['SECRET_BUNDLE_READ'],
  },
  updateSecret: { op: 'UpdateSecret', verb: 'use', resource: 'secrets', permissions: ['SECRET_UPDATE'] },
} as const;

/** Read the CURRENT version of a Vault secret by OCID (GetSecretBundle) and decode its base64 content. */
export function vaultSecretReader(opts: VaultOptions): (secretId: string) => Promise<string> {
  const client = new SecretsClient({ authenticationDetailsProvider: opts.auth }, NO_SDK_RETRY);
  if (opts.endpoint) client.endpoint = opts.endpoint;
  else client.regionId = opts.region;
  return async (secretId) => {
    const res = await bounded(opts, secretId, client.getSecretBundle({ secretId }));
    const content = (res.secretBundle.secretBundleContent as { content?: string } | undefined)?.content;
    if (typeof content !== 'string') throw new Error(`${secretId} has no base64 content`);
    return Buffer.from(content, 'base64').toString('utf8');
  };
}

/**
 * The pause secrets on OCI: read the CURRENT version (GetSecretBundle; every OCI secret has one), write with
 * UpdateSecret's secretContent, which adds a version and makes it CURRENT (`use secrets` on that secret only).
 */
export function vaultSecretSlot(opts: VaultOptions): SecretSlot {
  const read = vaultSecretReader(opts);
  const client = new VaultsClient({ authenticationDetailsProvider: opts.auth }, NO_SDK_RETRY);
  if (opts.managementEndpoint) client.endpoint = opts.managementEndpoint;
  else client.regionId = opts.region;
  return {
    // a failure names the call, the secret and OCI's answer (the operator sees it: pause / resume, inspect)
    read: (secretId) =>
      read(secretId).catch((e: unknown) => Promise.reject(classifyOciError(`GetSecretBundle ${secretId}`, e))),
    async write(secretId, text) {
      const secretContent: models.Base64SecretContentDetails = {
        contentType: models.Base64SecretContentDetails.contentType,
        content: Buffer.from(text).toString('base64'),
        stage: models.SecretContentDetails.Stage.Current,
      };
      await bounded(opts, secretId, client.updateSecret({ secretId, updateSecretDetails: { secretContent } })).catch(
        (e: unknown) => Promise.reject(classifyOciError(`UpdateSecret ${secretId}`, e)),
      );
    },
  };
}
