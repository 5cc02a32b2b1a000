import type { ListPage } from '../all-pages.ts';
import { lazyClient } from '../lazy.ts';
/** One ip-configuration of a NIC, as the provider reads it. */
export interface IpConfigView {
  name: string;
  primary: boolean;
  privateIp: string | null;
  subnetId: string | null;
  publicIpId: string | null;
  /** Application security groups and load-balancer backend pools this ip-configuration joins. */
  asgIds: string[];
  poolIds: string[];
}

/** A NIC with the ETag a write must quote. `model` is the whole object as read: a PUT resets what it leaves out. */
export interface NicView {
  id: string;
  name: string;
  resourceGroup: string;
  etag: string;
  ipForwarding: boolean;
  /** The network security group on the NIC, if any (a NIC PUT needs join on it). */
  nsgId: string | null;
  ipConfigs: IpConfigView[];
  model: unknown;
}

/** The change a NIC PUT makes to the NIC as read; every other field and ip-configuration is sent back unchanged. */
export type NicEdit =
  | { kind: 'remove-ip-config'; name: string }
  | { kind: 'add-ip-config'; name: string; privateIp: string; subnetId: string; publicIpId: string | null }
  | { kind: 'set-public-ip'; name: string; publicIpId: string | null };

export interface RouteView {
  etag: string;
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress: string | null;
}

export interface NicRef {
  resourceGroup: string;
  name: string;
}
export interface RouteRef {
  resourceGroup: string;
  table: string;
  name: string;
}

/** A subnet's address ranges (one prefix, or several). */
export interface SubnetView {
  id: string;
  addressPrefixes: string[];
}

/** What the preflight needs of a public IP: SKU, tier, allocation and zones. */
export interface PublicIpView {
  id: string;
  sku: string | null;
  tier: string | null;
  allocation: string | null;
  zones: string[];
}

/** One entry of Permissions - List For Resource: the actions of one role assignment that applies at the scope. */
export interface PermissionView {
  actions: string[];
  notActions: string[];
}

/** Per call: the abort signal of the invocation's deadline. */
export interface CallOptions {
  signal: AbortSignal;
}

/** A long-running operation started by a write: `poll` asks once and says whether it has ended (Succeeded). */
export interface Lro {
  readonly done: boolean;
  /** One status request (no GET of the resource once it succeeded); throws when it ended Failed/Canceled. */
  poll(o: CallOptions): Promise<boolean>;
}

/** A NIC PUT under way, with the NIC as it leaves it once Succeeded (its ETag still the one before the write). */
export interface NicWrite extends Lro {
  readonly sent: NicView;
}

/**
 * The narrow Resource Manager surface the Azure provider uses: the seam for tests and, through AZURE_ACTIONS_BY_CALL,
 * the source of truth of the custom role. Every write quotes the ETag it read (If-Match).
 */
export interface NetworkApi {
  getNic(ref: NicRef, o: CallOptions): Promise<NicView>;
  putNic(nic: NicView, edit: NicEdit, o: CallOptions): Promise<NicWrite>;
  /** null when the route does not exist (404). */
  getRoute(ref: RouteRef, o: CallOptions): Promise<RouteView | null>;
  /** Create (If-None-Match: *) when `etag` is null, else replace (If-Match). */
  putRoute(
    ref: RouteRef,
    route: { addressPrefix: string; nextHopIpAddress: string },
    etag: string | null,
    o: CallOptions,
  ): Promise<Lro>;
  /** The preflight's reads (shared/providers/azure/azure-check.ts); none of them writes. */
  getSubnet(id: string, o: CallOptions): Promise<SubnetView>;
  getPublicIp(id: string, o: CallOptions): Promise<PublicIpView>;
  /** The caller's effective permissions at a resource (or resource group) id: GET {id}/providers/Microsoft.Authorization/permissions. */
  listPermissions(scopeId: string, o: CallOptions): Promise<PermissionView[]>;
  /** One page of Network Interfaces - List (a resource group): a scheduled reconcile's snapshot (snapshot.ts). */
  listNicsPage?(resourceGroup: string, next: string | undefined, o: CallOptions): Promise<ListPage<NicView>>;
  /** One page of Route Tables - List (a resource group), each table with its routes: the snapshot's. */
  listRouteTablesPage?(
    resourceGroup: string,
    next: string | undefined,
    o: CallOptions,
  ): Promise<ListPage<RouteTableView>>;
}

/** A route table as listed: its routes by name (lower-cased: ARM names compare case-insensitively). */
export interface RouteTableView {
  resourceGroup: string;
  name: string;
  routes: Map<string, RouteView>;
}

/**
 * The Azure RBAC actions each NetworkApi call needs, by the resource they are checked on (Azure resource provider
 * operations, Microsoft.Network: learn.microsoft.com/azure/role-based-access-control/permissions/networking). A NIC
 * PUT is checked for linked access to everything the NIC references, or it fails 403 LinkedAuthorizationFailed: the
 * subnet of each ip-configuration, the public IP attached, and — when the member NICs have them — their network
 * security group, application security groups and load-balancer backend pools (each a join action). Polling an
 * Azure-AsyncOperation URL (`/subscriptions/S/providers/Microsoft.Network/locations/L/operations/ID`) is a read of a
 * subscription-level resource, so that one read is granted on the subscription.
 */
export const AZURE_ACTIONS_BY_CALL = {
  getNic: { nic: ['Microsoft.Network/networkInterfaces/read'] },
  putNic: {
    nic: ['Microsoft.Network/networkInterfaces/write'],
    subnet: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
    publicIp: ['Microsoft.Network/publicIPAddresses/join/action'],
    nsg: ['Microsoft.Network/networkSecurityGroups/join/action'],
    asg: ['Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action'],
    lbPool: ['Microsoft.Network/loadBalancers/backendAddressPools/join/action'],
  },
  getRoute: { routeTable: ['Microsoft.Network/routeTables/routes/read'] },
  putRoute: { routeTable: ['Microsoft.Network/routeTables/routes/write'] },
  /** Lro.poll of every write. */
  pollOperation: {
    subscription: ['Microsoft.Network/locations/operations/read', 'Microsoft.Network/locations/operationResults/read'],
  },
} as const satisfies Record<
  Exclude<keyof NetworkApi, keyof AZURE_CHECK_ONLY> | 'pollOperation',
  Partial<Record<AzureScopeKind, readonly string[]>>
>;

/** The kinds of resource a custom role is assigned on (terraform/azure role_actions keys). */
export type AzureScopeKind = 'nic' | 'subnet' | 'publicIp' | 'nsg' | 'asg' | 'lbPool' | 'routeTable' | 'subscription';

/** The reads only the preflight makes, and the action each needs (terraform/azure/check.tf grants them). */
export const AZURE_CHECK_ACTIONS_BY_CALL = {
  getSubnet: { subnet: ['Microsoft.Network/virtualNetworks/subnets/read'] },
  getPublicIp: { publicIp: ['Microsoft.Network/publicIPAddresses/read'] },
  /** Any caller may list its own permissions (Permissions - List For Resource needs no action). */
  listPermissions: {},
} as const;
/**
 * The snapshot's lists (a scheduled reconcile of 2+ mirrors): a read of the type at the resource group. terraform/azure
 * deploys one mirror per module and grants none of them; without them the list is refused (403) and each mirror
 * reads its own NICs and routes, as it always did.
 */
export const AZURE_SNAPSHOT_ACTIONS_BY_CALL = {
  listNicsPage: { resourceGroup: ['Microsoft.Network/networkInterfaces/read'] },
  listRouteTablesPage: { resourceGroup: ['Microsoft.Network/routeTables/read'] },
} as const;
type AZURE_CHECK_ONLY = typeof AZURE_CHECK_ACTIONS_BY_CALL & typeof AZURE_SNAPSHOT_ACTIONS_BY_CALL;

/** Every action the provider can use: the deployment's custom role must hold exactly these. */
export const AZURE_ACTIONS: readonly string[] = [
  ...new Set(Object.values(AZURE_ACTIONS_BY_CALL).flatMap((c) => Object.values(c).flat())),
].sort();

/** `/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/<type>/<name>`. */
export function resourceId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
}

/** ARM ids compare case-insensitively (resource group and provider names are case-insensitive). */
export const sameId = (a: string | null | undefined, b: string | null | undefined) =>
  a != null && b != null && a.toLowerCase() === b.toLowerCase();

/** The ARM client built on first use (the SDK and the credential load only when a call needs them). */
export function lazyNetworkApi(make: () => Promise<NetworkApi>): NetworkApi {
  return lazyClient(make, {
    getNic: true,
    putNic: true,
    getRoute: true,
    putRoute: true,
    getSubnet: true,
    getPublicIp: true,
    listPermissions: true,
    listNicsPage: true,
    listRouteTablesPage: true,
  });
}
