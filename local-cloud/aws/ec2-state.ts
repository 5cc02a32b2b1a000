import { randomBytes } from 'node:crypto';
import { EmulatorApiError } from './errors.ts';
import type { IamPolicies } from './iam.ts';
import type { Filter } from './query.ts';

export type Tags = Record<string, string>;

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  /** Secondary IPv4 blocks (AssociateVpcCidrBlock); a route inside any of them must match a whole subnet. */
  secondaryCidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  tags: Tags;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  tags: Tags;
}

export interface Instance {
  instanceId: string;
  vpcId: string;
  subnetId: string;
  tags: Tags;
}

export interface PrivateIp {
  address: string;
  primary: boolean;
}

export interface EniAttachment {
  attachmentId: string;
  instanceId: string;
  deviceIndex: number;
  status: 'attached';
  attachTime: string;
}

export interface NetworkInterface {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  macAddress: string;
  description: string;
  /** The primary address first; secondaries follow in assignment order. */
  privateIps: PrivateIp[];
  sourceDestCheck: boolean;
  status: 'in-use' | 'available';
  attachment?: EniAttachment;
  tags: Tags;
}

export interface Route {
  destinationCidrBlock: string;
  gatewayId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  state: 'active' | 'blackhole';
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableAssociation {
  routeTableAssociationId: string;
  subnetId?: string;
  main: boolean;
}

export interface RouteTable {
  routeTableId: string;
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
  tags: Tags;
}

export interface AddressAssociation {
  associationId: string;
  networkInterfaceId: string;
  privateIpAddress: string;
  instanceId?: string;
}

export interface Address {
  allocationId: string;
  publicIp: string;
  domain: 'vpc';
  association?: AddressAssociation;
  tags: Tags;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, { dataType: string; value: string }>;
}

/** Everything the emulator knows; tests may read and modify it directly. */
export interface Ec2State {
  ownerId: string;
  region: string;
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  instances: Map<string, Instance>;
  networkInterfaces: Map<string, NetworkInterface>;
  routeTables: Map<string, RouteTable>;
  addresses: Map<string, Address>;
  sns: { topics: Set<string>; published: PublishedMessage[] };
  ssm: { parameters: Map<string, string> };
  /** Policies by access key id (local-cloud/aws/iam.ts); a key not listed is unrestricted. */
  iam: IamPolicies;
  /** Lambda functions by name: only what GetFunctionConcurrency answers. */
  lambda: { functions: Map<string, { reservedConcurrency?: number }> };
}

/** An empty account in us-east-1. */
export function createEc2State(): Ec2State {
  return {
    ownerId: '123456789012',
    region: 'us-east-1',
    vpcs: new Map(),
    subnets: new Map(),
    instances: new Map(),
    networkInterfaces: new Map(),
    routeTables: new Map(),
    addresses: new Map(),
    sns: { topics: new Set(), published: [] },
    ssm: { parameters: new Map() },
    iam: new Map(),
    lambda: { functions: new Map() },
  };
}

/** A real-looking resource id: prefix, dash, then 17 hex digits starting with 0 (`rtb-0…`). */
export function newId(prefix: string): string {
  return `${prefix}-0${randomBytes(8).toString('hex')}`;
}

function notFound(code: string, kind: string, id: string): EmulatorApiError {
  return new EmulatorApiError(code, `The ${kind} ID '${id}' does not exist`);
}

/** The route table, or 400 InvalidRouteTableID.NotFound. */
export function getRouteTable(state: Ec2State, id: string): RouteTable {
  const table = state.routeTables.get(id);
  if (table === undefined) throw notFound('InvalidRouteTableID.NotFound', 'routeTable', id);
  return table;
}

/** The network interface, or 400 InvalidNetworkInterfaceID.NotFound. */
export function getNetworkInterface(state: Ec2State, id: string): NetworkInterface {
  const eni = state.networkInterfaces.get(id);
  if (eni === undefined) throw notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface', id);
  return eni;
}

/** The instance, or 400 InvalidInstanceID.NotFound. */
export function getInstance(state: Ec2State, id: string): Instance {
  const instance = state.instances.get(id);
  if (instance === undefined) throw notFound('InvalidInstanceID.NotFound', 'instance', id);
  return instance;
}

/** The Elastic IP allocation, or 400 InvalidAllocationID.NotFound. */
export function getAddress(state: Ec2State, allocationId: string): Address {
  const address = state.addresses.get(allocationId);
  if (address === undefined) throw notFound('InvalidAllocationID.NotFound', 'allocation', allocationId);
  return address;
}

/** The instance's primary interface (device index 0), or InvalidInstanceID.NotFound. */
export function primaryInterfaceOf(state: Ec2State, instanceId: string): NetworkInterface {
  getInstance(state, instanceId);
  for (const eni of state.networkInterfaces.values()) {
    if (eni.attachment?.instanceId === instanceId && eni.attachment.deviceIndex === 0) return eni;
  }
  throw new EmulatorApiError('InvalidInstanceID', `The instance '${instanceId}' has no primary network interface`);
}

/** The values a resource exposes for one filter name; undefined means the filter name is not supported. */
export type FilterFields = (name: string) => readonly (string | undefined)[] | undefined;

/** Tag filters shared by every resource: `tag:Key` and `tag-key`. */
export function tagFilterFields(tags: Tags, name: string): readonly (string | undefined)[] | undefined {
  if (name.startsWith('tag:')) return [tags[name.slice(4)]];
  if (name === 'tag-key') return Object.keys(tags);
  return undefined;
}

/** EC2 filter semantics: filters are ANDed, a filter's values are ORed; unknown names are rejected. */
export function matchesFilters(filters: readonly Filter[], fields: FilterFields): boolean {
  return filters.every((f) => {
    const have = fields(f.name);
    if (have === undefined) throw new EmulatorApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    return f.values.some((v) => have.includes(v));
  });
}

/** Looks up each requested id (NotFound names the first missing one), then applies the filters. */
export function selectResources<T>(
  all: Map<string, T>,
  ids: readonly string[],
  lookup: (id: string) => T,
  filters: readonly Filter[],
  fields: (item: T) => FilterFields,
): T[] {
  const chosen = ids.length > 0 ? [...new Set(ids)].map(lookup) : [...all.values()];
  return chosen.filter((item) => matchesFilters(filters, fields(item)));
}
