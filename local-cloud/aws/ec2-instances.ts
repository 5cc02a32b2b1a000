import { addressOn } from './ec2-interfaces.ts';
import { type Ec2State, getInstance, type Instance, selectResources, tagFilterFields } from './ec2-state.ts';
import { dnsName, networkInterfaceXml, tagSet } from './ec2-views.ts';
import type { Filter } from './query.ts';
import type { XmlValue } from './xml.ts';

/** The interfaces attached to an instance, device 0 first. */
const interfacesOf = (state: Ec2State, i: Instance) =>
  [...state.networkInterfaces.values()]
    .filter((e) => e.attachment?.instanceId === i.instanceId)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));

/** The DescribeInstances filters the emulator models (EC2 API reference, DescribeInstances "Filters"). */
function instanceFields(state: Ec2State, i: Instance) {
  const enis = interfacesOf(state, i);
  const primaryIp = enis[0]?.privateIps.find((p) => p.primary)?.address;
  return (name: string): readonly (string | undefined)[] | undefined => {
    switch (name) {
      case 'instance-id':
        return [i.instanceId];
      case 'vpc-id':
        return [i.vpcId];
      case 'subnet-id':
        return [i.subnetId];
      case 'instance-state-name':
        return ['running'];
      case 'private-ip-address':
        return [primaryIp];
      case 'network-interface.network-interface-id':
        return enis.map((e) => e.networkInterfaceId);
      case 'network-interface.addresses.private-ip-address':
        return enis.flatMap((e) => e.privateIps.map((p) => p.address));
      default:
        return tagFilterFields(i.tags, name);
    }
  };
}

/** DescribeInstances: the ids (one unknown id fails the call, InvalidInstanceID.NotFound), then the filters. */
export function describeInstances(state: Ec2State, ids: readonly string[], filters: readonly Filter[]): Instance[] {
  const lookup = (id: string) => getInstance(state, id);
  return selectResources(state.instances, ids, lookup, filters, (i) => instanceFields(state, i));
}

/**
 * One reservation per instance (the emulator launches none together), as DescribeInstances answers it: running,
 * its interfaces with their addresses, the primary interface's private IP, source/dest check and public IP.
 */
export function reservationXml(state: Ec2State, i: Instance): XmlValue {
  const enis = interfacesOf(state, i);
  const primary = enis[0];
  const privateIp = primary?.privateIps.find((p) => p.primary)?.address;
  const eip = primary && privateIp ? addressOn(state, primary.networkInterfaceId, privateIp) : undefined;
  const zone = primary?.availabilityZone ?? state.subnets.get(i.subnetId)?.availabilityZone;
  const instance = {
    instanceId: i.instanceId,
    imageId: 'ami-0abcdef1234567890',
    instanceState: { code: 16, name: 'running' },
    privateDnsName: privateIp ? dnsName(privateIp) : '',
    dnsName: '',
    amiLaunchIndex: 0,
    instanceType: 't3.large',
    launchTime: '2024-01-01T00:00:00.000Z',
    placement: { availabilityZone: zone, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: i.subnetId,
    vpcId: i.vpcId,
    privateIpAddress: privateIp,
    ipAddress: eip?.publicIp,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: [],
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    virtualizationType: 'hvm',
    networkInterfaceSet: enis.map((e) => networkInterfaceXml(state, e)),
    tagSet: tagSet(i.tags),
  };
  return {
    reservationId: `r-${i.instanceId.slice(2)}`,
    ownerId: state.ownerId,
    groupSet: [],
    instancesSet: [instance],
  };
}
