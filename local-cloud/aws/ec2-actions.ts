import {
  addressOn,
  assignPrivateIps,
  associateAddress,
  describeAddresses,
  describeNetworkInterfaces,
  disassociateAddress,
  modifyNetworkInterface,
} from './ec2-interfaces.ts';
import { createRoute, deleteRoute, describeRouteTables, type RouteInput, replaceRoute } from './ec2-routes.ts';
import type { Address, Ec2State, NetworkInterface, RouteTable, Tags } from './ec2-state.ts';
import { describeVpcs, routeDryRun } from './ec2-vpcs.ts';
import { boolParam, filterParams, intParam, listParam, optionalParam, type Params, requireParam } from './query.ts';
import type { XmlValue } from './xml.ts';

type Fields = Record<string, XmlValue>;

/** One EC2 action: whether it mutates, and how it turns parameters into response fields (or throws). */
export interface Ec2Action {
  write: boolean;
  run(state: Ec2State, params: Params): Fields;
  /** What DryRun validates before answering DryRunOperation; absent = the whole action, on a copy of the state. */
  dryRun?(state: Ec2State, params: Params): Fields;
}

const tagSet = (tags: Tags): XmlValue => Object.entries(tags).map(([key, value]) => ({ key, value }));
const dnsName = (ip: string) => `ip-${ip.replace(/\./g, '-')}.ec2.internal`;

function routeTableXml(state: Ec2State, t: RouteTable): XmlValue {
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: state.ownerId,
    routeSet: t.routes.map((r) => ({
      destinationCidrBlock: r.destinationCidrBlock,
      gatewayId: r.gatewayId,
      instanceId: r.instanceId,
      instanceOwnerId: r.instanceId === undefined ? undefined : state.ownerId,
      networkInterfaceId: r.networkInterfaceId,
      state: r.state,
      origin: r.origin,
    })),
    associationSet: t.associations.map((a) => ({
      routeTableAssociationId: a.routeTableAssociationId,
      routeTableId: t.routeTableId,
      subnetId: a.subnetId,
      main: a.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    tagSet: tagSet(t.tags),
  };
}

function associationXml(a: Address | undefined): XmlValue {
  if (a?.association === undefined) return undefined;
  return {
    publicIp: a.publicIp,
    publicDnsName: `ec2-${a.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`,
    ipOwnerId: 'amazon',
    allocationId: a.allocationId,
    associationId: a.association.associationId,
  };
}

function networkInterfaceXml(state: Ec2State, eni: NetworkInterface): XmlValue {
  const primary = eni.privateIps.find((p) => p.primary)?.address ?? '';
  const att = eni.attachment;
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    ownerId: state.ownerId,
    requesterManaged: false,
    status: eni.status,
    macAddress: eni.macAddress,
    privateIpAddress: primary,
    privateDnsName: dnsName(primary),
    sourceDestCheck: eni.sourceDestCheck,
    groupSet: [],
    attachment:
      att === undefined
        ? undefined
        : {
            attachmentId: att.attachmentId,
            instanceId: att.instanceId,
            instanceOwnerId: state.ownerId,
            deviceIndex: att.deviceIndex,
            status: att.status,
            attachTime: att.attachTime,
            deleteOnTermination: true,
            networkCardIndex: 0,
          },
    association: associationXml(addressOn(state, eni.networkInterfaceId, primary)),
    tagSet: tagSet(eni.tags),
    privateIpAddressesSet: eni.privateIps.map((p) => ({
      privateIpAddress: p.address,
      privateDnsName: dnsName(p.address),
      primary: p.primary,
      association: associationXml(addressOn(state, eni.networkInterfaceId, p.address)),
    })),
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  };
}

function addressXml(state: Ec2State, a: Address): XmlValue {
  const assoc = a.association;
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: a.domain,
    associationId: assoc?.associationId,
    instanceId: assoc?.instanceId,
    networkInterfaceId: assoc?.networkInterfaceId,
    networkInterfaceOwnerId: assoc === undefined ? undefined : state.ownerId,
    privateIpAddress: assoc?.privateIpAddress,
    tagSet: tagSet(a.tags),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: state.region,
  };
}

function routeInput(params: Params): RouteInput {
  return {
    routeTableId: requireParam(params, 'RouteTableId'),
    destinationCidrBlock: requireParam(params, 'DestinationCidrBlock'),
    target: {
      networkInterfaceId: optionalParam(params, 'NetworkInterfaceId'),
      instanceId: optionalParam(params, 'InstanceId'),
      gatewayId: optionalParam(params, 'GatewayId'),
    },
  };
}

const ok: Fields = { return: true };

/** The EC2 actions the emulator implements, by Action name. */
export const EC2_ACTIONS: Readonly<Record<string, Ec2Action>> = {
  DescribeRouteTables: {
    write: false,
    run: (state, p) => {
      const tables = describeRouteTables(state, listParam(p, 'RouteTableId'), filterParams(p));
      return { routeTableSet: tables.map((t) => routeTableXml(state, t)) };
    },
  },
  DescribeVpcs: describeVpcs,
  CreateRoute: {
    write: true,
    dryRun: routeDryRun,
    run: (state, p) => {
      createRoute(state, routeInput(p));
      return ok;
    },
  },
  ReplaceRoute: {
    write: true,
    dryRun: routeDryRun,
    run: (state, p) => {
      replaceRoute(state, routeInput(p));
      return ok;
    },
  },
  DeleteRoute: {
    write: true,
    run: (state, p) => {
      deleteRoute(state, requireParam(p, 'RouteTableId'), requireParam(p, 'DestinationCidrBlock'));
      return ok;
    },
  },
  DescribeNetworkInterfaces: {
    write: false,
    run: (state, p) => {
      const enis = describeNetworkInterfaces(state, listParam(p, 'NetworkInterfaceId'), filterParams(p));
      return { networkInterfaceSet: enis.map((e) => networkInterfaceXml(state, e)) };
    },
  },
  DescribeAddresses: {
    write: false,
    run: (state, p) => {
      const query = { allocationIds: listParam(p, 'AllocationId'), publicIps: listParam(p, 'PublicIp') };
      const addresses = describeAddresses(state, { ...query, filters: filterParams(p) });
      return { addressesSet: addresses.map((a) => addressXml(state, a)) };
    },
  },
  AssociateAddress: {
    write: true,
    run: (state, p) => {
      const associationId = associateAddress(state, {
        allocationId: requireParam(p, 'AllocationId'),
        networkInterfaceId: optionalParam(p, 'NetworkInterfaceId'),
        instanceId: optionalParam(p, 'InstanceId'),
        privateIpAddress: optionalParam(p, 'PrivateIpAddress'),
        allowReassociation: boolParam(p, 'AllowReassociation') ?? false,
      });
      return { return: true, associationId };
    },
  },
  DisassociateAddress: {
    write: true,
    run: (state, p) => {
      disassociateAddress(state, requireParam(p, 'AssociationId'));
      return ok;
    },
  },
  AssignPrivateIpAddresses: {
    write: true,
    run: (state, p) => {
      const networkInterfaceId = requireParam(p, 'NetworkInterfaceId');
      const assigned = assignPrivateIps(state, networkInterfaceId, {
        addresses: listParam(p, 'PrivateIpAddress'),
        count: intParam(p, 'SecondaryPrivateIpAddressCount'),
        allowReassignment: boolParam(p, 'AllowReassignment') ?? false,
      });
      const assignedPrivateIpAddressesSet = assigned.map((privateIpAddress) => ({ privateIpAddress }));
      return { return: true, networkInterfaceId, assignedPrivateIpAddressesSet };
    },
  },
  ModifyNetworkInterfaceAttribute: {
    write: true,
    run: (state, p) => {
      modifyNetworkInterface(state, requireParam(p, 'NetworkInterfaceId'), {
        sourceDestCheck: boolParam(p, 'SourceDestCheck.Value'),
        description: optionalParam(p, 'Description.Value'),
      });
      return ok;
    },
  },
};
