import { EC2Client } from '@aws-sdk/client-ec2';
import type { MirrorConfig } from '../shared/config/schema.ts';
import { awsProvider } from '../shared/providers/aws/aws-provider.ts';
import { sdkEc2Api } from '../shared/providers/aws/ec2-client.ts';
import type { Provider } from '../shared/providers/types.ts';

/** The same providers the functions use, with the SDK's usual credentials and endpoints (AWS_ENDPOINT_URL etc.). */
export function cliProviders(): (mirror: MirrorConfig) => Provider {
  const cache = new Map<string, Provider>();
  return (mirror) => {
    const key = `${mirror.cloud}:${mirror.region}`;
    let p = cache.get(key);
    if (!p) {
      p = awsProvider(sdkEc2Api(new EC2Client({ region: mirror.region, maxAttempts: 3 })));
      cache.set(key, p);
    }
    return p;
  };
}
