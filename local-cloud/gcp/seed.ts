import { type ComputeState, type Instance, newFingerprint, newId } from './compute-state.ts';

/** The names and addresses of the seeded mirror project, for tests and the demo. */
export const MIRROR = {
  project: 'demo-project',
  region: 'us-east1',
  zones: ['us-east1-b', 'us-east1-c'],
  network: 'default',
  subnetRange: '10.0.0.0/16',
  /** A secondary range of the subnet (GKE-style `pods`), for aliases taken with subnetworkRangeName. */
  secondaryRange: { rangeName: 'pods', ipCidrRange: '10.4.0.0/20' },
  vip: '10.0.0.250/32',
  /** Route mode's VIP: outside every subnet range, since a static route may not overlap one. */
  routeVip: '10.99.0.250/32',
  externalIp: '34.1.2.3',
  externalAddressName: 'mirror-vip-external',
  accessConfigName: 'vip',
  routeName: 'mirror-vip-10-99-0-250',
  primary: { name: 'iris-a', zone: 'us-east1-b', networkIP: '10.0.1.10' },
  backup: { name: 'iris-b', zone: 'us-east1-c', networkIP: '10.0.2.10' },
} as const;

export interface SeedOptions {
  /** Put the VIP alias range on iris-a's nic0 (default true). */
  alias?: boolean;
  /** Put the "vip" access config with the static external IP on iris-a's nic0 (default true). */
  accessConfig?: boolean;
  /** Add the static route `mirror-vip-10-99-0-250` (the route VIP) → iris-a, for route mode (default false). */
  route?: boolean;
  /** Destination of that route (default the route VIP). */
  routeDestRange?: string;
}

function instance(state: ComputeState, spec: { name: string; zone: string; networkIP: string }): Instance {
  return {
    id: newId(),
    name: spec.name,
    zone: spec.zone,
    machineType: 'e2-standard-2',
    status: 'RUNNING',
    creationTimestamp: '2024-01-15T09:30:00.000-08:00',
    canIpForward: true,
    fingerprint: newFingerprint(),
    networkInterfaces: [
      {
        name: 'nic0',
        network: state.link(`global/networks/${MIRROR.network}`),
        subnetwork: state.link(`regions/${state.region}/subnetworks/${MIRROR.network}`),
        networkIP: spec.networkIP,
        aliasIpRanges: [],
        accessConfigs: [],
        fingerprint: newFingerprint(),
      },
    ],
  };
}

/** Seeds `state` (project demo-project, region us-east1) with the two mirror members and the VIP. */
export function seedMirrorProject(state: ComputeState, opts: SeedOptions = {}): typeof MIRROR {
  if (state.project !== MIRROR.project || state.region !== MIRROR.region) {
    throw new Error(`seedMirrorProject needs a ComputeState for ${MIRROR.project}/${MIRROR.region}`);
  }
  const network = state.link(`global/networks/${MIRROR.network}`);
  state.subnetworks.set(MIRROR.network, {
    name: MIRROR.network,
    network,
    ipCidrRange: MIRROR.subnetRange,
    secondaryIpRanges: [{ ...MIRROR.secondaryRange }],
  });
  state.addresses.set(MIRROR.externalAddressName, {
    id: newId(),
    name: MIRROR.externalAddressName,
    address: MIRROR.externalIp,
    addressType: 'EXTERNAL',
    networkTier: 'PREMIUM',
    creationTimestamp: '2024-01-15T09:00:00.000-08:00',
  });
  const primary = instance(state, MIRROR.primary);
  const nic = primary.networkInterfaces[0];
  if (nic && opts.alias !== false) nic.aliasIpRanges.push({ ipCidrRange: MIRROR.vip });
  if (nic && opts.accessConfig !== false) {
    nic.accessConfigs.push({
      name: MIRROR.accessConfigName,
      natIP: MIRROR.externalIp,
      type: 'ONE_TO_ONE_NAT',
      networkTier: 'PREMIUM',
    });
  }
  state.addInstance(primary);
  state.addInstance(instance(state, MIRROR.backup));
  if (opts.route) {
    state.routes.set(MIRROR.routeName, {
      id: newId(),
      name: MIRROR.routeName,
      network,
      destRange: opts.routeDestRange ?? MIRROR.routeVip,
      priority: 1000,
      nextHopInstance: state.link(`zones/${MIRROR.primary.zone}/instances/${MIRROR.primary.name}`),
      creationTimestamp: '2024-01-15T09:40:00.000-08:00',
    });
  }
  return MIRROR;
}

/** One of `seedMirrors`' mirrors: its two instances (zone b and c), its alias VIP and its route VIP. */
export interface SeededMirror {
  members: { name: string; zone: string; instance: string }[];
  vip: string;
  routeVip: string;
}

/**
 * Seed `n` mirrors into one project (bench and batch tests): mirror i has instances m<i>-a and m<i>-b, alias VIP
 * 10.0.<200+i/250>.<i%250+1>/32 and, with `route`, a static route for 10.98.<…>/32 — both held by `holder`.
 */
export function seedMirrors(state: ComputeState, n: number, holder: 'a' | 'b', route = false): SeededMirror[] {
  seedMirrorProject(state, { alias: false, accessConfig: false });
  const network = state.link(`global/networks/${MIRROR.network}`);
  return Array.from({ length: n }, (_, i) => {
    const [hi, lo] = [Math.floor(i / 250), (i % 250) + 1];
    const members = (['a', 'b'] as const).map((s, j) => {
      const spec = {
        name: `m${i}-${s}`,
        zone: MIRROR.zones[j] ?? 'us-east1-b',
        networkIP: `10.0.${20 * (j + 1) + hi}.${lo}`,
      };
      const inst = instance(state, spec);
      if (s === holder) inst.networkInterfaces[0]?.aliasIpRanges.push({ ipCidrRange: `10.0.${200 + hi}.${lo}/32` });
      state.addInstance(inst);
      return { name: `iris-${s}`, zone: spec.zone, instance: spec.name };
    });
    const routeVip = `10.98.${hi}.${lo}/32`;
    if (route) {
      const name = `seeded-${i}`;
      const hop = members.find((m) => m.name === `iris-${holder}`);
      state.routes.set(name, {
        id: newId(),
        name,
        network,
        destRange: routeVip,
        priority: 1000,
        nextHopInstance: state.link(`zones/${hop?.zone}/instances/${hop?.instance}`),
        creationTimestamp: '2024-01-15T09:40:00.000-08:00',
      });
    }
    return { members, vip: `10.0.${200 + hi}.${lo}/32`, routeVip };
  });
}
