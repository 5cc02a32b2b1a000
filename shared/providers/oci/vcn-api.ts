import { lazyClient } from '../lazy.ts';
/**
 * The VirtualNetwork (oci-core) calls mirror-vip makes, and nothing else: the seam for tests and the source of
 * truth for terraform/oci's policy (OCI_CALLS maps each call to the IAM verb and resource type it needs).
 */

/** A secondary private IP as the provider needs it. */
export interface PrivateIpView {
  id: string;
  ipAddress: string;
  vnicId: string | null;
  subnetId: string;
  isPrimary: boolean;
  etag: string;
}

export interface VnicView {
  id: string;
  subnetId: string;
  skipSourceDestCheck: boolean;
}

/** OCI's public IP lifecycle (PublicIp.LifecycleState). */
export type PublicIpState =
  | 'PROVISIONING'
  | 'AVAILABLE'
  | 'ASSIGNING'
  | 'ASSIGNED'
  | 'UNASSIGNING'
  | 'UNASSIGNED'
  | 'TERMINATING'
  | 'TERMINATED';

export interface PublicIpView {
  id: string;
  ipAddress: string;
  lifecycleState: PublicIpState;
  /** The private IP it is assigned (or being assigned) to; null when it sits in the pool. */
  privateIpId: string | null;
  etag: string;
  /** RESERVED or EPHEMERAL (PublicIp.Lifetime); null when the answer did not say. */
  lifetime?: string | null;
}

export interface RouteRuleView {
  destination: string;
  destinationType: string;
  networkEntityId: string;
  description?: string;
  routeType?: string;
}

export interface RouteTableView {
  id: string;
  routeRules: RouteRuleView[];
  etag: string;
}

/** Per-call options: the invocation's abort signal (the one deadline). */
export interface CallOptions {
  signal: AbortSignal;
}

export interface VcnApi {
  getPrivateIp(id: string, o: CallOptions): Promise<PrivateIpView>;
  listPrivateIps(subnetId: string, ipAddress: string, o: CallOptions): Promise<PrivateIpView[]>;
  updatePrivateIp(id: string, vnicId: string, ifMatch: string, o: CallOptions): Promise<PrivateIpView>;
  getVnic(id: string, o: CallOptions): Promise<VnicView>;
  getPublicIp(id: string, o: CallOptions): Promise<PublicIpView>;
  updatePublicIp(id: string, privateIpId: string, ifMatch: string, o: CallOptions): Promise<PublicIpView>;
  getRouteTable(id: string, o: CallOptions): Promise<RouteTableView>;
  updateRouteTable(id: string, rules: RouteRuleView[], ifMatch: string, o: CallOptions): Promise<RouteTableView>;
}

/**
 * Each call, its OCI operation name (as recorded and as the emulator sees it), whether it writes, and the policy
 * statement that allows it (Core Services policy reference: verbs and resource types).
 */
export const OCI_CALLS = {
  getPrivateIp: { op: 'GetPrivateIp', write: false, verb: 'read', resource: 'private-ips' },
  listPrivateIps: { op: 'ListPrivateIps', write: false, verb: 'read', resource: 'private-ips' },
  updatePrivateIp: { op: 'UpdatePrivateIp', write: true, verb: 'use', resource: 'private-ips' },
  getVnic: { op: 'GetVnic', write: false, verb: 'read', resource: 'vnics' },
  getPublicIp: { op: 'GetPublicIp', write: false, verb: 'read', resource: 'public-ips' },
  updatePublicIp: { op: 'UpdatePublicIp', write: true, verb: 'use', resource: 'public-ips' },
  getRouteTable: { op: 'GetRouteTable', write: false, verb: 'read', resource: 'route-tables' },
  updateRouteTable: { op: 'UpdateRouteTable', write: true, verb: 'manage', resource: 'route-tables' },
} as const satisfies Record<keyof VcnApi, { op: string; write: boolean; verb: string; resource: string }>;

/** UpdatePrivateIp moving an address also unassigns it from one VNIC and assigns it to another. */
export const MOVE_ALSO_NEEDS = { verb: 'use', resource: 'vnics' } as const;

/** The VCN client built on first use, so a cold start that only rejects never loads or authenticates it. */
export function lazyVcnApi(make: () => Promise<VcnApi>): VcnApi {
  return lazyClient(make, {
    getPrivateIp: true,
    listPrivateIps: true,
    updatePrivateIp: true,
    getVnic: true,
    getPublicIp: true,
    updatePublicIp: true,
    getRouteTable: true,
    updateRouteTable: true,
  });
}
