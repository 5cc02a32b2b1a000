import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { conflict, invalid, notFound, relatedNotFound, staleEtag } from './errors.ts';
import type { PrivateIp, PublicIp, PublicIpTiming, RouteTable, Transition, Vnic } from './resources.ts';
import { checkRouteRules } from './route-rules.ts';

export type { PrivateIp, PublicIp, PublicIpState, PublicIpTiming, RouteTable, Transition, Vnic } from './resources.ts';
export type { RouteRule } from './route-rules.ts';

const newEtag = () => randomBytes(8).toString('hex');

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
    this.later(settle);
  }

  /** Run `settle` after `assigningMs` (or at once through settlePending()). */
  private later(settle: () => void) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      settle();
    }, this.timing.assigningMs);
    this.timers.set(t, settle);
  }

  /** UpdatePrivateIp with a vnicId: a secondary private IP moves to another VNIC of its subnet, its public IP with it. */
  movePrivateIp(id: string, vnicId: string, ifMatch: string | undefined): PrivateIp {
    const p = this.updatablePrivateIp(id, ifMatch);
    const target = this.vnics.get(vnicId);
    if (!target) throw relatedNotFound(`VNIC ${vnicId}`);
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

  /** A private IP UpdatePrivateIp may change: it exists, the etag matches, it is secondary (the API refuses primaries). */
  updatablePrivateIp(id: string, ifMatch: string | undefined): PrivateIp {
    const p = this.privateIp(id);
    this.checkEtag(p.etag, ifMatch);
    if (p.isPrimary) throw invalid(`Private IP ${id} is a primary private IP; UpdatePrivateIp cannot change it`);
    return p;
  }

  /** A public IP UpdatePublicIp may change: it exists, the etag matches. */
  updatablePublicIp(id: string, ifMatch: string | undefined): PublicIp {
    const pub = this.publicIp(id);
    this.checkEtag(pub.etag, ifMatch);
    return pub;
  }

  private settled(pub: PublicIp) {
    if (pub.lifecycleState === 'ASSIGNING' || pub.lifecycleState === 'UNASSIGNING') {
      throw conflict(`Public IP ${pub.id} is ${pub.lifecycleState}; try again when it is settled`);
    }
  }

  /** A new display name (UpdatePrivateIp, UpdatePublicIp): the resource's etag moves on. */
  rename(r: PrivateIp | PublicIp, name: string) {
    r.displayName = name;
    r.etag = newEtag();
  }

  /** UpdatePublicIp with a privateIpId: (re)assign a reserved public IP, asynchronously. */
  assignPublicIp(id: string, privateIpId: string, ifMatch: string | undefined): PublicIp {
    const pub = this.updatablePublicIp(id, ifMatch);
    this.settled(pub);
    if (!this.privateIps.has(privateIpId)) throw relatedNotFound(`private IP ${privateIpId}`);
    if (pub.privateIpId === privateIpId && pub.lifecycleState === 'ASSIGNED') return pub;
    const other = this.publicIpOf(privateIpId);
    if (other && other.id !== id) throw conflict(`Private IP ${privateIpId} already has public IP ${other.id}`);
    this.assign(pub, privateIpId);
    return pub;
  }

  /** UpdatePublicIp with privateIpId "": UNASSIGNING now, AVAILABLE (in the pool) after `assigningMs`. */
  unassignPublicIp(id: string, ifMatch: string | undefined): PublicIp {
    const pub = this.updatablePublicIp(id, ifMatch);
    this.settled(pub);
    if (pub.privateIpId === null) return pub;
    pub.lifecycleState = 'UNASSIGNING';
    pub.etag = newEtag();
    const settle = () => {
      if (pub.lifecycleState === 'UNASSIGNING') this.detachPublicIp(id);
    };
    if (this.timing.assigningMs <= 0) settle();
    else this.later(settle);
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

  /** UpdateRouteTable: the whole rule list is replaced (checked by route-rules.ts); without routeRules it is kept. */
  updateRouteTable(id: string, rules: unknown, ifMatch: string | undefined): RouteTable {
    const t = this.routeTable(id);
    this.checkEtag(t.etag, ifMatch);
    if (rules === undefined) return t;
    t.routeRules = checkRouteRules(rules, (ip) => this.privateIps.has(ip));
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
