import { type ArmState, key, type Nic, newEtag } from './arm-state.ts';

/** The names and addresses of the seeded mirror subscription, for tests, the demo and the bench. */
export const MIRROR = {
  subscriptionId: '6d6f6b65-0000-4000-8000-00000000a2e1',
  resourceGroup: 'mirror-rg',
  location: 'eastus2',
  vnet: 'mirror-vnet',
  subnet: 'db',
  subnetPrefix: '10.0.0.0/24',
  vip: '10.0.0.254',
  ipConfigName: 'vip',
  publicIpName: 'mirror-vip-pip',
  publicIp: '20.42.0.10',
  routeVip: '10.99.0.10/32',
  routeName: 'mirror-vip',
  routeTables: ['rt-app-1', 'rt-app-2'],
  primary: { name: 'iris-a', nic: 'iris-a-nic', ip: '10.0.0.4', vm: 'iris-a' },
  backup: { name: 'iris-b', nic: 'iris-b-nic', ip: '10.0.0.5', vm: 'iris-b' },
} as const;

export interface SeedOptions {
  /** Put the `vip` ip-configuration (private VIP) on iris-a's NIC (default true). */
  ipConfig?: boolean;
  /** Attach the public IP to that ip-configuration (default true). */
  publicIp?: boolean;
  /** Route tables with the VIP route → iris-a (default: both tables, for route mode only). */
  routes?: boolean;
  /** IP forwarding on the NICs (default true). */
  ipForwarding?: boolean;
  /** How many route tables (default 2). */
  tables?: number;
  /** An NSG on each NIC and an application security group and load-balancer pool on each primary ip-configuration. */
  linked?: boolean;
}

const id = (type: string, name: string) =>
  `/subscriptions/${MIRROR.subscriptionId}/resourceGroups/${MIRROR.resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
export const SUBNET_ID = id('virtualNetworks', `${MIRROR.vnet}/subnets/${MIRROR.subnet}`);
export const PUBLIC_IP_ID = id('publicIPAddresses', MIRROR.publicIpName);
export const NSG_ID = id('networkSecurityGroups', 'db-nsg');
export const ASG_ID = id('applicationSecurityGroups', 'db-asg');
export const POOL_ID = id('loadBalancers', 'db-lb/backendAddressPools/db-pool');
export const tableNames = (n: number) => Array.from({ length: n }, (_, i) => `rt-app-${i + 1}`);

function nic(spec: { nic: string; ip: string; vm: string }, forwarding: boolean): Nic {
  return {
    id: id('networkInterfaces', spec.nic),
    name: spec.nic,
    location: MIRROR.location,
    etag: newEtag(),
    enableIPForwarding: forwarding,
    provisioningState: 'Succeeded',
    busyWith: null,
    extra: {
      dnsSettings: { dnsServers: [] },
      enableAcceleratedNetworking: true,
      virtualMachine: {
        id: `/subscriptions/${MIRROR.subscriptionId}/resourceGroups/${MIRROR.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${spec.vm}`,
      },
      nicType: 'Standard',
    },
    ipConfigurations: [
      {
        name: 'ipconfig1',
        privateIPAddress: spec.ip,
        privateIPAllocationMethod: 'Static',
        subnetId: SUBNET_ID,
        publicIpId: null,
        primary: true,
      },
    ],
  };
}

/** A resource group with a mirror in it: two NICs in one zone-spanning subnet, the VIP on iris-a (seed 001). */
export function seedMirrorSubscription(state: ArmState, o: SeedOptions = {}): void {
  state.subnets.set(key(SUBNET_ID), { id: SUBNET_ID, addressPrefix: MIRROR.subnetPrefix });
  state.publicIps.set(key(PUBLIC_IP_ID), { id: PUBLIC_IP_ID, name: MIRROR.publicIpName, ipAddress: MIRROR.publicIp });
  const a = nic(MIRROR.primary, o.ipForwarding ?? true);
  const b = nic(MIRROR.backup, o.ipForwarding ?? true);
  for (const n of o.linked ? [a, b] : []) {
    n.extra.networkSecurityGroup = { id: NSG_ID };
    Object.assign(n.ipConfigurations[0] ?? {}, { asgIds: [ASG_ID], poolIds: [POOL_ID] });
  }
  if (o.ipConfig ?? true) {
    a.ipConfigurations.push({
      name: MIRROR.ipConfigName,
      privateIPAddress: MIRROR.vip,
      privateIPAllocationMethod: 'Static',
      subnetId: SUBNET_ID,
      publicIpId: (o.publicIp ?? true) ? PUBLIC_IP_ID : null,
      primary: false,
    });
  }
  for (const n of [a, b]) state.nics.set(key(n.id), n);
  for (const name of tableNames(o.tables ?? 2)) {
    const tid = id('routeTables', name);
    const routes = new Map();
    if (o.routes) {
      routes.set(MIRROR.routeName, {
        name: MIRROR.routeName,
        etag: newEtag(),
        addressPrefix: MIRROR.routeVip,
        nextHopType: 'VirtualAppliance',
        nextHopIpAddress: MIRROR.primary.ip,
        provisioningState: 'Succeeded',
      });
    }
    state.routeTables.set(key(tid), { id: tid, name, location: MIRROR.location, etag: newEtag(), routes });
  }
}
