import { EC2Client } from '@aws-sdk/client-ec2';
import type { MirrorConfig } from '../shared/config/schema.ts';
import { awsProvider } from '../shared/providers/aws/aws-provider.ts';
import { sdkEc2Api } from '../shared/providers/aws/ec2-client.ts';
import { azureProvider } from '../shared/providers/azure/azure-provider.ts';
import { cliNetworkApi } from '../shared/providers/azure/cli-api.ts';
import { lazyComputeApi } from '../shared/providers/gcp/compute-api.ts';
import { GCP_ENV, parseEndpoint } from '../shared/providers/gcp/endpoint.ts';
import { gcpProvider } from '../shared/providers/gcp/gcp-provider.ts';
import { OCI_ENV, parseOciEndpoint } from '../shared/providers/oci/endpoint.ts';
import { ociProvider } from '../shared/providers/oci/oci-provider.ts';
import { lazyVcnApi } from '../shared/providers/oci/vcn-api.ts';
import type { Provider } from '../shared/providers/types.ts';

/**
 * The same providers the functions use, with each SDK's usual credentials and endpoints (AWS_ENDPOINT_URL …,
 * MIRROR_VIP_GCP_COMPUTE_ENDPOINT for a Compute emulator, MIRROR_VIP_OCI_ENDPOINT for the OCI one). Created on first use, one per cloud and region.
 */
export function cliProviders(
  env: Record<string, string | undefined> = process.env,
): (mirror: MirrorConfig) => Provider {
  const cache = new Map<string, Provider>();
  const make = (mirror: MirrorConfig): Provider => {
    if (mirror.cloud === 'aws') return awsProvider(sdkEc2Api(new EC2Client({ region: mirror.region, maxAttempts: 3 })));
    if (mirror.cloud === 'azure') return azureProvider(cliNetworkApi(env, mirror.subscriptionId)) as Provider;
    if (mirror.cloud === 'oci') {
      const endpoint = parseOciEndpoint(env, OCI_ENV.endpoint);
      const { region } = mirror;
      // the OCI SDK loads only when an OCI mirror is looked at
      const make = async () => {
        const [{ sdkVcnApi }, { ociAuth }] = await Promise.all([
          import('../shared/providers/oci/oci-sdk.ts'),
          import('../shared/providers/oci/oci-auth.ts'),
        ]);
        return sdkVcnApi({ auth: await ociAuth(env, true), region, endpoint });
      };
      return ociProvider(lazyVcnApi(make)) as Provider;
    }
    const endpoint = parseEndpoint(env, GCP_ENV.computeEndpoint);
    return gcpProvider(
      lazyComputeApi(async () => (await import('../shared/providers/gcp/compute-sdk.ts')).sdkComputeApi({ endpoint })),
    );
  };
  return (mirror) => {
    const key = mirror.cloud === 'azure' ? `azure:${mirror.subscriptionId}` : `${mirror.cloud}:${mirror.region}`;
    let p = cache.get(key);
    if (!p) {
      p = make(mirror);
      cache.set(key, p);
    }
    return p;
  };
}
