import type { ListPage } from '../all-pages.ts';
import { lazyClient } from '../lazy.ts';
/** The network interface the VIP lives on: the first (and usually only) NIC of each member. */
export const NIC = 'nic0';

/** A Compute Engine operation as far as the provider cares: where it runs, whether it is done, how it failed. */
export interface OperationView {
  name: string;
  /** Zone name for a zonal operation; undefined for a global one (routes). */
  zone?: string;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  /** The first entry of `error.errors` of a DONE operation that failed. */
  error?: { code: string; message: string };
  httpErrorStatusCode?: number;
}

export interface AccessConfigView {
  name: string;
  natIP: string | null;
  /** PREMIUM or STANDARD: an addAccessConfig for this address must ask for the same tier. */
  networkTier?: string;
}

/** One alias range of a NIC; `subnetworkRangeName` names the subnet's secondary range it comes from (absent = primary). */
export interface AliasRange {
  ipCidrRange: string;
  subnetworkRangeName?: string;
}

/** nic0 of one instance, with the fingerprint that a write must quote. */
export interface NicView {
  instance: string;
  zone: string;
  fingerprint: string;
  aliasRanges: AliasRange[];
  accessConfigs: AccessConfigView[];
  /** Whether the instance may receive packets for addresses that are not its own (needed as a route's next hop). */
  canIpForward: boolean;
}

export interface RouteView {
  name: string;
  /** Network name (last segment of the network URL). */
  network: string;
  destRange: string;
  priority: number;
  /** `zones/<zone>/instances/<name>` of the next hop, or null when the route has another kind of next hop. */
  nextHopInstance: string | null;
}

export interface InstanceRef {
  project: string;
  zone: string;
  instance: string;
}

/** Per call: how long the SDK may take, and the signal that abandons the wait. */
export interface CallOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * The narrow Compute Engine surface the GCP provider uses: the seam for tests and the list of permissions.
 * Every write takes a `requestId` (a UUID kept across retries) so the API runs a retried write only once.
 */
export interface ComputeApi {
  getNic(ref: InstanceRef, o: CallOptions): Promise<NicView>;
  /** updateNetworkInterface with the full alias list; an empty list removes every alias (sent as `[]`, not dropped). */
  setAliasRanges(
    a: InstanceRef & { fingerprint: string; ranges: AliasRange[]; requestId: string },
    o: CallOptions,
  ): Promise<OperationView>;
  addAccessConfig(
    a: InstanceRef & { name: string; natIP: string; networkTier?: string; requestId: string },
    o: CallOptions,
  ): Promise<OperationView>;
  deleteAccessConfig(a: InstanceRef & { name: string; requestId: string }, o: CallOptions): Promise<OperationView>;
  waitZoneOperation(a: { project: string; zone: string; operation: string }, o: CallOptions): Promise<OperationView>;
  listRoutes(a: { project: string; destRange: string }, o: CallOptions): Promise<RouteView[]>;
  getRoute(a: { project: string; name: string }, o: CallOptions): Promise<RouteView>;
  insertRoute(
    a: {
      project: string;
      route: Omit<RouteView, 'nextHopInstance'> & { nextHopInstance: string; description: string };
      requestId: string;
    },
    o: CallOptions,
  ): Promise<OperationView>;
  deleteRoute(a: { project: string; name: string; requestId: string }, o: CallOptions): Promise<OperationView>;
  waitGlobalOperation(a: { project: string; operation: string }, o: CallOptions): Promise<OperationView>;
  /** One page of instances.aggregatedList: nic0 of every instance of the project (a scheduled reconcile's snapshot). */
  listNicsPage?(a: { project: string; pageToken?: string }, o: CallOptions): Promise<ListPage<NicView>>;
  /** One page of routes.list for the given networks (a scheduled reconcile's snapshot). */
  listRoutesPage?(
    a: { project: string; networks: readonly string[]; pageToken?: string },
    o: CallOptions,
  ): Promise<ListPage<RouteView>>;
}

/**
 * The IAM permissions each ComputeApi call needs, and where GCP checks them. `instance` permissions can be granted
 * on the member instances alone; `subnetwork` ones on the members' subnet; `project` ones only on the project
 * (operations, routes and networks have no narrower IAM resource).
 */
export const GCP_PERMISSIONS_BY_CALL = {
  getNic: { instance: ['compute.instances.get'] },
  setAliasRanges: {
    instance: ['compute.instances.updateNetworkInterface'],
    // the alias range is taken from the members' subnet; useInternal only when the VIP is a reserved internal address
    subnetwork: ['compute.subnetworks.use'],
    project: ['compute.addresses.useInternal'],
  },
  addAccessConfig: {
    instance: ['compute.instances.addAccessConfig'],
    subnetwork: ['compute.subnetworks.useExternalIp'],
    // the static address; on a legacy (non-subnet) network the external IP is checked on the network instead of the
    // subnet, and networks have no narrower IAM resource than the project
    project: ['compute.addresses.use', 'compute.networks.useExternalIp'],
  },
  deleteAccessConfig: { instance: ['compute.instances.deleteAccessConfig'] },
  waitZoneOperation: { project: ['compute.zoneOperations.get'] },
  listRoutes: { project: ['compute.routes.list'] },
  getRoute: { project: ['compute.routes.get'] },
  // a route's next hop must be usable by the caller: compute.instances.use on the target instance
  insertRoute: {
    instance: ['compute.instances.use'],
    project: ['compute.routes.create', 'compute.networks.updatePolicy'],
  },
  deleteRoute: { project: ['compute.routes.delete', 'compute.networks.updatePolicy'] },
  waitGlobalOperation: { project: ['compute.globalOperations.get'] },
  // aggregatedList has no narrower IAM resource than the project; terraform grants it only to deployments of 2+ mirrors
  listNicsPage: { project: ['compute.instances.list'] },
  listRoutesPage: { project: ['compute.routes.list'] },
} as const satisfies Record<
  keyof ComputeApi,
  Partial<Record<'instance' | 'subnetwork' | 'project', readonly string[]>>
>;

/** Every permission the provider can use: the deployment's custom roles must stay within this list. */
export const GCP_PERMISSIONS: readonly string[] = [
  ...new Set(Object.values(GCP_PERMISSIONS_BY_CALL).flatMap((c) => Object.values(c).flat())),
].sort();

/** `zones/us-east1-b/instances/iris-a` from any form of an instance URL. */
export function instancePath(link: string): string | null {
  const m = /zones\/([^/]+)\/instances\/([^/]+)$/.exec(link);
  return m ? `zones/${m[1]}/instances/${m[2]}` : null;
}

/**
 * A ComputeApi whose real implementation is created on first use: loading the Compute client costs a few hundred
 * milliseconds, which a request that never reaches the cloud (bad signature, unknown mirror) should not pay.
 */
export function lazyComputeApi(load: () => Promise<ComputeApi>): ComputeApi & { loaded(): boolean } {
  return lazyClient(load, {
    getNic: true,
    setAliasRanges: true,
    addAccessConfig: true,
    deleteAccessConfig: true,
    waitZoneOperation: true,
    listRoutes: true,
    getRoute: true,
    insertRoute: true,
    deleteRoute: true,
    waitGlobalOperation: true,
    listNicsPage: true,
    listRoutesPage: true,
  });
}
