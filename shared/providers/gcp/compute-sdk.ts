// Deep imports: the package root loads every Compute client (~2.7 s); these four are all the provider calls.

import type { protos } from '@google-cloud/compute';
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client.js';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client.js';
import { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';
import { type AuthClient, GoogleAuth, PassThroughClient } from 'google-auth-library';
import { ProviderError } from '../../errors.ts';
import {
  type CallOptions,
  type ComputeApi,
  instancePath,
  NIC,
  type NicView,
  type OperationView,
  type RouteView,
} from './compute-api.ts';
import { classifyGcpError } from './gcp-errors.ts';
import { snapshotReads } from './snapshot-sdk.ts';
import { trimmedGax } from './trimmed-protos.ts';

/** Where the Compute API is: the real one by default, or an emulator (plain http, no credentials sent). */
export interface ComputeEndpoint {
  apiEndpoint: string;
  port: number;
  protocol: 'http' | 'https';
}

export interface SdkOptions {
  endpoint?: ComputeEndpoint;
  /** Credentials; default: Application Default Credentials (the function's service account), none over http. */
  authClient?: AuthClient;
}

export const COMPUTE_SCOPES = ['https://www.googleapis.com/auth/compute'];

/** Per-call header naming body fields to send as `[]`; the interceptor below consumes it. */
const SEND_EMPTY_HEADER = 'x-mirror-vip-send-empty';

/**
 * The client serialises through protobuf.js, which leaves empty repeated fields out of the JSON body, and
 * updateNetworkInterface treats an absent aliasIpRanges as "keep them" (PATCH semantics). So removing the last
 * alias would silently do nothing. This request interceptor on the auth client's transport restores each field
 * named in the per-call header as `[]` — what gcloud does with IncludeFields and Go with ForceSendFields.
 */
export function sendEmptyFields(auth: AuthClient): void {
  auth.transporter.interceptors.request.add({
    resolved: async (config) => {
      const named = config.headers.get(SEND_EMPTY_HEADER);
      if (!named) return config;
      config.headers.delete(SEND_EMPTY_HEADER);
      if (typeof config.body !== 'string') return config;
      const body = JSON.parse(config.body) as Record<string, unknown>;
      for (const field of named.split(',').map((f) => f.trim())) {
        if (field && body[field] === undefined) body[field] = [];
      }
      config.body = JSON.stringify(body);
      return config;
    },
  });
}

async function defaultAuth(endpoint: ComputeEndpoint | undefined): Promise<AuthClient> {
  if (endpoint?.protocol === 'http') return new PassThroughClient();
  try {
    return await new GoogleAuth({ scopes: COMPUTE_SCOPES }).getClient();
  } catch (e: unknown) {
    throw new ProviderError(`no Google credentials for the Compute API: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Abandon the wait when the invocation's deadline signal fires (the SDK call has its own timeout too). The call is
 * started only while the signal is live, and its promise stays watched after an abort: an abandoned call that fails
 * later (its own timeout) is not left as an unhandled rejection.
 */
export function abortable<T>(signal: AbortSignal, start: () => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const p = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// Retries are the core's (call()), never the SDK's: gax would retry a get on 503 for up to 10 minutes.
export const gaxOptions = (o: CallOptions, headers: Record<string, string> = {}) =>
  ({ timeout: Math.max(1, Math.floor(o.timeoutMs)), retry: null, otherArgs: { headers } }) as never;

export async function send<T>(op: string, o: CallOptions, run: () => Promise<T>): Promise<T> {
  try {
    return await abortable(o.signal, run);
  } catch (e: unknown) {
    if (o.signal.aborted) throw e;
    throw classifyGcpError(op, e);
  }
}

type OperationJson = {
  name?: string | null;
  zone?: string | null;
  status?: unknown;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
  httpErrorStatusCode?: number | null;
};

function toOperation(op: OperationJson | undefined | null): OperationView {
  const first = op?.error?.errors?.[0];
  const status = String(op?.status ?? 'PENDING');
  return {
    name: op?.name ?? '',
    zone: op?.zone ? op.zone.split('/').pop() : undefined,
    status: status === 'DONE' || status === 'RUNNING' ? status : 'PENDING',
    ...(first || (op?.httpErrorStatusCode ?? 0) >= 400
      ? { error: { code: first?.code ?? 'UNKNOWN', message: first?.message ?? '' } }
      : {}),
    ...(op?.httpErrorStatusCode ? { httpErrorStatusCode: op.httpErrorStatusCode } : {}),
  };
}

/** A mutation answers `[{latestResponse: Operation, …}]`: the operation as it was when the call returned. */
const started = (res: [{ latestResponse?: unknown }, ...unknown[]]) =>
  toOperation(res[0].latestResponse as OperationJson);

export type RouteJson = {
  name?: string | null;
  network?: string | null;
  destRange?: string | null;
  priority?: number | null;
  nextHopInstance?: string | null;
};
export const toRoute = (r: RouteJson): RouteView => ({
  name: r.name ?? '',
  network: (r.network ?? '').split('/').pop() ?? '',
  destRange: r.destRange ?? '',
  priority: r.priority ?? 1000,
  nextHopInstance: r.nextHopInstance ? instancePath(r.nextHopInstance) : null,
});

type InstanceJson = protos.google.cloud.compute.v1.IInstance;

/** nic0 of an instance as the API answers it (instances.get or one item of aggregatedList). */
export function nicOfInstance(inst: InstanceJson, zone: string): NicView {
  const instance = inst.name ?? '';
  const nics = inst.networkInterfaces ?? [];
  const nic = nics.find((n) => n.name === NIC) ?? nics[0];
  if (!nic) throw new ProviderError(`${zone}/${instance} has no network interface`, { detail: { apiCode: 'noNic' } });
  return {
    instance,
    zone,
    fingerprint: nic.fingerprint ?? '',
    aliasRanges: (nic.aliasIpRanges ?? [])
      .filter((r) => r.ipCidrRange)
      .map((r) => ({
        ipCidrRange: r.ipCidrRange ?? '',
        ...(r.subnetworkRangeName ? { subnetworkRangeName: r.subnetworkRangeName } : {}),
      })),
    accessConfigs: (nic.accessConfigs ?? []).map((a) => ({
      name: a.name ?? '',
      natIP: a.natIP ?? null,
      ...(a.networkTier ? { networkTier: a.networkTier } : {}),
    })),
    canIpForward: inst.canIpForward === true,
  };
}

/** Create the ComputeApi over the real Compute client library (REST transport). Each client is made on first use. */
export async function sdkComputeApi(opts: SdkOptions = {}): Promise<ComputeApi> {
  const authClient = opts.authClient ?? (await defaultAuth(opts.endpoint));
  sendEmptyFields(authClient);
  const gax = trimmedGax();
  const clientOpts = { ...opts.endpoint, authClient, fallback: true };
  const memo = <T>(make: () => T) => {
    let made: T | undefined;
    return () => {
      made ??= make();
      return made;
    };
  };
  const instances = memo(() => new InstancesClient({ ...clientOpts }, gax));
  const zoneOps = memo(() => new ZoneOperationsClient({ ...clientOpts }, gax));
  const routes = memo(() => new RoutesClient({ ...clientOpts }, gax));
  const globalOps = memo(() => new GlobalOperationsClient({ ...clientOpts }, gax));
  const nicOf = (project: string) => ({ project, networkInterface: NIC });

  return {
    ...snapshotReads(instances, routes),
    async getNic({ project, zone, instance }, o): Promise<NicView> {
      const [inst] = await send('compute.instances.get', o, () =>
        instances().get({ project, zone, instance }, gaxOptions(o)),
      );
      return nicOfInstance(inst, zone);
    },
    async setAliasRanges({ project, zone, instance, fingerprint, ranges, requestId }, o) {
      // every range is sent with its subnetworkRangeName: without it Compute takes the range from the primary range
      const networkInterfaceResource = { fingerprint, aliasIpRanges: ranges.map((r) => ({ ...r })) };
      const headers: Record<string, string> = ranges.length === 0 ? { [SEND_EMPTY_HEADER]: 'aliasIpRanges' } : {};
      const req = { ...nicOf(project), zone, instance, networkInterfaceResource, requestId };
      return started(
        await send('compute.instances.updateNetworkInterface', o, () =>
          instances().updateNetworkInterface(req, gaxOptions(o, headers)),
        ),
      );
    },
    async addAccessConfig({ project, zone, instance, name, natIP, networkTier, requestId }, o) {
      const accessConfigResource = { name, natIP, type: 'ONE_TO_ONE_NAT', ...(networkTier ? { networkTier } : {}) };
      const req = { ...nicOf(project), zone, instance, accessConfigResource, requestId };
      return started(
        await send('compute.instances.addAccessConfig', o, () => instances().addAccessConfig(req, gaxOptions(o))),
      );
    },
    async deleteAccessConfig({ project, zone, instance, name, requestId }, o) {
      const req = { ...nicOf(project), zone, instance, accessConfig: name, requestId };
      return started(
        await send('compute.instances.deleteAccessConfig', o, () => instances().deleteAccessConfig(req, gaxOptions(o))),
      );
    },
    async waitZoneOperation({ project, zone, operation }, o) {
      const [op] = await send('compute.zoneOperations.wait', o, () =>
        zoneOps().wait({ project, zone, operation }, gaxOptions(o)),
      );
      return toOperation(op);
    },
    async listRoutes({ project, destRange }, o) {
      const [list] = await send('compute.routes.list', o, () =>
        routes().list({ project, filter: `destRange = "${destRange}"` }, gaxOptions(o)),
      );
      return list.map(toRoute).filter((r) => r.destRange === destRange);
    },
    async getRoute({ project, name }, o) {
      const [route] = await send('compute.routes.get', o, () => routes().get({ project, route: name }, gaxOptions(o)));
      return toRoute(route);
    },
    async insertRoute({ project, route, requestId }, o) {
      const routeResource = {
        name: route.name,
        network: `projects/${project}/global/networks/${route.network}`,
        destRange: route.destRange,
        priority: route.priority,
        nextHopInstance: `projects/${project}/${route.nextHopInstance}`,
        description: route.description,
      };
      return started(
        await send('compute.routes.insert', o, () =>
          routes().insert({ project, routeResource, requestId }, gaxOptions(o)),
        ),
      );
    },
    async deleteRoute({ project, name, requestId }, o) {
      return started(
        await send('compute.routes.delete', o, () =>
          routes().delete({ project, route: name, requestId }, gaxOptions(o)),
        ),
      );
    },
    async waitGlobalOperation({ project, operation }, o) {
      const [op] = await send('compute.globalOperations.wait', o, () =>
        globalOps().wait({ project, operation }, gaxOptions(o)),
      );
      return toOperation(op);
    },
  };
}
