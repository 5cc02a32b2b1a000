import { AZURE_ENV, armEndpoint } from './endpoint.ts';
import { lazyNetworkApi, type NetworkApi } from './network-api.ts';

/**
 * The NetworkApi for an operator's CLI (status, plan): @azure/identity's DefaultAzureCredential (az login, env,
 * managed identity) and MIRROR_VIP_AZURE_ARM_ENDPOINT for an emulator. Loaded on first use.
 */
export function cliNetworkApi(env: Record<string, string | undefined>, subscriptionId: string): NetworkApi {
  const endpoint = armEndpoint(env);
  return lazyNetworkApi(async () => {
    const [{ DefaultAzureCredential }, { sdkNetworkApi }] = await Promise.all([
      import('@azure/identity'),
      import('./arm-sdk.ts'),
    ]);
    const clientId = env[AZURE_ENV.clientId];
    return sdkNetworkApi(
      new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}),
      subscriptionId,
      { endpoint },
    );
  });
}
