import { AD, COMPARTMENT, type PrivateIp, type PublicIp, type RouteTable, type Vnic } from './resources.ts';
import { routeRuleJson } from './route-rules.ts';

const CREATED = '2026-11-01T00:00:00.000Z';

/** The JSON the VirtualNetwork API returns for each resource (the fields the SDK's models read). */
export const privateIpJson = (p: PrivateIp) => ({
  id: p.id,
  ipAddress: p.ipAddress,
  subnetId: p.subnetId,
  vnicId: p.vnicId,
  isPrimary: p.isPrimary,
  compartmentId: COMPARTMENT,
  availabilityDomain: AD,
  displayName: p.displayName ?? p.ipAddress,
  timeCreated: CREATED,
});

/** REGION for a reserved public IP, AVAILABILITY_DOMAIN for an ephemeral one (all of the emulator's are on private IPs). */
export const publicIpScope = (p: PublicIp) => (p.lifetime === 'EPHEMERAL' ? 'AVAILABILITY_DOMAIN' : 'REGION');

export const publicIpJson = (p: PublicIp) => ({
  id: p.id,
  ipAddress: p.ipAddress,
  lifecycleState: p.lifecycleState,
  lifetime: p.lifetime ?? 'RESERVED',
  // PublicIp.scope: reserved public IPs are regional; an ephemeral one assigned to a private IP is in its AD
  scope: publicIpScope(p),
  availabilityDomain: publicIpScope(p) === 'AVAILABILITY_DOMAIN' ? AD : undefined,
  privateIpId: p.privateIpId ?? undefined,
  assignedEntityId: p.privateIpId ?? undefined,
  assignedEntityType: p.privateIpId ? 'PRIVATE_IP' : undefined,
  compartmentId: p.compartmentId ?? COMPARTMENT,
  displayName: p.displayName ?? 'mirror-vip',
  timeCreated: CREATED,
});

/** A VNIC; `privateIp` is the address of its primary private IP (the caller looks it up). */
export const vnicJson = (v: Vnic, primaryAddress: string | undefined) => ({
  id: v.id,
  privateIp: primaryAddress,
  subnetId: v.subnetId,
  skipSourceDestCheck: v.skipSourceDestCheck,
  availabilityDomain: AD,
  compartmentId: COMPARTMENT,
  lifecycleState: 'AVAILABLE',
  isPrimary: v.isPrimary ?? true,
  timeCreated: CREATED,
});

export const routeTableJson = (t: RouteTable) => ({
  id: t.id,
  vcnId: t.vcnId,
  compartmentId: t.compartmentId ?? COMPARTMENT,
  lifecycleState: 'AVAILABLE',
  displayName: t.id.split('.').pop(),
  routeRules: t.routeRules.map(routeRuleJson),
  timeCreated: CREATED,
});
