import type { RouteRule } from './route-rules.ts';

/** The VCN resources the emulator keeps, as the VirtualNetwork API models them (the fields mirror-vip's calls touch). */
export interface Vnic {
  id: string;
  subnetId: string;
  skipSourceDestCheck: boolean;
  /** The instance's primary VNIC (absent: true). */
  isPrimary?: boolean;
}
export interface PrivateIp {
  id: string;
  ipAddress: string;
  subnetId: string;
  vnicId: string;
  isPrimary: boolean;
  etag: string;
  displayName?: string;
}
export type PublicIpState = 'AVAILABLE' | 'ASSIGNING' | 'ASSIGNED' | 'UNASSIGNING';
export interface PublicIp {
  id: string;
  ipAddress: string;
  lifecycleState: PublicIpState;
  privateIpId: string | null;
  etag: string;
  displayName?: string;
  /** RESERVED (default) or EPHEMERAL: only a reserved public IP can be moved to another private IP. */
  lifetime?: 'RESERVED' | 'EPHEMERAL';
  /** Its compartment (default: the seeded one, COMPARTMENT). */
  compartmentId?: string;
}
export interface RouteTable {
  id: string;
  vcnId: string;
  routeRules: RouteRule[];
  etag: string;
  /** Its compartment (default: the seeded one, COMPARTMENT). */
  compartmentId?: string;
}

/** The compartment every seeded resource lives in unless it names another. */
export const COMPARTMENT = 'ocid1.compartment.oc1..aaaamirrorvip';
/** The availability domain the emulator's instances live in. */
export const AD = 'Uocm:EU-FRANKFURT-1-AD-1';

/** A change the emulator made, in order (for tests: when a public IP was attached, detached, moved). */
export interface Transition {
  kind:
    | 'private-ip-moved'
    | 'public-ip-assigning'
    | 'public-ip-assigned'
    | 'public-ip-detached'
    | 'route-table-updated';
  id: string;
  detail: Record<string, unknown>;
  at: number;
}

/** How the asynchronous public IP assignment behaves. */
export interface PublicIpTiming {
  /** How long a public IP stays ASSIGNING before ASSIGNED. */
  assigningMs: number;
  /** The next N assignments fail silently and leave the public IP AVAILABLE (documented for UpdatePublicIp). */
  detachNext: number;
}
