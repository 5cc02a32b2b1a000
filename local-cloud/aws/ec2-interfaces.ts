import { cidrContains, cidrRange, formatIpv4, isReservedInSubnet, parseIpv4 } from './cidr.ts';
import {
  type Address,
  type Ec2State,
  getAddress,
  getNetworkInterface,
  type NetworkInterface,
  newId,
  primaryInterfaceOf,
  selectResources,
  tagFilterFields,
} from './ec2-state.ts';
import { EmulatorApiError, invalidValue } from './errors.ts';
import type { Filter } from './query.ts';

/** The Elastic IP sitting on an interface's private address, if any. */
export function addressOn(state: Ec2State, eniId: string, privateIp: string): Address | undefined {
  for (const a of state.addresses.values()) {
    if (a.association?.networkInterfaceId === eniId && a.association.privateIpAddress === privateIp) return a;
  }
  return undefined;
}

function eniFields(state: Ec2State, eni: NetworkInterface) {
  return (name: string): readonly (string | undefined)[] | undefined => {
    const ips = eni.privateIps.map((p) => p.address);
    const eips = ips.map((ip) => addressOn(state, eni.networkInterfaceId, ip)).filter((a) => a !== undefined);
    switch (name) {
      case 'network-interface-id':
        return [eni.networkInterfaceId];
      case 'vpc-id':
        return [eni.vpcId];
      case 'subnet-id':
        return [eni.subnetId];
      case 'availability-zone':
        return [eni.availabilityZone];
      case 'status':
        return [eni.status];
      case 'source-dest-check':
        return [String(eni.sourceDestCheck)];
      case 'attachment.instance-id':
        return [eni.attachment?.instanceId];
      case 'attachment.attachment-id':
        return [eni.attachment?.attachmentId];
      case 'private-ip-address':
      case 'addresses.private-ip-address':
        return ips;
      case 'association.public-ip':
        return eips.map((a) => a.publicIp);
      case 'association.allocation-id':
        return eips.map((a) => a.allocationId);
      case 'association.association-id':
        return eips.map((a) => a.association?.associationId);
      default:
        return tagFilterFields(eni.tags, name);
    }
  };
}

/** DescribeNetworkInterfaces: by id (all must exist) and filters. */
export function describeNetworkInterfaces(
  state: Ec2State,
  ids: readonly string[],
  filters: readonly Filter[],
): NetworkInterface[] {
  const lookup = (id: string) => getNetworkInterface(state, id);
  return selectResources(state.networkInterfaces, ids, lookup, filters, (eni) => eniFields(state, eni));
}

/** ModifyNetworkInterfaceAttribute for the attributes the emulator models. */
export function modifyNetworkInterface(
  state: Ec2State,
  eniId: string,
  change: { sourceDestCheck?: boolean; description?: string },
): void {
  const eni = getNetworkInterface(state, eniId);
  if (change.sourceDestCheck === undefined && change.description === undefined) {
    throw new EmulatorApiError('MissingParameter', 'The request must contain the parameter SourceDestCheck');
  }
  if (change.sourceDestCheck !== undefined) eni.sourceDestCheck = change.sourceDestCheck;
  if (change.description !== undefined) eni.description = change.description;
}

function ownerOf(state: Ec2State, ip: string): { eni: NetworkInterface; primary: boolean } | undefined {
  for (const eni of state.networkInterfaces.values()) {
    const found = eni.privateIps.find((p) => p.address === ip);
    if (found !== undefined) return { eni, primary: found.primary };
  }
  return undefined;
}

function nextFreeAddresses(state: Ec2State, eni: NetworkInterface, count: number): string[] {
  const subnet = state.subnets.get(eni.subnetId);
  const range = subnet === undefined ? undefined : cidrRange(subnet.cidrBlock);
  const out: string[] = [];
  for (let n = (range?.first ?? 0) + 4; range !== undefined && n < range.last && out.length < count; n++) {
    if (ownerOf(state, formatIpv4(n)) === undefined) out.push(formatIpv4(n));
  }
  if (out.length < count) {
    throw new EmulatorApiError('InsufficientFreeAddressesInSubnet', 'There are not enough free addresses in subnet');
  }
  return out;
}

/** Checks one requested secondary address: inside the subnet, not reserved, not held elsewhere unless allowed. */
function checkAssignable(state: Ec2State, eni: NetworkInterface, ip: string, allowReassignment: boolean): void {
  const subnetCidr = state.subnets.get(eni.subnetId)?.cidrBlock ?? '';
  if (parseIpv4(ip) === undefined || !cidrContains(subnetCidr, ip) || isReservedInSubnet(subnetCidr, ip)) {
    throw invalidValue(`Address ${ip} does not fall within the subnet's address range`);
  }
  const owner = ownerOf(state, ip);
  if (owner === undefined || owner.eni === eni) return;
  if (owner.primary || !allowReassignment) {
    throw new EmulatorApiError(
      'PrivateIpAddressInUse',
      `The specified address ${ip} is already in use by network interface ${owner.eni.networkInterfaceId}`,
    );
  }
}

/** AssignPrivateIpAddresses: adds (or, when allowed, moves) secondary addresses; an EIP on a moved address moves too. */
export function assignPrivateIps(
  state: Ec2State,
  eniId: string,
  request: { addresses: readonly string[]; count?: number; allowReassignment: boolean },
): string[] {
  const eni = getNetworkInterface(state, eniId);
  if (request.addresses.length === 0 && request.count === undefined) {
    throw new EmulatorApiError(
      'MissingParameter',
      'Either PrivateIpAddress or SecondaryPrivateIpAddressCount is required',
    );
  }
  if (request.addresses.length > 0 && request.count !== undefined) {
    throw new EmulatorApiError(
      'InvalidParameterCombination',
      'Specify PrivateIpAddress or SecondaryPrivateIpAddressCount',
    );
  }
  for (const ip of request.addresses) checkAssignable(state, eni, ip, request.allowReassignment);
  const wanted =
    request.count === undefined ? [...new Set(request.addresses)] : nextFreeAddresses(state, eni, request.count);
  for (const ip of wanted) {
    const owner = ownerOf(state, ip);
    if (owner?.eni === eni) continue;
    if (owner !== undefined) {
      owner.eni.privateIps = owner.eni.privateIps.filter((p) => p.address !== ip);
      const eip = addressOn(state, owner.eni.networkInterfaceId, ip);
      if (eip?.association !== undefined) {
        eip.association = { ...eip.association, networkInterfaceId: eniId, instanceId: eni.attachment?.instanceId };
      }
    }
    eni.privateIps.push({ address: ip, primary: false });
  }
  return wanted;
}

function addressFields(address: Address) {
  return (name: string): readonly (string | undefined)[] | undefined => {
    const assoc = address.association;
    switch (name) {
      case 'allocation-id':
        return [address.allocationId];
      case 'public-ip':
        return [address.publicIp];
      case 'domain':
        return [address.domain];
      case 'association-id':
        return [assoc?.associationId];
      case 'network-interface-id':
        return [assoc?.networkInterfaceId];
      case 'instance-id':
        return [assoc?.instanceId];
      case 'private-ip-address':
        return [assoc?.privateIpAddress];
      default:
        return tagFilterFields(address.tags, name);
    }
  };
}

/** DescribeAddresses: by allocation id or public IP (all must exist) and filters. */
export function describeAddresses(
  state: Ec2State,
  query: { allocationIds: readonly string[]; publicIps: readonly string[]; filters: readonly Filter[] },
): Address[] {
  const byIp = (ip: string) => {
    const found = [...state.addresses.values()].find((a) => a.publicIp === ip);
    if (found === undefined) throw new EmulatorApiError('InvalidAddress.NotFound', `Address '${ip}' not found.`);
    return found;
  };
  const ids = [...query.allocationIds, ...query.publicIps.map((ip) => byIp(ip).allocationId)];
  const lookup = (id: string) => getAddress(state, id);
  return selectResources(state.addresses, ids, lookup, query.filters, addressFields);
}

export interface AssociateInput {
  allocationId: string;
  networkInterfaceId?: string;
  instanceId?: string;
  privateIpAddress?: string;
  allowReassociation: boolean;
}

/** AssociateAddress: puts the EIP on an interface address with a fresh association id; an EIP already there is released. */
export function associateAddress(state: Ec2State, input: AssociateInput): string {
  const address = getAddress(state, input.allocationId);
  if (input.networkInterfaceId === undefined && input.instanceId === undefined) {
    throw new EmulatorApiError('MissingParameter', 'Either an instance ID or a network interface ID must be specified');
  }
  const eni =
    input.networkInterfaceId !== undefined
      ? getNetworkInterface(state, input.networkInterfaceId)
      : primaryInterfaceOf(state, input.instanceId as string);
  const privateIp = input.privateIpAddress ?? eni.privateIps.find((p) => p.primary)?.address ?? '';
  if (!eni.privateIps.some((p) => p.address === privateIp)) {
    throw invalidValue(
      `The private IP address ${privateIp} is not assigned to network interface ${eni.networkInterfaceId}`,
    );
  }
  if (address.association !== undefined && !input.allowReassociation) {
    throw new EmulatorApiError(
      'Resource.AlreadyAssociated',
      `resource ${address.allocationId} is already associated with associationId ${address.association.associationId}`,
    );
  }
  const displaced = addressOn(state, eni.networkInterfaceId, privateIp);
  if (displaced !== undefined && displaced !== address) displaced.association = undefined;
  const associationId = newId('eipassoc');
  address.association = {
    associationId,
    networkInterfaceId: eni.networkInterfaceId,
    privateIpAddress: privateIp,
    instanceId: eni.attachment?.instanceId,
  };
  return associationId;
}

/** DisassociateAddress by association id. */
export function disassociateAddress(state: Ec2State, associationId: string): void {
  const address = [...state.addresses.values()].find((a) => a.association?.associationId === associationId);
  if (address === undefined) {
    throw new EmulatorApiError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  }
  address.association = undefined;
}
