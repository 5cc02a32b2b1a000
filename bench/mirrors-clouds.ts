// One scheduled reconcile of N GCP, Azure and OCI mirrors in one deployment (one project / resource group / subnet),
// through the real SDKs on the emulators; bench/mirrors.ts prints the rows.
import * as common from 'oci-common';
import { ArmState, MIRROR as AZ, seedMirrors as seedAzure, startAzureEmulator } from '../local-cloud/azure/index.ts';
import { ComputeState, seedMirrors as seedGcp, startGcpEmulator } from '../local-cloud/gcp/index.ts';
import {
  COMPARTMENT,
  MIRROR as OCI,
  OciState,
  seedOciMirrors,
  startOciEmulator,
  testKeyPair,
} from '../local-cloud/oci/index.ts';
import { sdkNetworkApi } from '../shared/providers/azure/arm-sdk.ts';
import { azureProvider } from '../shared/providers/azure/azure-provider.ts';
import { sdkComputeApi } from '../shared/providers/gcp/compute-sdk.ts';
import { gcpProvider } from '../shared/providers/gcp/gcp-provider.ts';
import { ociProvider } from '../shared/providers/oci/oci-provider.ts';
import { sdkVcnApi } from '../shared/providers/oci/oci-sdk.ts';
import { type MirrorsRow, measureReconcile } from './mirror-pages.ts';

const keyOf = (i: number) => [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }];

/** GCP: `n` mirrors in one project, each an alias IP VIP and a static-route VIP, `latencyMs` per Compute call. */
export function measureGcpMirrors(n: number, latencyMs: number): Promise<MirrorsRow> {
  return measureReconcile(
    n,
    (op) => /\.(list|aggregatedList)$/.test(op),
    async (url) => {
      const state = new ComputeState();
      const seeded = seedGcp(state, n, 'a', true);
      const emu = await startGcpEmulator({ state, latencyMs });
      const mirrors = seeded.map((s, i) => ({
        name: `M${i}`,
        cloud: 'gcp',
        project: state.project,
        members: s.members.map((m) => ({ ...m, healthUrl: url(i, m.name) })),
        vips: [
          { mode: 'alias-ip', cidr: s.vip },
          { mode: 'route', cidr: s.routeVip, network: 'default', priority: 1000 },
        ],
        keys: keyOf(i),
      }));
      const api = await sdkComputeApi({ endpoint: { apiEndpoint: '127.0.0.1', port: emu.port, protocol: 'http' } });
      return { mirrors, provider: gcpProvider(api), calls: () => emu.calls, close: () => emu.close() };
    },
  );
}

/** Azure: `n` mirrors in one resource group, each an ip-config VIP and a route VIP, `latencyMs` per ARM call. */
export function measureAzureMirrors(n: number, latencyMs: number): Promise<MirrorsRow> {
  return measureReconcile(
    n,
    (op) => op.endsWith('.list'),
    async (url) => {
      const state = new ArmState();
      const seeded = seedAzure(state, n, 'a');
      const emu = await startAzureEmulator({ state, latencyMs, lroRetryAfterSeconds: 0 });
      const mirrors = seeded.map((s, i) => ({
        name: `M${i}`,
        cloud: 'azure',
        subscriptionId: AZ.subscriptionId,
        region: AZ.location,
        resourceGroup: AZ.resourceGroup,
        members: s.members.map((m) => ({ ...m, healthUrl: url(i, m.name) })),
        vips: [
          { mode: 'ip-config', privateIp: s.vip },
          { mode: 'route', cidr: s.routeVip, routeTables: [{ name: s.table }] },
        ],
        keys: keyOf(i),
      }));
      const token = emu.issueToken();
      const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const api = sdkNetworkApi(credential, AZ.subscriptionId, { endpoint: emu.url, ca: emu.ca });
      return { mirrors, provider: azureProvider(api), calls: () => emu.calls, close: () => emu.close() };
    },
  );
}

let ociKey: ReturnType<typeof testKeyPair> | undefined;

/**
 * OCI: `n` mirrors in one subnet, each a secondary private IP with its reserved public IP (seed 004), the function
 * given its compartment (terraform/oci sets MIRROR_VIP_COMPARTMENT_ID): the public IPs are listed, not read one by one.
 */
export function measureOciMirrors(n: number, latencyMs: number): Promise<MirrorsRow> {
  common.CircuitBreaker.EnableGlobalCircuitBreaker = false;
  ociKey ??= testKeyPair();
  const key = ociKey;
  return measureReconcile(
    n,
    (op) => op.startsWith('List'),
    async (url) => {
      const state = new OciState();
      const seeded = seedOciMirrors(state, n, 'a', true);
      const emu = await startOciEmulator({ state, latencyMs, keys: { [key.keyId]: key.publicKey } });
      const mirrors = seeded.map((s, i) => ({
        name: `M${i}`,
        cloud: 'oci',
        region: OCI.region,
        members: s.members.map((m) => ({ ...m, healthUrl: url(i, m.name) })),
        vips: [{ mode: 'private-ip', address: s.vip, subnetId: OCI.subnetId, publicIpId: s.publicIpId }],
        keys: keyOf(i),
      }));
      const [tenancy, user, fingerprint] = key.keyId.split('/') as [string, string, string];
      const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fingerprint, key.privateKey, null);
      const api = sdkVcnApi({ auth, endpoint: emu.url, region: OCI.region });
      const provider = ociProvider(api, { compartmentId: COMPARTMENT });
      return { mirrors, provider, calls: () => emu.calls, close: () => emu.close() };
    },
  );
}
