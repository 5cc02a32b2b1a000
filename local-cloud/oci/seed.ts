import type { OciState } from './oci-state.ts';

const id = (type: string, unique: string) => `ocid1.${type}.oc1.eu-frankfurt-1.${unique}`;

/** The seeded tenancy: two members' VNICs in one regional subnet, seed 004's secondary IP and reserved public IP. */
export const MIRROR = {
  region: 'eu-frankfurt-1',
  vcnId: id('vcn', 'aaaavcnmirror'),
  subnetId: id('subnet', 'aaaasubnetdb'),
  otherSubnetId: id('subnet', 'aaaasubnetapp'),
  vip: '10.0.0.4',
  routeVip: '10.10.10.10/32',
  publicIp: '203.0.113.10',
  privateIpId: id('privateip', 'aaaavipsecondary'),
  publicIpId: id('publicip', 'aaaavipreserved'),
  routeTableIds: [id('routetable', 'aaaartapp'), id('routetable', 'aaaartdb')],
  primary: {
    name: 'iris-a',
    vnicId: id('vnic', 'aaaavnicirisa'),
    privateIpId: id('privateip', 'aaaaprimirisa'),
    instanceId: id('instance', 'aaaainstirisa'),
    ip: '10.0.0.2',
  },
  backup: {
    name: 'iris-b',
    vnicId: id('vnic', 'aaaavnicirisb'),
    privateIpId: id('privateip', 'aaaaprimirisb'),
    instanceId: id('instance', 'aaaainstirisb'),
    ip: '10.0.0.3',
  },
  /** A VNIC in another subnet: a private IP cannot move there. */
  stranger: {
    vnicId: id('vnic', 'aaaavnicstranger'),
    privateIpId: id('privateip', 'aaaaprimstranger'),
    ip: '10.0.1.9',
  },
  secretId: id('vaultsecret', 'aaaasecretirisbk1'),
  /** The mirror's pause secret (terraform/oci creates one per mirror when operator keys are configured). */
  pauseSecretId: id('vaultsecret', 'aaaapauseirismirror'),
} as const;

export interface OciSeedOptions {
  /** Route tables with the VIP/32 rule to iris-a (default true). */
  routes?: boolean;
  /** skip source/destination check on the members' VNICs (default true; a route target needs it). */
  skipSourceDestCheck?: boolean;
}

/** Fill the state with the mirror's resources; the VIP and its public IP on iris-a. */
export function seedMirrorTenancy(state: OciState, o: OciSeedOptions = {}): void {
  const skip = o.skipSourceDestCheck ?? true;
  const etag = (s: string) => `seed-${s}`;
  for (const m of [MIRROR.primary, MIRROR.backup]) {
    state.vnics.set(m.vnicId, { id: m.vnicId, subnetId: MIRROR.subnetId, skipSourceDestCheck: skip });
    state.privateIps.set(m.privateIpId, {
      id: m.privateIpId,
      ipAddress: m.ip,
      subnetId: MIRROR.subnetId,
      vnicId: m.vnicId,
      isPrimary: true,
      etag: etag(m.name),
    });
  }
  const s = MIRROR.stranger;
  // a secondary VNIC of another instance (GetVnic says isPrimary false)
  state.vnics.set(s.vnicId, {
    id: s.vnicId,
    subnetId: MIRROR.otherSubnetId,
    skipSourceDestCheck: false,
    isPrimary: false,
  });
  state.privateIps.set(s.privateIpId, {
    id: s.privateIpId,
    ipAddress: s.ip,
    subnetId: MIRROR.otherSubnetId,
    vnicId: s.vnicId,
    isPrimary: true,
    etag: etag('stranger'),
  });
  state.privateIps.set(MIRROR.privateIpId, {
    id: MIRROR.privateIpId,
    ipAddress: MIRROR.vip,
    subnetId: MIRROR.subnetId,
    vnicId: MIRROR.primary.vnicId,
    isPrimary: false,
    etag: etag('vip'),
  });
  state.publicIps.set(MIRROR.publicIpId, {
    id: MIRROR.publicIpId,
    ipAddress: MIRROR.publicIp,
    lifecycleState: 'ASSIGNED',
    privateIpId: MIRROR.privateIpId,
    etag: etag('public'),
  });
  MIRROR.routeTableIds.forEach((rt, i) => {
    const igw = {
      destination: '0.0.0.0/0',
      destinationType: 'CIDR_BLOCK',
      networkEntityId: id('internetgateway', `aaaaigw${i}`),
    };
    const vip = {
      destination: MIRROR.routeVip,
      destinationType: 'CIDR_BLOCK',
      networkEntityId: MIRROR.primary.privateIpId,
    };
    state.routeTables.set(rt, {
      id: rt,
      vcnId: MIRROR.vcnId,
      routeRules: o.routes === false ? [igw] : [igw, vip],
      etag: etag(`rt${i}`),
    });
  });
}
