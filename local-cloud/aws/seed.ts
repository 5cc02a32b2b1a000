import { randomBytes } from 'node:crypto';
import { associateAddress } from './ec2-interfaces.ts';
import { createRoute } from './ec2-routes.ts';
import type { Ec2State, NetworkInterface, RouteTable, Subnet, Tags, Vpc } from './ec2-state.ts';
import { newId } from './ec2-state.ts';

/** Adds a VPC with its main route table (every VPC has one: the `local` route, association main=true, no subnet). */
export function addVpc(state: Ec2State, cidrBlock: string, tags: Tags = {}): Vpc {
  const vpc: Vpc = { vpcId: newId('vpc'), cidrBlock, tags };
  state.vpcs.set(vpc.vpcId, vpc);
  const main = addRouteTable(state, vpc, { name: '' });
  main.tags = {};
  main.associations.push({ routeTableAssociationId: newId('rtbassoc'), main: true });
  return vpc;
}

/** The VPC's main route table. */
export function mainRouteTableOf(state: Ec2State, vpcId: string): RouteTable | undefined {
  return [...state.routeTables.values()].find((t) => t.vpcId === vpcId && t.associations.some((a) => a.main));
}

/** Adds a subnet to a VPC. */
export function addSubnet(state: Ec2State, vpcId: string, cidrBlock: string, availabilityZone: string): Subnet {
  const subnet: Subnet = { subnetId: newId('subnet'), vpcId, cidrBlock, availabilityZone, tags: {} };
  state.subnets.set(subnet.subnetId, subnet);
  return subnet;
}

/** Adds a running instance with one attached interface (device 0) holding `privateIp`. */
export function addInstance(
  state: Ec2State,
  subnet: Subnet,
  opts: { name: string; privateIp: string; sourceDestCheck?: boolean },
): NetworkInterface {
  const instanceId = newId('i');
  const tags = { Name: opts.name };
  state.instances.set(instanceId, { instanceId, vpcId: subnet.vpcId, subnetId: subnet.subnetId, tags });
  const mac = `02:${[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  const eni: NetworkInterface = {
    networkInterfaceId: newId('eni'),
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    macAddress: mac,
    description: '',
    privateIps: [{ address: opts.privateIp, primary: true }],
    sourceDestCheck: opts.sourceDestCheck ?? true,
    status: 'in-use',
    attachment: {
      attachmentId: newId('eni-attach'),
      instanceId,
      deviceIndex: 0,
      status: 'attached',
      attachTime: '2024-01-01T00:00:00.000Z',
    },
    tags: { ...tags },
  };
  state.networkInterfaces.set(eni.networkInterfaceId, eni);
  return eni;
}

/** Adds a route table with its `local` route, optionally associated with a subnet. */
export function addRouteTable(state: Ec2State, vpc: Vpc, opts: { name: string; subnetId?: string }): RouteTable {
  const table: RouteTable = {
    routeTableId: newId('rtb'),
    vpcId: vpc.vpcId,
    routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', state: 'active', origin: 'CreateRouteTable' }],
    associations: [],
    tags: { Name: opts.name },
  };
  if (opts.subnetId !== undefined) {
    table.associations.push({ routeTableAssociationId: newId('rtbassoc'), subnetId: opts.subnetId, main: false });
  }
  state.routeTables.set(table.routeTableId, table);
  return table;
}

/** Allocates an unassociated Elastic IP. */
export function allocateAddress(state: Ec2State, publicIp: string): string {
  const allocationId = newId('eipalloc');
  state.addresses.set(allocationId, { allocationId, publicIp, domain: 'vpc', tags: {} });
  return allocationId;
}

export type MirrorMember = 'iris-a' | 'iris-b';
type Placement = MirrorMember | 'none';

export interface SeedOptions {
  /** How many route tables (default 2); the first two are associated with the two subnets. */
  tables?: number;
  /** Source/destination check on both interfaces (default false, as a VIP target needs). */
  sourceDestCheck?: boolean;
  /** Where the VIP route points: one member for every table, or one entry per table (default 'iris-a'). */
  vip?: Placement | readonly Placement[];
  /** Which member's interface the Elastic IP is on (default 'iris-a'). */
  eip?: Placement;
}

export interface SeededMember {
  instanceId: string;
  networkInterfaceId: string;
  privateIp: string;
  subnetId: string;
}

export interface SeededMirror {
  vpcId: string;
  vpcCidr: string;
  subnetIds: [string, string];
  routeTableIds: string[];
  /** The VPC's main route table (no VIP route). */
  mainRouteTableId: string;
  vipCidr: string;
  members: Record<MirrorMember, SeededMember>;
  allocationId: string;
  publicIp: string;
  /** Undefined when the seed left the Elastic IP unassociated. */
  associationId?: string;
}

/** Builds the typical mirror topology: one VPC, two AZs, iris-a/iris-b, N route tables with the VIP route, one EIP. */
export function seedMirrorVpc(state: Ec2State, opts: SeedOptions = {}): SeededMirror {
  const vpc = addVpc(state, '10.109.10.0/24', { Name: 'mirror-vpc' });
  const subnetA = addSubnet(state, vpc.vpcId, '10.109.10.0/26', 'us-east-1a');
  const subnetB = addSubnet(state, vpc.vpcId, '10.109.10.64/26', 'us-east-1b');
  const sourceDestCheck = opts.sourceDestCheck ?? false;
  const eniA = addInstance(state, subnetA, { name: 'iris-a', privateIp: '10.109.10.10', sourceDestCheck });
  const eniB = addInstance(state, subnetB, { name: 'iris-b', privateIp: '10.109.10.70', sourceDestCheck });
  const member = (eni: NetworkInterface, subnet: Subnet): SeededMember => ({
    instanceId: eni.attachment?.instanceId ?? '',
    networkInterfaceId: eni.networkInterfaceId,
    privateIp: eni.privateIps[0]?.address ?? '',
    subnetId: subnet.subnetId,
  });
  const members = { 'iris-a': member(eniA, subnetA), 'iris-b': member(eniB, subnetB) };
  // Outside the VPC's 10.109.10.0/24: a route inside it must match a whole subnet (seed 002's .254 would be refused).
  const vipCidr = '10.109.11.254/32';
  const count = opts.tables ?? 2;
  const routeTableIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const subnetId = [subnetA.subnetId, subnetB.subnetId][i];
    const table = addRouteTable(state, vpc, { name: `mirror-rt-${i + 1}`, subnetId });
    routeTableIds.push(table.routeTableId);
    const placement = typeof opts.vip === 'object' ? (opts.vip[i] ?? 'none') : (opts.vip ?? 'iris-a');
    if (placement === 'none') continue;
    const networkInterfaceId = members[placement].networkInterfaceId;
    createRoute(state, {
      routeTableId: table.routeTableId,
      destinationCidrBlock: vipCidr,
      target: { networkInterfaceId },
    });
  }
  const publicIp = '203.0.113.25';
  const allocationId = allocateAddress(state, publicIp);
  const eip = opts.eip ?? 'iris-a';
  const associationId =
    eip === 'none'
      ? undefined
      : associateAddress(state, {
          allocationId,
          networkInterfaceId: members[eip].networkInterfaceId,
          allowReassociation: false,
        });
  const subnetIds: [string, string] = [subnetA.subnetId, subnetB.subnetId];
  return {
    vpcId: vpc.vpcId,
    vpcCidr: vpc.cidrBlock,
    subnetIds,
    routeTableIds,
    mainRouteTableId: mainRouteTableOf(state, vpc.vpcId)?.routeTableId ?? '',
    vipCidr,
    members,
    allocationId,
    publicIp,
    associationId,
  };
}
