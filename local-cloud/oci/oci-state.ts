import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { conflict, invalid, notFound, staleEtag } from './errors.ts';

export interface Vnic {
  id: string;
  subnetId: string;
  skipSourceDestCheck: boolean;
}
export interface PrivateIp {
  id: string;
  ipAddress: string;
  subnetId: string;
  vnicId: string;
  isPrimary: boolean;
  etag: string;
}
export type PublicIpState = 'AVAILABLE' | 'ASSIGNING' | 'ASSIGNED' | 'UNASSIGNING';
export interface PublicIp {
  id: string;
  ipAddress: string;
  lifecycleState: PublicIpState;
  privateIpId: string | null;
  etag: string;
  /** RESERVED (default) or EPHEMERAL: only a reserved public IP can be moved to another private IP. */
  lifetime?: 'RESERVED' | 'EPHEMERAL';
}
export interface RouteRule {
  destination: string;
  destinationType: string;
  networkEntityId: string;
  description?: string;
  routeType?: string;
}
export interface RouteTable {
  id: string;
  vcnId: string;
  routeRules: RouteRule[];
  etag: string;
}

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

const newEtag = () => randomBytes(8).toString('hex');
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** The VCN resources of one tenancy and the rules the VirtualNetwork API enforces on them. */
export class OciState {
  readonly vnics = new Map<string, Vnic>();
  readonly privateIps = new Map<string, PrivateIp>();
  readonly publicIps = new Map<string, PublicIp>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly transitions: Transition[] = [];
  /** Emits 'change' with each transition, the moment it happens (the drill's network follows it). */
  readonly changes = new EventEmitter();
  readonly timing: PublicIpTiming = { assigningMs: 0, detachNext: 0 };
  private timers = new Map<NodeJS.Timeout, () => void>();

  private get<T>(map: Map<string, T>, id: string): T {
    const v = map.get(id);
    if (!v) throw notFound(id);
    return v;
  }
  vnic = (id: string) => this.get(this.vnics, id);
  privateIp = (id: string) => this.get(this.privateIps, id);
  publicIp = (id: string) => this.get(this.publicIps, id);
  routeTable = (id: string) => this.get(this.routeTables, id);

  private note(kind: Transition['kind'], id: string, detail: Record<string, unknown> = {}) {
    const t = { kind, id, detail, at: performance.now() };
    this.transitions.push(t);
    this.changes.emit('change', t);
  }

  private checkEtag(current: string, ifMatch: string | undefined) {
    if (ifMatch !== undefined && ifMatch !== current) throw staleEtag();
  }

  /** The public IP assigned (or being assigned) to a private IP, if any. */
  publicIpOf(privateIpId: string): PublicIp | undefined {
    return [...this.publicIps.values()].find(
      (p) => p.privateIpId === privateIpId && (p.lifecycleState === 'ASSIGNED' || p.lifecycleState === 'ASSIGNING'),
    );
  }

  /** ASSIGNING now; ASSIGNED (or, when told to fail, AVAILABLE and detached) after `assigningMs`. */
  private assign(pub: PublicIp, privateIpId: string) {
    pub.privateIpId = privateIpId;
    pub.lifecycleState = 'ASSIGNING';
    pub.etag = newEtag();
    this.note('public-ip-assigning', pub.id, { privateIpId });
    const fail = this.timing.detachNext > 0;
    if (fail) this.timing.detachNext -= 1;
    const settle = () => {
      if (pub.lifecycleState !== 'ASSIGNING' || pub.privateIpId !== privateIpId) return;
      pub.etag = newEtag();
      if (fail) {
        pub.lifecycleState = 'AVAILABLE';
        pub.privateIpId = null;
        this.note('public-ip-detached', pub.id, { privateIpId });
      } else {
        pub.lifecycleState = 'ASSIGNED';
        this.note('public-ip-assigned', pub.id, { privateIpId });
      }
    };
    if (this.timing.assigningMs <= 0 && !fail) return settle();
    const t = setTimeout(() => {
      this.timers.delete(t);
      settle();
    }, this.timing.assigningMs);
    this.timers.set(t, settle);
  }

  /** UpdatePrivateIp with a vnicId: a secondary private IP moves to another VNIC of its subnet, its public IP with it. */
  movePrivateIp(id: string, vnicId: string, ifMatch: string | undefined): PrivateIp {
    const p = this.privateIp(id);
    this.checkEtag(p.etag, ifMatch);
    const target = this.vnic(vnicId);
    if (p.isPrimary) throw invalid(`Private IP ${id} is a primary private IP; a primary private IP cannot be moved`);
    if (target.subnetId !== p.subnetId) {
      throw invalid(
        `VNIC ${vnicId} is in subnet ${target.subnetId}; the private IP can only move within ${p.subnetId}`,
      );
    }
    if (p.vnicId === vnicId) return p;
    const pub = this.publicIpOf(id);
    if (pub?.lifecycleState === 'ASSIGNING') throw conflict(`Public IP ${pub.id} assigned to ${id} is still ASSIGNING`);
    const from = p.vnicId;
    p.vnicId = vnicId;
    p.etag = newEtag();
    this.note('private-ip-moved', id, { from, to: vnicId });
    if (pub) this.assign(pub, id);
    return p;
  }

  /** UpdatePublicIp with a privateIpId: (re)assign a reserved public IP, asynchronously. */
  assignPublicIp(id: string, privateIpId: string, ifMatch: string | undefined): PublicIp {
    const pub = this.publicIp(id);
    this.checkEtag(pub.etag, ifMatch);
    if (pub.lifecycleState === 'ASSIGNING' || pub.lifecycleState === 'UNASSIGNING') {
      throw conflict(`Public IP ${id} is ${pub.lifecycleState}; try again when it is settled`);
    }
    this.privateIp(privateIpId);
    if (pub.privateIpId === privateIpId && pub.lifecycleState === 'ASSIGNED') return pub;
    const other = this.publicIpOf(privateIpId);
    if (other && other.id !== id) throw conflict(`Private IP ${privateIpId} already has public IP ${other.id}`);
    this.assign(pub, privateIpId);
    return pub;
  }

  /** Leave a public IP AVAILABLE (detached), as after a silently failed assignment. */
  detachPublicIp(id: string) {
    const pub = this.publicIp(id);
    pub.lifecycleState = 'AVAILABLE';
    pub.privateIpId = null;
    pub.etag = newEtag();
    this.note('public-ip-detached', id, {});
  }

  /** UpdateRouteTable: the whole rule list is replaced. */
  updateRouteTable(id: string, rules: unknown, ifMatch: string | undefined): RouteTable {
    const t = this.routeTable(id);
    this.checkEtag(t.etag, ifMatch);
    if (!Array.isArray(rules)) throw invalid('routeRules must be a list');
    const seen = new Set<string>();
    for (const r of rules as RouteRule[]) {
      if (typeof r?.networkEntityId !== 'string' || !r.networkEntityId.startsWith('ocid1.')) {
        throw invalid('every route rule needs a networkEntityId OCID');
      }
      if (typeof r.destination !== 'string' || !CIDR.test(r.destination))
        throw invalid(`bad destination ${r.destination}`);
      if (r.networkEntityId.startsWith('ocid1.privateip.') && !this.privateIps.has(r.networkEntityId)) {
        throw invalid(`route target ${r.networkEntityId} does not exist`);
      }
      if (seen.has(r.destination)) throw invalid(`two route rules have destination ${r.destination}`);
      seen.add(r.destination);
    }
    t.routeRules = (rules as RouteRule[]).map((r) => ({ ...r, destinationType: r.destinationType ?? 'CIDR_BLOCK' }));
    t.etag = newEtag();
    this.note('route-table-updated', id, {});
    return t;
  }

  /** A copy of every resource, to restore between tests. */
  snapshot(): string {
    return JSON.stringify({
      vnics: [...this.vnics],
      privateIps: [...this.privateIps],
      publicIps: [...this.publicIps],
      routeTables: [...this.routeTables],
    });
  }

  /** End every pending ASSIGNING now, as if its time had passed (tests that must not depend on the clock). */
  settlePending() {
    for (const [t, settle] of this.timers) {
      clearTimeout(t);
      this.timers.delete(t);
      settle();
    }
  }

  restore(json: string) {
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
    const s = JSON.parse(json);
    for (const [k, m] of [
      ['vnics', this.vnics],
      ['privateIps', this.privateIps],
      ['publicIps', this.publicIps],
      ['routeTables', this.routeTables],
    ] as const) {
      (m as Map<string, unknown>).clear();
      for (const [id, v] of s[k]) (m as Map<string, unknown>).set(id, v);
    }
    this.transitions.length = 0;
    Object.assign(this.timing, { detachNext: 0 });
  }

  /** Stop pending lifecycle timers (the emulator is closing). */
  stop() {
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
  }
}
