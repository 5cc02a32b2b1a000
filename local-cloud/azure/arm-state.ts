import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ArmRbac } from './rbac.ts';

/** An ARM error as the API answers it: `{"error":{"code","message"}}` with an HTTP status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface IpConfig {
  name: string;
  privateIPAddress: string;
  privateIPAllocationMethod: string;
  subnetId: string;
  publicIpId: string | null;
  primary: boolean;
  /** Application security groups and load-balancer backend pools the ip-configuration joins (ids, as sent). */
  asgIds?: string[];
  poolIds?: string[];
}

export interface Nic {
  id: string;
  name: string;
  location: string;
  etag: string;
  enableIPForwarding: boolean;
  ipConfigurations: IpConfig[];
  /** Fields the emulator keeps but does not interpret, returned as sent (tags, dnsSettings, …). */
  extra: Record<string, unknown>;
  provisioningState: string;
  /** The operation id of a write still running on this NIC. */
  busyWith: string | null;
}

export interface Route {
  name: string;
  etag: string;
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress: string | null;
  provisioningState: string;
}

export interface RouteTable {
  id: string;
  name: string;
  location: string;
  etag: string;
  routes: Map<string, Route>;
}

export interface Subnet {
  id: string;
  addressPrefix: string;
}

export interface PublicIp {
  id: string;
  name: string;
  ipAddress: string;
  /** Standard (default) or Basic; Regional (default) or Global tier; Static (default) or Dynamic. */
  sku?: { name: string; tier: string };
  allocation?: string;
  /** Availability zones; absent = no zone (regional), ['1','2','3'] = zone-redundant. */
  zones?: string[];
}

export const TRANSITION_KINDS = [
  'ip-config-added',
  'ip-config-removed',
  'public-ip-attached',
  'public-ip-detached',
  'route-set',
] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];
export interface StateTransition {
  kind: TransitionKind;
  at: number;
  detail: Record<string, string>;
}

export const newEtag = () => `W/"${randomUUID()}"`;
export const key = (id: string) => id.toLowerCase();

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Whether `ip` lies in `cidr`, and whether it is one of the five addresses Azure reserves in every subnet. */
export function inSubnet(ip: string, cidr: string): { inside: boolean; reserved: boolean } {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base) - (toInt(base) % size);
  const n = toInt(ip);
  const inside = n >= start && n < start + size;
  return { inside, reserved: inside && (n - start < 4 || n === start + size - 1) };
}

/** The resources of one emulated subscription, keyed by lower-cased ARM id. */
export class ArmState {
  readonly nics = new Map<string, Nic>();
  readonly subnets = new Map<string, Subnet>();
  readonly publicIps = new Map<string, PublicIp>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly transitions: StateTransition[] = [];
  /** Role assignments: who may read and write what (every caller everything until a test assigns roles). */
  readonly rbac = new ArmRbac();
  /** Emits 'change' the moment a write changes the state or an operation settles (the drill's network follows it). */
  readonly changes = new EventEmitter();
  private readonly t0 = performance.now();

  record(kind: TransitionKind, detail: Record<string, string>): void {
    const t = { kind, at: performance.now() - this.t0, detail };
    this.transitions.push(t);
    this.changes.emit('change', t);
  }

  nicByName(name: string): Nic | undefined {
    return [...this.nics.values()].find((n) => n.name === name);
  }

  /**
   * Check a NIC's new ip-configurations against the rules Azure enforces, before anything changes: exactly one
   * primary, the primary one kept, each private IP static in its subnet and not reserved, no private IP allocated
   * on another NIC, no public IP referenced by another ip-configuration.
   */
  validateNic(nic: Pick<Nic, 'id' | 'name'>, configs: IpConfig[], before: Nic | undefined): void {
    if (configs.length === 0)
      throw new ArmError(
        400,
        'NetworkInterfaceMustHaveAtLeastOneIpConfiguration',
        `Network interface ${nic.id} must have at least one IP configuration.`,
      );
    const oldPrimary = before?.ipConfigurations.find((c) => c.primary);
    // The code and message Azure answers (ansible-collections/azure#1281, Azure/azure-sdk-for-python#9332)
    if (oldPrimary && !configs.some((c) => c.name === oldPrimary.name && c.primary))
      throw new ArmError(
        400,
        'IpConfigDeleteNotSupported',
        `IP Configuration ${oldPrimary.name} cannot be deleted. Deletion and renaming of primary IP Configuration is not supported`,
      );
    if (configs.filter((c) => c.primary).length !== 1)
      throw new ArmError(
        400,
        'NetworkInterfaceMustHaveOnePrimaryIpConfiguration',
        `Network interface ${nic.id} must have exactly one primary IP configuration.`,
      );
    const names = new Set<string>();
    for (const c of configs) {
      const cid = `${nic.id}/ipConfigurations/${c.name}`;
      if (names.has(c.name.toLowerCase())) throw new ArmError(400, 'DuplicateResourceName', `${cid} is defined twice.`);
      names.add(c.name.toLowerCase());
      const subnet = this.subnets.get(key(c.subnetId));
      if (!subnet)
        throw new ArmError(
          400,
          'InvalidResourceReference',
          `Resource ${c.subnetId} referenced by resource ${cid} was not found.`,
        );
      const where = inSubnet(c.privateIPAddress, subnet.addressPrefix);
      if (!where.inside)
        throw new ArmError(
          400,
          'PrivateIPAddressNotInSubnet',
          `Private static IP address ${c.privateIPAddress} does not belong to the range of subnet prefix ${subnet.addressPrefix}.`,
        );
      if (where.reserved)
        throw new ArmError(
          400,
          'PrivateIPAddressInReservedRange',
          `Private static IP address ${c.privateIPAddress} falls within reserved IP range of subnet prefix ${subnet.addressPrefix}.`,
        );
      this.checkAddressFree(cid, c, nic.id);
      if (c.publicIpId) this.checkPublicIpFree(cid, c.publicIpId, configs, c);
    }
  }

  private checkAddressFree(cid: string, c: IpConfig, nicId: string): void {
    for (const other of this.nics.values()) {
      if (key(other.id) === key(nicId)) continue;
      const holder = other.ipConfigurations.find(
        (x) => x.privateIPAddress === c.privateIPAddress && key(x.subnetId) === key(c.subnetId),
      );
      if (holder)
        throw new ArmError(
          400,
          'PrivateIPAddressIsAllocated',
          `IP configuration ${cid} is using the private IP address ${c.privateIPAddress} which is already allocated to resource ${other.id}/ipConfigurations/${holder.name}.`,
        );
    }
  }

  private checkPublicIpFree(cid: string, pip: string, mine: IpConfig[], c: IpConfig): void {
    if (!this.publicIps.has(key(pip)))
      throw new ArmError(
        400,
        'InvalidResourceReference',
        `Resource ${pip} referenced by resource ${cid} was not found.`,
      );
    const twiceHere = mine.filter((x) => x.publicIpId && key(x.publicIpId) === key(pip)).length > 1;
    const elsewhere = [...this.nics.values()].find(
      (n) =>
        !cid.toLowerCase().startsWith(`${key(n.id)}/`) &&
        n.ipConfigurations.some((x) => x.publicIpId && key(x.publicIpId) === key(pip)),
    );
    if (twiceHere || elsewhere)
      throw new ArmError(
        400,
        'PublicIPAddressInUse',
        `Resource ${cid} is referencing public IP address ${pip} that is already allocated to resource ${elsewhere?.id ?? 'another ip configuration'}${c.primary ? '' : ''}.`,
      );
  }

  /** Replace a NIC's ip-configurations (already validated) and record what moved. */
  commitNic(nic: Nic, configs: IpConfig[]): void {
    const before = nic.ipConfigurations;
    // the new state first, then the records: a watcher of the transitions sees the state they describe
    nic.ipConfigurations = configs;
    nic.etag = newEtag();
    const byName = (list: IpConfig[], n: string) => list.find((c) => c.name.toLowerCase() === n.toLowerCase());
    for (const c of before)
      if (!byName(configs, c.name))
        this.record('ip-config-removed', { nic: nic.name, ipConfig: c.name, privateIp: c.privateIPAddress });
    for (const c of configs) {
      const old = byName(before, c.name);
      if (!old) this.record('ip-config-added', { nic: nic.name, ipConfig: c.name, privateIp: c.privateIPAddress });
      const had = old?.publicIpId ?? null;
      if (had && key(had) !== key(c.publicIpId ?? ''))
        this.record('public-ip-detached', { nic: nic.name, ipConfig: c.name, publicIp: had });
      if (c.publicIpId && key(c.publicIpId) !== key(had ?? ''))
        this.record('public-ip-attached', { nic: nic.name, ipConfig: c.name, publicIp: c.publicIpId });
    }
    for (const c of before) {
      if (!byName(configs, c.name) && c.publicIpId)
        this.record('public-ip-detached', { nic: nic.name, ipConfig: c.name, publicIp: c.publicIpId });
    }
  }
}
