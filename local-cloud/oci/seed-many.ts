import type { OciState } from './oci-state.ts';
import { MIRROR } from './seed.ts';

const id = (type: string, unique: string) => `ocid1.${type}.oc1.${MIRROR.region}.${unique}`;

/** One seeded mirror of many: two members' VNICs, the VIP's secondary private IP and (optional) reserved public IP. */
export interface SeededOciMirror {
  members: { name: string; vnicId: string; privateIpId: string; instanceId: string }[];
  vip: string;
  privateIpId: string;
  publicIpId?: string;
}

/** The n-th address of the shared /16 subnet (10.0.0.2 onwards), four per mirror at most. */
const address = (k: number) => `10.0.${Math.floor((k + 2) / 256)}.${(k + 2) % 256}`;

/**
 * `n` mirrors in the seeded subnet (one subnet for all, as one database tier): each mirror's VIP on its
 * `holder` member (a or b), with a reserved public IP ASSIGNED to it when `publicIp`.
 */
export function seedOciMirrors(state: OciState, n: number, holder: 'a' | 'b', publicIp = false): SeededOciMirror[] {
  const subnetId = MIRROR.subnetId;
  return Array.from({ length: n }, (_, i) => {
    const members = (['a', 'b'] as const).map((x, j) => {
      const m = { name: `iris-${x}`, vnicId: id('vnic', `m${i}${x}`), privateIpId: id('privateip', `m${i}${x}`) };
      state.vnics.set(m.vnicId, { id: m.vnicId, subnetId, skipSourceDestCheck: true });
      const ip = { id: m.privateIpId, ipAddress: address(3 * i + j), subnetId, vnicId: m.vnicId, isPrimary: true };
      state.privateIps.set(m.privateIpId, { ...ip, etag: `seed-m${i}${x}` });
      return { ...m, instanceId: id('instance', `m${i}${x}`) };
    });
    const vip = address(3 * i + 2);
    const privateIpId = id('privateip', `m${i}vip`);
    const on = members[holder === 'a' ? 0 : 1]?.vnicId as string;
    state.privateIps.set(privateIpId, {
      id: privateIpId,
      ipAddress: vip,
      subnetId,
      vnicId: on,
      isPrimary: false,
      etag: `seed-m${i}vip`,
    });
    if (!publicIp) return { members, vip, privateIpId };
    const publicIpId = id('publicip', `m${i}`);
    const ipAddress = `198.51.${Math.floor(i / 256)}.${i % 256}`;
    state.publicIps.set(publicIpId, {
      id: publicIpId,
      ipAddress,
      lifecycleState: 'ASSIGNED',
      privateIpId,
      etag: `seed-m${i}pub`,
    });
    return { members, vip, privateIpId, publicIpId };
  });
}

/** A seeded mirror with a route VIP: its /32 and the one route table whose rule points at the holder. */
export interface SeededOciRouteMirror extends SeededOciMirror {
  cidr: string;
  routeTableId: string;
}

/**
 * `n` mirrors as seedOciMirrors, each also with a route VIP (10.20.x.y/32) whose rule in its own route table of the
 * seeded VCN points at the `holder` member's primary private IP.
 */
export function seedOciRouteMirrors(state: OciState, n: number, holder: 'a' | 'b'): SeededOciRouteMirror[] {
  return seedOciMirrors(state, n, holder).map((m, i) => {
    const cidr = `10.20.${Math.floor(i / 256)}.${i % 256}/32`;
    const routeTableId = id('routetable', `m${i}`);
    const hop = m.members[holder === 'a' ? 0 : 1]?.privateIpId as string;
    const rule = { destination: cidr, destinationType: 'CIDR_BLOCK', networkEntityId: hop };
    state.routeTables.set(routeTableId, {
      id: routeTableId,
      vcnId: MIRROR.vcnId,
      routeRules: [rule],
      etag: `seed-m${i}rt`,
    });
    return { ...m, cidr, routeTableId };
  });
}
