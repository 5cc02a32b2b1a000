import { addressOn } from './ec2-interfaces.ts';
import type { Address, Ec2State, NetworkInterface, Tags } from './ec2-state.ts';
import type { XmlValue } from './xml.ts';

/** How EC2 answers resources in XML (the shapes the SDK's deserialisers read). */
export const tagSet = (tags: Tags): XmlValue => Object.entries(tags).map(([key, value]) => ({ key, value }));
export const dnsName = (ip: string) => `ip-${ip.replace(/\./g, '-')}.ec2.internal`;

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

/** A network interface as DescribeNetworkInterfaces answers it. */
export function networkInterfaceXml(state: Ec2State, eni: NetworkInterface): XmlValue {
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
