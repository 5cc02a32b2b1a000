import type { ListPage } from '../all-pages.ts';
import { lazyClient } from '../lazy.ts';
/**
 * The VirtualNetwork (oci-core) calls mirror-vip makes, and nothing else: the seam for tests and the source of
 * truth for terraform/oci's policy (OCI_CALLS maps each call to every IAM verb and resource type it needs).
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
  /** Set when the rule was read in the deprecated form; it is written back in that form (never beside destination). */
  cidrBlock?: string;
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
  /** One page (up to 1000) of every private IP of a subnet: a scheduled reconcile's snapshot (snapshot.ts). */
  listSubnetPrivateIps?(subnetId: string, page: string | undefined, o: CallOptions): Promise<ListPage<PrivateIpView>>;
  /** One page (up to 1000) of a compartment's reserved public IPs (scope REGION, lifetime RESERVED): the snapshot. */
  listPublicIps?(compartmentId: string, page: string | undefined, o: CallOptions): Promise<ListPage<PublicIpView>>;
  /** One page (up to 1000) of a compartment's route tables: the snapshot of route VIPs. */
  listRouteTables?(compartmentId: string, page: string | undefined, o: CallOptions): Promise<ListPage<RouteTableView>>;
}

/** A policy grant one call needs: `Allow … to <verb> <resource> … where request.operation = '<op>'`. */
export interface OciGrant {
  verb: 'inspect' | 'read' | 'use' | 'manage';
  resource: string;
  /** The permissions of that verb the operation checks (policy reference rows), for the record and the docs. */
  permissions: readonly string[];
}

/** The VIP modes, each with the calls it makes (a policy grants a mode's calls only when a VIP uses it). */
export type OciMode = 'private-ip' | 'route';

/**
 * Each call, its OCI operation name (as recorded and as the emulator sees it), whether it writes, the VIP modes that
 * make it, and every grant it needs: OCI policy reference, "Details for the Core Services" (Details for Verb +
 * Resource-Type Combinations, virtual-network-family), docs.oracle.com/iaas/Content/Identity/Reference/corepolicyreference.htm.
 * terraform/oci/locals.tf `oci_calls` is this table; test/deploy/terraform-oci.test.ts keeps the two equal.
 */
export const OCI_CALLS = {
  // private-ips inspect: PRIVATE_IP_READ → ListPrivateIps, GetPrivateIp
  getPrivateIp: {
    op: 'GetPrivateIp',
    write: false,
    modes: ['private-ip'],
    needs: [{ verb: 'read', resource: 'private-ips', permissions: ['PRIVATE_IP_READ'] }],
  },
  listPrivateIps: {
    op: 'ListPrivateIps',
    write: false,
    modes: ['private-ip'],
    needs: [{ verb: 'read', resource: 'private-ips', permissions: ['PRIVATE_IP_READ'] }],
  },
  // the same operation, every private IP of a subnet page by page (the snapshot of a scheduled reconcile)
  listSubnetPrivateIps: {
    op: 'ListPrivateIps',
    write: false,
    modes: ['private-ip'],
    needs: [{ verb: 'read', resource: 'private-ips', permissions: ['PRIVATE_IP_READ'] }],
  },
  // public-ips read: PUBLIC_IP_READ → ListPublicIps (a compartment's reserved public IPs: the snapshot); the function
  // holds read public-ips for GetPublicIp already, so the list widens nothing
  listPublicIps: {
    op: 'ListPublicIps',
    write: false,
    modes: ['private-ip'],
    needs: [{ verb: 'read', resource: 'public-ips', permissions: ['PUBLIC_IP_READ'] }],
  },
  // route-tables inspect: ROUTE_TABLE_INSPECT → ListRouteTables (a compartment's route tables: the snapshot); the
  // policy reference's Verbs page: inspect's list operations of Networking resource-types return the tables' contents
  listRouteTables: {
    op: 'ListRouteTables',
    write: false,
    modes: ['route'],
    needs: [{ verb: 'inspect', resource: 'route-tables', permissions: ['ROUTE_TABLE_INSPECT'] }],
  },
  // private-ips use: PRIVATE_IP_UPDATE/ASSIGN/UNASSIGN; UpdatePrivateIp "also needs use vnics" (VNIC_ASSIGN/UNASSIGN)
  updatePrivateIp: {
    op: 'UpdatePrivateIp',
    write: true,
    modes: ['private-ip'],
    needs: [
      {
        verb: 'use',
        resource: 'private-ips',
        permissions: ['PRIVATE_IP_UPDATE', 'PRIVATE_IP_ASSIGN', 'PRIVATE_IP_UNASSIGN'],
      },
      { verb: 'use', resource: 'vnics', permissions: ['VNIC_ASSIGN', 'VNIC_UNASSIGN'] },
    ],
  },
  // vnics inspect/read: VNIC_READ → GetVnic (route mode: the source/destination check warning)
  getVnic: {
    op: 'GetVnic',
    write: false,
    modes: ['route'],
    needs: [{ verb: 'read', resource: 'vnics', permissions: ['VNIC_READ'] }],
  },
  // public-ips read: PUBLIC_IP_READ → GetPublicIp
  getPublicIp: {
    op: 'GetPublicIp',
    write: false,
    modes: ['private-ip'],
    needs: [{ verb: 'read', resource: 'public-ips', permissions: ['PUBLIC_IP_READ'] }],
  },
  // a reserved public IP: public-ips manage PUBLIC_IP_UPDATE, and private-ips use (PRIVATE_IP_ASSIGN_PUBLIC_IP,
  // PRIVATE_IP_UNASSIGN_PUBLIC_IP) for the private IPs it leaves and joins
  updatePublicIp: {
    op: 'UpdatePublicIp',
    write: true,
    modes: ['private-ip'],
    needs: [
      { verb: 'manage', resource: 'public-ips', permissions: ['PUBLIC_IP_UPDATE'] },
      {
        verb: 'use',
        resource: 'private-ips',
        permissions: ['PRIVATE_IP_ASSIGN_PUBLIC_IP', 'PRIVATE_IP_UNASSIGN_PUBLIC_IP'],
      },
    ],
  },
  // route-tables inspect: ROUTE_TABLE_READ → GetRouteTable
  getRouteTable: {
    op: 'GetRouteTable',
    write: false,
    modes: ['route'],
    needs: [{ verb: 'read', resource: 'route-tables', permissions: ['ROUTE_TABLE_READ'] }],
  },
  // route-tables manage: ROUTE_TABLE_UPDATE; a rule targeting a private IP: private-ips manage
  // PRIVATE_IP_ROUTE_TABLE_ATTACH (the new target) and PRIVATE_IP_ROUTE_TABLE_DETACH (the old one)
  updateRouteTable: {
    op: 'UpdateRouteTable',
    write: true,
    modes: ['route'],
    needs: [
      { verb: 'manage', resource: 'route-tables', permissions: ['ROUTE_TABLE_UPDATE'] },
      {
        verb: 'manage',
        resource: 'private-ips',
        permissions: ['PRIVATE_IP_ROUTE_TABLE_ATTACH', 'PRIVATE_IP_ROUTE_TABLE_DETACH'],
      },
    ],
  },
} as const satisfies Record<
  keyof VcnApi,
  { op: string; write: boolean; modes: readonly OciMode[]; needs: readonly OciGrant[] }
>;

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
    listSubnetPrivateIps: true,
    listPublicIps: true,
    listRouteTables: true,
  });
}
