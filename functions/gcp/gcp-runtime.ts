import { loadConfig, requireCloud } from '../../shared/config/load.ts';
import { resolveOperatorKeys } from '../../shared/config/operator-keys.ts';
import { deploymentPauseStore, pauseSecretsFromEnv, type SecretSlot } from '../../shared/config/paused.ts';
import { resolveKeys, type SecretStores } from '../../shared/config/secrets.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import { instanceRuntime } from '../../shared/core/instance.ts';
import { gcpCheck } from '../../shared/providers/gcp/check.ts';
import type { GcpCheckApi } from '../../shared/providers/gcp/check-sdk.ts';
import { type ComputeApi, lazyComputeApi } from '../../shared/providers/gcp/compute-api.ts';
import { GCP_ENV, parseEndpoint, SECRET_REF, SECRET_REF_FORM } from '../../shared/providers/gcp/endpoint.ts';
import { gcpProvider } from '../../shared/providers/gcp/gcp-provider.ts';
import { lazyClient } from '../../shared/providers/lazy.ts';
import type { Provider } from '../../shared/providers/types.ts';

const SEVERITY: Record<string, string> = { info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/** One JSON line per decision; Cloud Logging reads `severity` and `message` from it. */
export function cloudLoggingLine(line: Record<string, unknown>): void {
  const { msg, level, ...rest } = line;
  console.log(JSON.stringify({ severity: SEVERITY[String(level)] ?? 'DEFAULT', message: msg, ...rest }));
}

/** Everything built once per instance: configuration, keys and the engine. The Compute client loads on first use. */
export async function createGcpEngine(
  env: Record<string, string | undefined>,
  extra: Partial<EngineDeps> & { computeApi?: ComputeApi } = {},
) {
  const config = loadConfig(env);
  requireCloud(config, 'gcp');
  const endpoint = parseEndpoint(env, GCP_ENV.computeEndpoint);
  const secretsUrl = env[GCP_ENV.secretsEndpoint];
  // checked before any call: a bad MIRROR_VIP_PAUSE_SECRETS fails the cold start naming the field
  const pauseRefs = pauseSecretsFromEnv(config, env, SECRET_REF, SECRET_REF_FORM);
  let secretManager: Promise<typeof import('../../shared/providers/gcp/secret-manager.ts')> | undefined;
  const sm = () => {
    secretManager ??= import('../../shared/providers/gcp/secret-manager.ts');
    return secretManager;
  };
  let readSecret: Promise<(name: string) => Promise<string>> | undefined;
  const stores: SecretStores = {
    'gcp-sm': async (name) => {
      readSecret ??= sm().then((m) => m.secretManagerReader({ baseUrl: secretsUrl }));
      return (await readSecret)(name);
    },
  };
  const keys = await resolveKeys(config, env, stores);
  // operator keys: the same references and stores as member keys
  const operatorKeys = await resolveOperatorKeys(config, env, stores);
  // the pause: the deployment's paused_mirrors, then the mirror's pause secret (pause/resume add a version)
  const slot = lazyClient<SecretSlot>(async () => (await sm()).secretManagerSlot({ baseUrl: secretsUrl }), {
    read: true,
    write: true,
  });
  const pauses = deploymentPauseStore(config, env, 'terraform/gcp paused_mirrors', { refs: pauseRefs, slot });
  const api =
    extra.computeApi ??
    lazyComputeApi(async () => {
      const { sdkComputeApi } = await import('../../shared/providers/gcp/compute-sdk.ts');
      return sdkComputeApi({ endpoint });
    });
  // One provider for every mirror: the project is part of each call, not of the client.
  // the preflight's clients load on its first run (schedule, cold start, operator check), never on a member's event
  let checkApi: Promise<GcpCheckApi> | undefined;
  const provider: Provider = {
    ...gcpProvider(api),
    check: gcpCheck(() => {
      checkApi ??= import('../../shared/providers/gcp/check-sdk.ts').then((m) => m.sdkCheckApi(endpoint));
      return checkApi;
    }) as Provider['check'],
  };
  const { computeApi: _, ...deps } = extra;
  const log = extra.log ?? cloudLoggingLine;
  // the engine (pause honoured) and inspect / reconcile / pause / resume for an operator key
  const { engine, operator } = instanceRuntime({
    config,
    keys,
    providerFor: () => provider,
    operatorKeys,
    pauses,
    ...deps,
    log,
  });
  return { config, engine, log, operator, providerFor: () => provider };
}
