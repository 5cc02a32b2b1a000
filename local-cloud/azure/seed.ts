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

/** One of `seedMirrors`' mirrors: its two NICs, its ip-config VIP, and its route VIP in table `rt-m<i>`. */
export interface SeededMirror {
  members: { name: string; nic: string }[];
  vip: string;
  routeVip: string;
  table: string;
}

/**
 * Seed `n` mirrors into the mirror resource group (bench and batch tests), in a subnet `many` (10.8.0.0/16): mirror
 * i has NICs m<i>-a-nic and m<i>-b-nic, the ip-config VIP 10.8.<200+i/250>.<i%250+4> on `holder`, and a route table
 * rt-m<i> whose `mirror-vip` route for 10.98.<…>/32 points at `holder`'s address.
 */
export function seedMirrors(state: ArmState, n: number, holder: 'a' | 'b'): SeededMirror[] {
  const subnetId = id('virtualNetworks', `${MIRROR.vnet}/subnets/many`);
  state.subnets.set(key(subnetId), { id: subnetId, addressPrefix: '10.8.0.0/16' });
  return Array.from({ length: n }, (_, i) => {
    // .4 up: Azure reserves the first four addresses of a subnet
    const [hi, lo] = [Math.floor(i / 250), (i % 250) + 4];
    const ips = { a: `10.8.${hi}.${lo}`, b: `10.8.${100 + hi}.${lo}` };
    const vip = `10.8.${200 + hi}.${lo}`;
    for (const s of ['a', 'b'] as const) {
      const made = nic({ nic: `m${i}-${s}-nic`, ip: ips[s], vm: `m${i}-${s}` }, true);
      const primary = made.ipConfigurations[0];
      if (primary) primary.subnetId = subnetId;
      if (s === holder) {
        made.ipConfigurations.push({
          name: MIRROR.ipConfigName,
          privateIPAddress: vip,
          privateIPAllocationMethod: 'Static',
          subnetId,
          publicIpId: null,
          primary: false,
        });
      }
      state.nics.set(key(made.id), made);
    }
    const routeVip = `10.98.${hi}.${lo}/32`;
    const table = `rt-m${i}`;
    const route = {
      name: MIRROR.routeName,
      etag: newEtag(),
      addressPrefix: routeVip,
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: ips[holder],
      provisioningState: 'Succeeded',
    };
    const tid = id('routeTables', table);
    const routes = new Map([[MIRROR.routeName, route]]);
    state.routeTables.set(key(tid), { id: tid, name: table, location: MIRROR.location, etag: newEtag(), routes });
    return {
      members: (['a', 'b'] as const).map((s) => ({ name: `iris-${s}`, nic: `m${i}-${s}-nic` })),
      vip,
      routeVip,
      table,
    };
  });
}
