import type { PrivateIp, PublicIp, RouteTable, Vnic } from './resources.ts';
import { routeRuleJson } from './route-rules.ts';

const COMPARTMENT = 'ocid1.compartment.oc1..aaaamirrorvip';
const CREATED = '2026-11-01T00:00:00.000Z';
const AD = 'Uocm:EU-FRANKFURT-1-AD-1';

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

export const publicIpJson = (p: PublicIp) => ({
  id: p.id,
  ipAddress: p.ipAddress,
  lifecycleState: p.lifecycleState,
  lifetime: p.lifetime ?? 'RESERVED',
  scope: 'REGION',
  privateIpId: p.privateIpId ?? undefined,
  assignedEntityId: p.privateIpId ?? undefined,
  assignedEntityType: p.privateIpId ? 'PRIVATE_IP' : undefined,
  compartmentId: COMPARTMENT,
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
  compartmentId: COMPARTMENT,
  lifecycleState: 'AVAILABLE',
  displayName: t.id.split('.').pop(),
  routeRules: t.routeRules.map(routeRuleJson),
  timeCreated: CREATED,
});
