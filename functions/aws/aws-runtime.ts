import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadConfig, requireCloud } from '../../shared/config/load.ts';
import type { AwsMirrorConfig, Config, MirrorConfig } from '../../shared/config/schema.ts';
import { resolveKeys } from '../../shared/config/secrets.ts';
import { type EngineDeps, FailoverEngine } from '../../shared/core/engine.ts';
import { formatNotification } from '../../shared/core/notification.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { awsProvider } from '../../shared/providers/aws/aws-provider.ts';
import { sdkCheckApi } from '../../shared/providers/aws/check-client.ts';
import { sdkEc2Api } from '../../shared/providers/aws/ec2-client.ts';
import type { Provider } from '../../shared/providers/types.ts';

/**
 * Providers per region, created on first use and kept for the life of the instance; each carries the preflight
 * (shared/providers/aws/check.ts), which checks this function's own reserved concurrency (AWS_LAMBDA_FUNCTION_NAME).
 */
export function awsProviders(env: Record<string, string | undefined>, maxAttempts = 1): (m: MirrorConfig) => Provider {
  const byRegion = new Map<string, Provider<AwsMirrorConfig>>();
  return (mirror) => {
    let p = byRegion.get(mirror.region);
    if (!p) {
      const region = mirror.region;
      const ec2 = new EC2Client({ region, maxAttempts });
      const api = sdkCheckApi({
        ec2,
        ssm: new SSMClient({ region, maxAttempts }),
        lambda: new LambdaClient({ region: env.AWS_REGION ?? region, maxAttempts }),
      });
      p = awsProvider(sdkEc2Api(ec2), { api, options: { functionName: env.AWS_LAMBDA_FUNCTION_NAME } });
      byRegion.set(mirror.region, p);
    }
    return p;
  };
}

/** Publish a subject and message to the outcome topic (notify.topicArn), or undefined when none is configured. */
export function snsPublisher(config: Config, region: string | undefined) {
  const topicArn = config.notify?.topicArn;
  if (!topicArn) return undefined;
  const sns = new SNSClient({ region: region ?? topicArn.split(':')[3], maxAttempts: 2 });
  return async (subject: string, message: string) => {
    const publish = new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message });
    await sns.send(publish, { abortSignal: AbortSignal.timeout(3000) });
  };
}

/** Publish each move or failed move to the outcome topic. */
function snsNotifier(config: Config, region: string | undefined): EngineDeps['notify'] {
  const publish = snsPublisher(config, region);
  if (!publish) return undefined;
  return async (r: FailoverResult) => {
    const { subject, message } = formatNotification(r);
    await publish(subject, message);
  };
}

/** Everything built once per Lambda instance: configuration, keys, clients and the engine. */
export async function createAwsEngine(env: Record<string, string | undefined>, extra: Partial<EngineDeps> = {}) {
  const config = loadConfig(env);
  requireCloud(config, 'aws');
  const region = env.AWS_REGION ?? config.mirrors[0]?.region;
  let ssm: SSMClient | undefined;
  const keys = await resolveKeys(config, env, {
    ssm: async (name) => {
      ssm ??= new SSMClient({ region, maxAttempts: 3 });
      const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      return out.Parameter?.Value ?? '';
    },
  });
  const log = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
  const providerFor = awsProviders(env);
  const engine = new FailoverEngine({
    config,
    keys,
    providerFor,
    log,
    notify: snsNotifier(config, region),
    ...extra,
  });
  return { config, engine, providerFor, publish: snsPublisher(config, region) };
}
