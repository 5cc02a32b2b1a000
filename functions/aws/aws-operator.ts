import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadConfig } from '../../shared/config/load.ts';
import { resolveOperatorKeys } from '../../shared/config/operator-keys.ts';
import type { Config } from '../../shared/config/schema.ts';
import type { EngineDeps, FailoverEngine } from '../../shared/core/engine.ts';
import { operatorEndpoint, type PauseStore, pauseCheck } from '../../shared/core/operator.ts';
import { ssmPauseStore } from '../../shared/providers/aws/pause-ssm.ts';
import { awsProviders } from './aws-runtime.ts';

type Env = Record<string, string | undefined>;

/** The pause store and the engine's `pause` check, only when operators are configured (nobody else can pause). */
export function awsPauses(env: Env, extra: { pauseStore?: PauseStore } = {}) {
  const hasOperators = (loadConfig(env).operatorKeys?.length ?? 0) > 0;
  const store = extra.pauseStore ?? ssmPauseStore(env.AWS_REGION, env.MIRROR_VIP_PAUSE_PREFIX ?? '/mirror-vip/');
  return hasOperators
    ? { store, deps: { pause: pauseCheck(store) } satisfies Partial<EngineDeps> }
    : { store, deps: {} };
}

/** The operator endpoint of the Lambda (path /operator), or undefined when no operator key is configured. */
export async function awsOperator(
  env: Env,
  config: Config,
  engine: FailoverEngine,
  pauses: PauseStore,
  extra: Partial<EngineDeps>,
) {
  const region = env.AWS_REGION ?? config.mirrors[0]?.region;
  const ssm = new SSMClient({ region, maxAttempts: 3 });
  const operatorKeys = await resolveOperatorKeys(config, env, {
    ssm: async (name) =>
      (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value ?? '',
  });
  if (operatorKeys.size === 0) return undefined;
  const providerFor = awsProviders(env, 3);
  const log = extra.log ?? ((l: Record<string, unknown>) => console.log(JSON.stringify(l)));
  return operatorEndpoint({
    config,
    engine,
    operatorKeys,
    providerFor,
    pauses,
    probe: extra.probe,
    nowMs: extra.nowMs,
    log,
  });
}
