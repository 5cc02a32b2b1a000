import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { MirrorVipError } from '../shared/errors.ts';

/** A new key: an id naming the member and month, and a 256-bit secret as 43 base64url characters. */
export function newKey(member: string, now = new Date()): { keyId: string; secret: string } {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  return {
    keyId: `${member}-${month}-${randomBytes(2).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
}

export interface KeygenOptions {
  cloud: string;
  mirror: string;
  member: string;
  keyId: string;
  out: string;
  region?: string;
  project?: string;
  prefix?: string;
  /** Azure: the Key Vault's name (terraform/azure output key_vault_name). */
  vault?: string;
  /** OCI: the Vault secret's OCID (terraform/oci output vault_secrets[<key id>].id). */
  secretId?: string;
}

/** Where one cloud's deployment expects a member key: the configuration reference and the store command. */
interface SecretStore {
  /** Options this cloud needs (named in the error when missing). */
  needs: (keyof KeygenOptions)[];
  reference: (o: KeygenOptions) => string;
  /** Commands that read the secret from the --out file: never the secret itself on a command line. */
  store: (o: KeygenOptions) => string[];
  note: string;
}

/** terraform/azure's names for a key id: the Key Vault secret and the app setting holding its reference (locals.tf). */
export function azureNames(keyId: string, prefix = 'mirror-vip') {
  return {
    secret: `${prefix}-${keyId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`,
    setting: `MIRROR_VIP_KEY_${keyId.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`,
  };
}

/**
 * One row per cloud, matching what its deployment creates. AWS: serverless.yml / terraform/aws read
 * ssm:<prefix><mirror>/<key-id> and create no parameter. GCP: terraform/gcp creates the secret named in the
 * reference (mirror-vip-<key-id>); only its version is added here. Azure: terraform/azure creates the Key Vault secret
 * <prefix>-<key id, lower-cased, [^a-z0-9-] as -> and the app setting MIRROR_VIP_KEY_<KEY ID, [^A-Z0-9] as _> holding
 * its Key Vault reference; the configuration says env:<that setting>. OCI: terraform/oci creates the Vault secret
 * <prefix>-<mirror>-<key id> for a key whose configuration says oci-vault:terraform, and rewrites it to its OCID.
 */
export const SECRET_STORES: Record<string, SecretStore> = {
  aws: {
    needs: [],
    reference: (o) => `ssm:${o.prefix ?? '/mirror-vip/'}${o.mirror}/${o.keyId}`,
    store: (o) => [
      `aws ssm put-parameter${o.region ? ` --region ${o.region}` : ''} --name ${SECRET_STORES.aws?.reference(o).slice(4)} --type SecureString --value file://${o.out}`,
    ],
    note: 'SecureString in Parameter Store; the function reads it at cold start (redeploy or wait for a new instance).',
  },
  gcp: {
    needs: ['project'],
    reference: (o) => `gcp-sm:projects/${o.project}/secrets/mirror-vip-${o.keyId}/versions/latest`,
    store: (o) => [`gcloud secrets versions add mirror-vip-${o.keyId} --project ${o.project} --data-file=${o.out}`],
    note: 'terraform/gcp creates the secret mirror-vip-<key-id> from this reference: apply it first, then add the version.',
  },
  azure: {
    needs: ['vault'],
    reference: (o) => `env:${azureNames(o.keyId, o.prefix).setting}`,
    // --file reads the value from the file (utf-8, as written); --output none: `secret set` echoes the value otherwise
    store: (o) => [
      `az keyvault secret set --vault-name ${o.vault} --name ${azureNames(o.keyId, o.prefix).secret} --file ${o.out} --encoding utf-8 --output none`,
    ],
    note:
      'terraform/azure creates this secret and the app setting (its Key Vault reference) when the key id is in ' +
      'members.<member>.key_ids: apply first; restart the function app after the set (references are resolved at start).',
  },
  oci: {
    needs: ['secretId'],
    reference: () => 'oci-vault:terraform',
    // The OCI CLI takes the content as text only: --from-json reads it from a file (keys are the options in camelCase).
    // printf is a shell builtin (no process, so not in ps); the JSON file is owner-only and removed after.
    store: (o) => [
      `(umask 077 && printf '{"secretContentContent": "%s"}' "$(base64 -w0 ${o.out})" > ${o.out}.json)`,
      `oci vault secret update-base64 --secret-id ${o.secretId} --from-json file://${o.out}.json`,
      `rm ${o.out}.json`,
    ],
    note:
      'terraform/oci creates the secret <prefix>-<mirror>-<key id> for a key whose secret is "oci-vault:terraform" and ' +
      'rewrites the reference to its OCID (output vault_secrets): apply first; the function reads it at cold start.',
  },
};

/** Write the secret to a new owner-only file (never over an existing one) and say how to store and use it. */
export function keygen(o: KeygenOptions, secret: string) {
  const row = SECRET_STORES[o.cloud];
  if (!row)
    throw new MirrorVipError('unknown_cloud', `keygen knows ${Object.keys(SECRET_STORES).join(', ')}, not ${o.cloud}`);
  for (const n of row.needs)
    if (!o[n])
      throw new MirrorVipError(
        'missing_option',
        `--cloud ${o.cloud} needs --${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      );
  if (o.secretId !== undefined && !/^ocid1\.vaultsecret\.[a-z0-9.-]+$/.test(o.secretId))
    throw new MirrorVipError(
      'bad_option',
      `--secret-id must be a Vault secret OCID (ocid1.vaultsecret.…), not ${o.secretId}`,
    );
  if (o.vault !== undefined && !/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(o.vault))
    throw new MirrorVipError(
      'bad_option',
      `--vault must be a Key Vault name (3-24 letters, digits, -), not ${o.vault}`,
    );
  try {
    writeFileSync(o.out, secret, { mode: 0o600, flag: 'wx' });
    chmodSync(o.out, 0o600);
  } catch (e: unknown) {
    const why =
      (e as NodeJS.ErrnoException).code === 'EEXIST'
        ? 'it exists (keygen never overwrites a key)'
        : (e as Error).message;
    throw new MirrorVipError('key_file', `cannot write ${o.out}: ${why}`);
  }
  const reference = row.reference(o);
  const config = { id: o.keyId, member: o.member, secret: reference };
  const member = [
    `install -m 600 -o irisusr ${o.out} /etc/mirror-vip/${o.member}.key`,
    `MIRROR_VIP_KEY_ID=${o.keyId}  # in /etc/mirror-vip/notify.conf`,
  ];
  return { keyId: o.keyId, file: o.out, reference, config, store: row.store(o), member, note: row.note };
}

/** The human-readable form of keygen's answer (no secret in it). */
export function keygenText(k: ReturnType<typeof keygen>): string {
  return [
    `key id: ${k.keyId}`,
    `secret: written to ${k.file} (mode 600, no trailing newline)`,
    '',
    'Store it where the function reads it:',
    ...k.store.map((c) => `  ${c}`),
    `  (${k.note})`,
    '',
    'Reference it in the configuration (mirrors[].keys):',
    `  ${JSON.stringify(k.config)}`,
    '',
    `On ${k.config.member} (the IRIS user must own it; see docs/iris.md):`,
    ...k.member.map((c) => `  ${c}`),
    '',
    `Then remove ${k.file}. Rotation: docs/runbooks.md.`,
  ].join('\n');
}
