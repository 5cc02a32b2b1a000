// Deep imports as in compute-sdk.ts: only the clients the preflight reads through.
import { AddressesClient } from '@google-cloud/compute/build/src/v1/addresses_client.js';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { SubnetworksClient } from '@google-cloud/compute/build/src/v1/subnetworks_client.js';
import { type AuthClient, GoogleAuth, PassThroughClient } from 'google-auth-library';
import { ProviderError } from '../../errors.ts';
import type { CallOptions } from './compute-api.ts';
import { COMPUTE_SCOPES, type ComputeEndpoint } from './compute-sdk.ts';
import { classifyGcpError } from './gcp-errors.ts';
import { trimmedGax } from './trimmed-protos.ts';

export interface InstanceFacts {
  subnetwork: string;
  canIpForward: boolean;
}
export interface SubnetFacts {
  ipCidrRange: string;
  secondary: { rangeName: string; ipCidrRange: string }[];
}

/** The read-only surface of the GCP preflight; nothing here can change a resource. */
export interface GcpCheckApi {
  /** instances.testIamPermissions: the subset of `permissions` the caller holds on the instance. */
  testInstance(
    a: { project: string; zone: string; instance: string; permissions: string[] },
    o: CallOptions,
  ): Promise<string[]>;
  /** subnetworks.testIamPermissions. */
  testSubnetwork(
    a: { project: string; region: string; subnetwork: string; permissions: string[] },
    o: CallOptions,
  ): Promise<string[]>;
  /** Resource Manager projects.testIamPermissions: the project-level rights (routes, operations, addresses). */
  testProject(a: { project: string; permissions: string[] }, o: CallOptions): Promise<string[]>;
  instance(a: { project: string; zone: string; instance: string }, o: CallOptions): Promise<InstanceFacts>;
  subnetwork(a: { project: string; region: string; subnetwork: string }, o: CallOptions): Promise<SubnetFacts>;
  /** The reserved external address holding `ip` in the region, or null. */
  externalAddress(
    a: { project: string; region: string; ip: string },
    o: CallOptions,
  ): Promise<{ name: string; networkTier: string } | null>;
}

const opts = (o: CallOptions) => ({ timeout: Math.max(1, Math.floor(o.timeoutMs)), retry: null }) as never;

async function send<T>(op: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e: unknown) {
    throw classifyGcpError(op, e);
  }
}

/** Resource Manager's base URL: the Compute emulator when one is set (it serves this call), else the real API. */
const crmBase = (e?: ComputeEndpoint) =>
  e ? `${e.protocol}://${e.apiEndpoint}:${e.port}` : 'https://cloudresourcemanager.googleapis.com';

/** The GcpCheckApi over the Compute client library, plus one REST call to Resource Manager. */
export async function sdkCheckApi(endpoint?: ComputeEndpoint): Promise<GcpCheckApi> {
  let auth: AuthClient;
  try {
    auth =
      endpoint?.protocol === 'http'
        ? new PassThroughClient()
        : await new GoogleAuth({ scopes: COMPUTE_SCOPES }).getClient();
  } catch (e: unknown) {
    throw new ProviderError(`no Google credentials: ${(e as Error).message}`, { cause: e });
  }
  const gax = trimmedGax();
  const c = { ...endpoint, authClient: auth, fallback: true };
  const instances = new InstancesClient({ ...c }, gax);
  const subnets = new SubnetworksClient({ ...c }, gax);
  const addresses = new AddressesClient({ ...c }, gax);
  return {
    async testInstance({ permissions, ...r }, o) {
      const [res] = await send('compute.instances.testIamPermissions', () =>
        instances.testIamPermissions(
          { ...r, resource: r.instance, testPermissionsRequestResource: { permissions } },
          opts(o),
        ),
      );
      return res.permissions ?? [];
    },
    async testSubnetwork({ permissions, ...r }, o) {
      const [res] = await send('compute.subnetworks.testIamPermissions', () =>
        subnets.testIamPermissions(
          {
            project: r.project,
            region: r.region,
            resource: r.subnetwork,
            testPermissionsRequestResource: { permissions },
          },
          opts(o),
        ),
      );
      return res.permissions ?? [];
    },
    async testProject({ project, permissions }, o) {
      const headers = Object.fromEntries((await auth.getRequestHeaders()).entries());
      const url = `${crmBase(endpoint)}/v1/projects/${encodeURIComponent(project)}:testIamPermissions`;
      const res = await send('cloudresourcemanager.projects.testIamPermissions', async () => {
        const r = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ permissions }),
          signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]),
        });
        const text = (await r.text()).slice(0, 100_000);
        if (!r.ok) throw Object.assign(new Error(`HTTP ${r.status}: ${text.slice(0, 300)}`), { code: r.status });
        return JSON.parse(text) as { permissions?: string[] };
      });
      return res.permissions ?? [];
    },
    async instance(r, o) {
      const [i] = await send('compute.instances.get', () => instances.get(r, opts(o)));
      const nic = i.networkInterfaces?.[0];
      return { subnetwork: nic?.subnetwork ?? '', canIpForward: i.canIpForward === true };
    },
    async subnetwork(r, o) {
      const [s] = await send('compute.subnetworks.get', () => subnets.get(r, opts(o)));
      const secondary = (s.secondaryIpRanges ?? []).map((x) => ({
        rangeName: x.rangeName ?? '',
        ipCidrRange: x.ipCidrRange ?? '',
      }));
      return { ipCidrRange: s.ipCidrRange ?? '', secondary };
    },
    async externalAddress({ project, region, ip }, o) {
      const [list] = await send('compute.addresses.list', () =>
        addresses.list({ project, region, filter: `address = "${ip}"` }, {
          ...(opts(o) as object),
          autoPaginate: false,
        } as never),
      );
      const a = (list as { name?: string | null; networkTier?: string | null; addressType?: string | null }[])[0];
      return a ? { name: a.name ?? '', networkTier: a.networkTier ?? 'PREMIUM' } : null;
    },
  };
}
