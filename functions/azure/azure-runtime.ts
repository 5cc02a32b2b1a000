import type { TokenCredential } from '@azure/core-auth';
import { loadConfig, requireCloud } from '../../shared/config/load.ts';
import { resolveOperatorKeys } from '../../shared/config/operator-keys.ts';
import { deploymentPauseStore, pauseSecretsFromEnv } from '../../shared/config/paused.ts';
import { resolveProbeSecrets } from '../../shared/config/probe-secrets.ts';
import type { Config, MirrorConfig } from '../../shared/config/schema.ts';
import { AZURE_DEFAULT_DEADLINE_MS } from '../../shared/config/schema-azure.ts';
import { resolveKeys } from '../../shared/config/secrets.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import { instanceRuntime } from '../../shared/core/instance.ts';
import { ConfigError } from '../../shared/errors.ts';
import { azureProvider } from '../../shared/providers/azure/azure-provider.ts';
import { AZURE_ENV, armEndpoint, keyVaultEndpoint } from '../../shared/providers/azure/endpoint.ts';
import { keyVaultSlot, PAUSE_SECRET_FORM, PAUSE_SECRET_REF } from '../../shared/providers/azure/key-vault-slot.ts';
import { lazyNetworkApi, type NetworkApi } from '../../shared/providers/azure/network-api.ts';
import type { Provider } from '../../shared/providers/types.ts';

/** One JSON line per decision on stdout; the Functions host sends it to Application Insights as a trace. */
export function azureLogLine(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

/**
 * Keys arrive as app settings that are Key Vault references. When the platform cannot resolve one (no access, wrong
 * identity), the setting holds the reference text itself: refuse it at cold start, naming the setting.
 */
function checkKeyVaultReferences(config: Config, env: Record<string, string | undefined>): void {
  for (const [mi, m] of config.mirrors.entries()) {
    for (const [ki, k] of m.keys.entries()) {
      const name = k.secret.startsWith('env:') ? k.secret.slice(4) : undefined;
      if (name && /^@Microsoft\.KeyVault\(/i.test(env[name] ?? '')) {
        throw new ConfigError(
          `mirrors[${mi}].keys[${ki}].secret: app setting ${name} is an unresolved Key Vault reference; give the function's identity (keyVaultReferenceIdentity) the Key Vault Secrets User role on the secret`,
        );
      }
    }
  }
}

/** The engine's deadline: the longest of the Azure mirrors' own (AZURE_DEFAULT_DEADLINE_MS when they set none). */
export function azureDeadlineMs(config: Config): number {
  return Math.max(
    ...config.mirrors.map((m) =>
      m.cloud === 'azure' ? (m.deadlineMs ?? AZURE_DEFAULT_DEADLINE_MS) : config.deadlineMs,
    ),
  );
}

/** The function's managed identity (user-assigned when AZURE_CLIENT_ID is set), loaded on first use. */
function managedCredential(env: Record<string, string | undefined>, ca?: string): TokenCredential {
  let made: Promise<TokenCredential> | undefined;
  const load = () => {
    made ??= import('@azure/identity').then(({ ManagedIdentityCredential }) => {
      const clientId = env[AZURE_ENV.clientId];
      return new ManagedIdentityCredential({
        ...(clientId ? { clientId } : {}),
        ...(ca ? { tlsOptions: { ca } } : {}),
      });
    });
    return made;
  };
  return { getToken: async (scopes, options) => (await load()).getToken(scopes, options) };
}

/** The NetworkApi over the SDK with the function's managed identity, loaded on first use (cold start stays small). */
function managedNetworkApi(
  credential: TokenCredential,
  env: Record<string, string | undefined>,
  subscriptionId: string,
  ca?: string,
): NetworkApi {
  const endpoint = armEndpoint(env);
  return lazyNetworkApi(async () => {
    const { sdkNetworkApi } = await import('../../shared/providers/azure/arm-sdk.ts');
    return sdkNetworkApi(credential, subscriptionId, { endpoint, ca });
  });
}

/** Everything built once per instance: configuration, keys and the engine. The ARM client loads on first use. */
export async function createAzureEngine(
  env: Record<string, string | undefined>,
  extra: Partial<EngineDeps> & { networkApi?: NetworkApi; ca?: string } = {},
) {
  const loaded = loadConfig(env);
  const mirrors = requireCloud(loaded, 'azure');
  checkKeyVaultReferences(loaded, env);
  const config = { ...loaded, deadlineMs: azureDeadlineMs(loaded) };
  const keys = await resolveKeys(config, env);
  await resolveProbeSecrets(config, env);
  // one client per subscription: the subscription is part of the client, the resource group of each call
  const apis = new Map<string, NetworkApi>();
  const credential = managedCredential(env, extra.ca);
  for (const m of mirrors)
    if (!apis.has(m.subscriptionId))
      apis.set(m.subscriptionId, extra.networkApi ?? managedNetworkApi(credential, env, m.subscriptionId, extra.ca));
  const providers = new Map([...apis].map(([sub, api]) => [sub, azureProvider(api)]));
  const { networkApi: _, ca: _ca, ...deps } = extra;
  const log = extra.log ?? azureLogLine;
  const providerFor = (m: unknown) => providers.get((m as (typeof mirrors)[number]).subscriptionId) as never;
  // operator keys: Key Vault references in app settings like the member keys; the pause: the paused_mirrors setting
  // (break-glass), then each mirror's pause secret in Key Vault, which pause / resume write as new versions
  const operatorKeys = await resolveOperatorKeys(config, env);
  const refs = pauseSecretsFromEnv(config, env, PAUSE_SECRET_REF, PAUSE_SECRET_FORM);
  const slot = keyVaultSlot(credential, { endpoint: keyVaultEndpoint(env), ca: extra.ca });
  const pauses = deploymentPauseStore(config, env, 'terraform/azure paused_mirrors', { refs, slot });
  // the engine (pause honoured) and inspect / reconcile / pause / resume for an operator key
  const { engine, operator } = instanceRuntime({ config, keys, providerFor, operatorKeys, pauses, ...deps, log });
  return { config, engine, log, operator, providerFor: providerFor as (m: MirrorConfig) => Provider };
}
