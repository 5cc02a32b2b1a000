import { requireCloud } from '../../shared/config/load.ts';
import { resolveOperatorKeys } from '../../shared/config/operator-keys.ts';
import { deploymentPauseStore, pauseSecretsFromEnv, type SecretSlot } from '../../shared/config/paused.ts';
import { resolveProbeSecrets } from '../../shared/config/probe-secrets.ts';
import { OCI_DEFAULT_DEADLINE_MS, VAULT_SECRET_OCID } from '../../shared/config/schema-oci.ts';
import { resolveKeys, type SecretStores } from '../../shared/config/secrets.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import { instanceRuntime } from '../../shared/core/instance.ts';
import { lazyClient } from '../../shared/providers/lazy.ts';
import { OCI_ENV, ociAuth, parseOciEndpoint } from '../../shared/providers/oci/oci-auth.ts';
import { ociProvider } from '../../shared/providers/oci/oci-provider.ts';
import type { VcnApi } from '../../shared/providers/oci/vcn-api.ts';
import { lazyVcnApi } from '../../shared/providers/oci/vcn-api.ts';
import type { Provider } from '../../shared/providers/types.ts';
import { compartmentFromEnv, configSecretRegion, loadOciConfig } from './oci-config.ts';

/** One JSON line per decision on stdout: OCI Functions sends it to the application's log. */
export function ociLogLine(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

export interface OciRuntimeExtra extends Partial<EngineDeps> {
  vcnApi?: VcnApi;
  /** Public IP lifecycle poll interval (ms). */
  pollMs?: number;
}

/**
 * Everything built once per function instance (cold start): configuration, member keys (OCI Vault secrets read
 * once), the engine. The VirtualNetwork client is created on the first cloud call.
 */
export async function createOciEngine(env: Record<string, string | undefined>, extra: OciRuntimeExtra = {}) {
  // the compartment a scheduled reconcile lists public IPs and route tables in; checked before anything is read
  const compartmentId = compartmentFromEnv(env);
  const secretsEndpoint = parseOciEndpoint(env, OCI_ENV.secretsEndpoint);
  // a document over OCI's 4 KB configuration cap is read from its Vault secret (terraform/oci config_in_vault)
  const loaded = await loadOciConfig(env, async (secretId) => {
    const { vaultSecretReader } = await import('../../shared/providers/oci/vault.ts');
    const region = configSecretRegion(env, secretId);
    return vaultSecretReader({ auth: await ociAuth(env), region, endpoint: secretsEndpoint })(secretId);
  });
  const mirrors = requireCloud(loaded, 'oci');
  // the engine has one deadline: the longest of the mirrors' own, else the OCI default (the integrator's per-cloud
  // deadline mechanism replaces this)
  const deadlineMs = Math.max(...mirrors.map((m) => m.deadlineMs ?? OCI_DEFAULT_DEADLINE_MS));
  const config = { ...loaded, deadlineMs };
  const endpoint = parseOciEndpoint(env, OCI_ENV.endpoint);
  const managementEndpoint = parseOciEndpoint(env, OCI_ENV.vaultEndpoint);
  const region = mirrors[0]?.region ?? '';
  // the identity is checked at cold start: a wrong MIRROR_VIP_OCI_KEY_* or a missing resource principal names itself now
  const signer = await ociAuth(env);
  const auth = async () => signer;
  const stores: SecretStores = {
    'oci-vault': async (secretId) => {
      const { vaultSecretReader } = await import('../../shared/providers/oci/vault.ts');
      return vaultSecretReader({ auth: await auth(), region, endpoint: secretsEndpoint })(secretId);
    },
  };
  const keys = await resolveKeys(config, env, stores);
  await resolveProbeSecrets(config, env, stores);
  // operator keys: the same references and stores as member keys; the pause: the function's paused_mirrors setting
  // (break-glass), then one Vault secret per mirror that pause / resume write (MIRROR_VIP_PAUSE_SECRETS)
  const operatorKeys = await resolveOperatorKeys(config, env, stores);
  const refs = pauseSecretsFromEnv(config, env, VAULT_SECRET_OCID, 'ocid1.vaultsecret.<realm>.<region>.<unique id>');
  const slot = lazyClient<SecretSlot>(
    async () => {
      const { vaultSecretSlot } = await import('../../shared/providers/oci/vault.ts');
      return vaultSecretSlot({
        auth: await auth(),
        region,
        endpoint: secretsEndpoint,
        managementEndpoint,
        timeoutMs: 3000,
      });
    },
    { read: true, write: true },
  );
  const pauses = deploymentPauseStore(config, env, 'terraform/oci paused_mirrors', { refs, slot });
  const api =
    extra.vcnApi ??
    lazyVcnApi(async () => {
      const { sdkVcnApi } = await import('../../shared/providers/oci/oci-sdk.ts');
      return sdkVcnApi({ auth: await auth(), region, endpoint });
    });
  const provider = ociProvider(api, { pollMs: extra.pollMs, compartmentId });
  const { vcnApi: _a, pollMs: _b, ...deps } = extra;
  const log = extra.log ?? ociLogLine;
  // the engine (pause honoured) and inspect / reconcile / pause (refused: in the configuration) for an operator key
  const { engine, operator } = instanceRuntime({
    config,
    keys,
    providerFor: () => provider,
    operatorKeys,
    pauses,
    ...deps,
    log,
  });
  return { config, engine, log, operator, providerFor: () => provider as Provider };
}
