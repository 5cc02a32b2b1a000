import { createHash } from 'node:crypto';
import { CONFIG_ENV, loadConfig, parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { VAULT_SECRET_OCID } from '../../shared/config/schema-oci.ts';
import { ConfigError } from '../../shared/errors.ts';

/** The SHA-256 (hex) of the document terraform/oci wrote into the Vault (config_in_vault); checked at cold start. */
export const CONFIG_SHA256_ENV = 'MIRROR_VIP_CONFIG_SHA256';
const VAULT_REF = 'oci-vault:';

/** The compartment whose public IPs and route tables a scheduled reconcile lists (terraform/oci: compartment_ocid). */
export const COMPARTMENT_ENV = 'MIRROR_VIP_COMPARTMENT_ID';
// the root compartment's OCID is the tenancy's (docs.oracle.com/iaas/Content/General/Concepts/identifiers.htm)
const COMPARTMENT_OCID = /^ocid1\.(compartment|tenancy)\.oc\d+\.[a-z0-9-]*\.[a-z0-9]{1,255}$/;

/** The deployment's compartment (MIRROR_VIP_COMPARTMENT_ID), undefined when unset; a malformed one is refused. */
export function compartmentFromEnv(env: Record<string, string | undefined>): string | undefined {
  const value = env[COMPARTMENT_ENV]?.trim();
  if (!value) return undefined;
  if (!COMPARTMENT_OCID.test(value)) {
    throw new ConfigError(
      `${COMPARTMENT_ENV}: must be a compartment OCID (ocid1.compartment.oc1..<unique id>, or the tenancy's OCID for the root compartment)`,
    );
  }
  return value;
}

/** The Vault secret holding the configuration (`MIRROR_VIP_CONFIG=oci-vault:<secret OCID>`), or null when inline. */
export function configSecretRef(env: Record<string, string | undefined>): string | null {
  const inline = env[CONFIG_ENV.inline];
  if (!inline?.startsWith(VAULT_REF)) return null;
  const id = inline.slice(VAULT_REF.length);
  if (!VAULT_SECRET_OCID.test(id)) {
    throw new ConfigError(`${CONFIG_ENV.inline}: oci-vault: must name a Vault secret OCID (ocid1.vaultsecret.…)`);
  }
  return id;
}

/** The region a secret lives in: the function's own (resource principal), else the OCID's region segment. */
export function configSecretRegion(env: Record<string, string | undefined>, secretId: string): string {
  return env.OCI_RESOURCE_PRINCIPAL_REGION || (secretId.split('.')[3] ?? '');
}

/**
 * The configuration: inline or a file (loadConfig), or — over OCI Functions' 4 KB configuration cap — the CURRENT
 * version of a Vault secret, read once at cold start and checked against MIRROR_VIP_CONFIG_SHA256 when set.
 */
export async function loadOciConfig(
  env: Record<string, string | undefined>,
  readSecret: (secretId: string) => Promise<string>,
): Promise<Config> {
  const id = configSecretRef(env);
  if (id === null) return loadConfig(env);
  let text: string;
  try {
    text = await readSecret(id);
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError(`${CONFIG_ENV.inline}: cannot read the configuration from Vault secret ${id}: ${why}`, {
      cause: e,
    });
  }
  const want = env[CONFIG_SHA256_ENV]?.trim().toLowerCase();
  const got = createHash('sha256').update(text, 'utf8').digest('hex');
  // an apply writes the secret, then the function's digest: a mismatch is a document terraform did not write
  if (want && want !== got) {
    throw new ConfigError(
      `${CONFIG_SHA256_ENV}: Vault secret ${id} holds a document whose SHA-256 is ${got}, not the ${want} terraform wrote`,
    );
  }
  return parseConfig(text, `${CONFIG_ENV.inline} (Vault secret ${id})`);
}
