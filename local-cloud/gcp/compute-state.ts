import { randomBytes } from 'node:crypto';
import type { GcpPolicies } from './iam.ts';

/** Base of every selfLink, as the real API writes it (not the emulator's own address). */
export const API_ROOT = 'https://www.googleapis.com/compute/v1';

export interface AliasIpRange {
  ipCidrRange: string;
  subnetworkRangeName?: string;
}
export interface AccessConfig {
  name: string;
  natIP: string;
  type: string;
  networkTier: string;
}
export interface NetworkInterface {
  name: string;
  network: string;
  subnetwork: string;
  networkIP: string;
  aliasIpRanges: AliasIpRange[];
  accessConfigs: AccessConfig[];
  fingerprint: string;
}
export interface Instance {
  id: string;
  name: string;
  zone: string;
  machineType: string;
  status: string;
  creationTimestamp: string;
  canIpForward: boolean;
  fingerprint: string;
  networkInterfaces: NetworkInterface[];
}
export interface Route {
  id: string;
  name: string;
  network: string;
  destRange: string;
  priority: number;
  nextHopInstance?: string;
  description?: string;
  creationTimestamp: string;
}
export interface Address {
  id: string;
  name: string;
  address: string;
  addressType: 'EXTERNAL' | 'INTERNAL';
  /** PREMIUM or STANDARD; an access config naming this address must ask for the same tier. */
  networkTier?: 'PREMIUM' | 'STANDARD';
  creationTimestamp: string;
}
export interface Subnetwork {
  name: string;
  network: string;
  ipCidrRange: string;
  /** Named secondary ranges an alias may be taken from (`subnetworkRangeName`). */
  secondaryIpRanges?: { rangeName: string; ipCidrRange: string }[];
}

export const TRANSITION_KINDS = [
  'route-added',
  'route-removed',
  'alias-added',
  'alias-removed',
  'access-config-added',
  'access-config-removed',
] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];
export interface StateTransition {
  at: number;
  kind: TransitionKind;
  detail: Record<string, string>;
}
export type PendingTransition = Omit<StateTransition, 'at'>;

/** How a DONE operation failed: the operation's error.errors[0] plus its httpError* fields. */
export interface OpFailure {
  code: string;
  message: string;
  httpStatus: number;
  httpMessage: string;
}

/** What a handler gets from a request: path parameters after the project, the query and the JSON body. */
export interface ApiRequest {
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** A change waiting for its operation: `apply` runs when the operation reaches DONE. */
export interface Mutation {
  operationType: string;
  targetLink: string;
  targetId: string;
  /** Zone name for zonal operations; absent for global ones. */
  zone?: string;
  apply(): { transitions: PendingTransition[] } | { failure: OpFailure };
}

/** A synchronous API error, rendered as the real `{"error":{code,message,errors[]}}` body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    /** google.rpc details (e.g. an ErrorInfo), as newer Google APIs add them. */
    readonly details?: unknown[],
  ) {
    super(message);
  }
  toJSON(): unknown {
    const { status: code, message, domain, reason, details } = this;
    return { error: { code, message, errors: [{ message, domain, reason }], ...(details ? { details } : {}) } };
  }
}

interface Snapshot {
  instances: Map<string, Instance>;
  routes: Map<string, Route>;
  addresses: Map<string, Address>;
  subnetworks: Map<string, Subnetwork>;
}

/** In-memory Compute Engine state for one project and one region. */
export class ComputeState {
  readonly project: string;
  readonly region: string;
  readonly instances = new Map<string, Instance>(); // key `${zone}/${name}`
  readonly routes = new Map<string, Route>();
  readonly addresses = new Map<string, Address>();
  readonly subnetworks = new Map<string, Subnetwork>();
  /** Grants by caller (local-cloud/gcp/iam.ts); a caller not listed is unrestricted. Not part of a snapshot. */
  readonly iam: GcpPolicies = new Map();

  constructor(opts: { project?: string; region?: string } = {}) {
    this.project = opts.project ?? 'demo-project';
    this.region = opts.region ?? 'us-east1';
  }

  /** A full resource URL for a path relative to the project, e.g. `global/routes/r1`. */
  link(path: string): string {
    return `${API_ROOT}/projects/${this.project}/${path}`;
  }

  /** Accepts a full URL, `projects/…` or a project-relative path and returns the full URL. */
  resolve(ref: string): string {
    // any host: gcloud with an endpoint override sends links under the override's base (found by the gcloud check)
    const path = /^https?:\/\/[^/]+\/compute\/(?:v1|beta)\/(projects\/.+)$/.exec(ref)?.[1];
    if (path) return `${API_ROOT}/${path}`;
    if (/^https?:\/\//.test(ref)) return ref;
    if (ref.startsWith('projects/')) return `${API_ROOT}/${ref}`;
    return this.link(ref.replace(/^\//, ''));
  }

  instance(zone: string, name: string): Instance | undefined {
    return this.instances.get(`${zone}/${name}`);
  }

  /** Finds an instance by its selfLink (or a partial link). */
  instanceByLink(ref: string): Instance | undefined {
    const m = /zones\/([^/]+)\/instances\/([^/]+)$/.exec(this.resolve(ref));
    return m ? this.instance(m[1] ?? '', m[2] ?? '') : undefined;
  }

  addInstance(i: Instance): void {
    this.instances.set(`${i.zone}/${i.name}`, i);
  }

  snapshot(): Snapshot {
    const { instances, routes, addresses, subnetworks } = this;
    return structuredClone({ instances, routes, addresses, subnetworks });
  }

  restore(s: Snapshot): void {
    const copy = structuredClone(s);
    for (const key of ['instances', 'routes', 'addresses', 'subnetworks'] as const) {
      const target = this[key] as Map<string, unknown>;
      target.clear();
      for (const [k, v] of copy[key] as Map<string, unknown>) target.set(k, v);
    }
  }

  /** Every NIC attached to a network, for the one-NIC-per-IP rules. */
  nics(network: string): NetworkInterface[] {
    return [...this.instances.values()].flatMap((i) => i.networkInterfaces.filter((n) => n.network === network));
  }
}

/** A fresh fingerprint: base64 of 8 random bytes, the shape the real API uses. */
export function newFingerprint(): string {
  return randomBytes(8).toString('base64');
}

/** A numeric resource id as a decimal string (uint64 in the API, a string in JSON). */
export function newId(): string {
  return (randomBytes(8).readBigUInt64BE() % 9_000_000_000_000_000_000n).toString();
}

/** `10.0.0.250` → `10.0.0.250/32`; undefined when not an IPv4 CIDR. */
export function normalizeCidr(range: string): string | undefined {
  const withPrefix = range.includes('/') ? range : `${range}/32`;
  return cidrBounds(withPrefix) ? withPrefix : undefined;
}

function cidrBounds(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const start = ip - (ip % size);
  return [start, start + size - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = cidrBounds(normalizeCidr(a) ?? '');
  const y = cidrBounds(normalizeCidr(b) ?? '');
  return !!x && !!y && x[0] <= y[1] && y[0] <= x[1];
}

/** The range in `wanted` that another NIC of the network already holds (as alias or primary IP). */
export function aliasConflict(state: ComputeState, self: NetworkInterface, wanted: AliasIpRange[]): string | undefined {
  for (const nic of state.nics(self.network)) {
    if (nic === self) continue;
    const taken = [nic.networkIP, ...nic.aliasIpRanges.map((r) => r.ipCidrRange)];
    const hit = wanted.find((w) => taken.some((t) => cidrsOverlap(w.ipCidrRange, t)));
    if (hit) return hit.ipCidrRange;
  }
  return undefined;
}

/** The instance whose access config holds this external IP, if any. */
export function externalIpHolder(state: ComputeState, natIP: string): Instance | undefined {
  for (const i of state.instances.values()) {
    if (i.networkInterfaces.some((n) => n.accessConfigs.some((a) => a.natIP === natIP))) return i;
  }
  return undefined;
}

export function notFound(resourcePath: string): ApiError {
  return new ApiError(404, 'notFound', `The resource '${resourcePath}' was not found`);
}

export function invalidField(field: string, value: string, why: string): ApiError {
  return new ApiError(400, 'invalid', `Invalid value for field '${field}': '${value}'. ${why}`);
}

export function requiredField(field: string): ApiError {
  return new ApiError(400, 'required', `Required field '${field}' not specified`);
}

/** The asynchronous failure the real API reports for an IP held by another resource. */
export function ipInUse(ip: string): OpFailure {
  return {
    code: 'IP_IN_USE_BY_ANOTHER_RESOURCE',
    message: `IP '${ip}' is already being used by another resource.`,
    httpStatus: 409,
    httpMessage: 'CONFLICT',
  };
}

/** The Instance resource as the real API returns it (the fields this project reads, and a few more). */
export function instanceJson(state: ComputeState, i: Instance): Record<string, unknown> {
  return {
    kind: 'compute#instance',
    id: i.id,
    creationTimestamp: i.creationTimestamp,
    name: i.name,
    machineType: state.link(`zones/${i.zone}/machineTypes/${i.machineType}`),
    status: i.status,
    zone: state.link(`zones/${i.zone}`),
    canIpForward: i.canIpForward,
    networkInterfaces: i.networkInterfaces.map((n) => ({
      kind: 'compute#networkInterface',
      network: n.network,
      subnetwork: n.subnetwork,
      networkIP: n.networkIP,
      name: n.name,
      accessConfigs: n.accessConfigs.map((a) => ({ kind: 'compute#accessConfig', ...a })),
      aliasIpRanges: n.aliasIpRanges,
      fingerprint: n.fingerprint,
      stackType: 'IPV4_ONLY',
    })),
    selfLink: state.link(`zones/${i.zone}/instances/${i.name}`),
    fingerprint: i.fingerprint,
  };
}

export function routeJson(state: ComputeState, r: Route): Record<string, unknown> {
  const { nextHopInstance, description, ...rest } = r;
  return {
    kind: 'compute#route',
    ...rest,
    ...(description ? { description } : {}),
    ...(nextHopInstance ? { nextHopInstance } : {}),
    routeType: 'STATIC',
    selfLink: state.link(`global/routes/${r.name}`),
  };
}

/** A `*List` resource; the real API omits `items` when there are none. */
export function listJson(state: ComputeState, kind: string, path: string, items: Record<string, unknown>[]) {
  return {
    kind,
    id: `projects/${state.project}/${path}`,
    ...(items.length ? { items } : {}),
    selfLink: state.link(path),
  };
}

/** The subset of list `filter` syntax the provider may use: `field = "v"`, `!=`, `eq`/`ne` (regex), joined by AND. */
export function applyFilter(items: Record<string, unknown>[], filter: string | null): Record<string, unknown>[] {
  if (!filter?.trim()) return items;
  const clauses = filter.split(/\s+AND\s+/i).map((clause) => {
    const m = /^\(?\s*(\w+)\s*(=|!=|eq|ne)\s*"?([^"]*?)"?\s*\)?$/.exec(clause.trim());
    if (!m) throw invalidField('filter', filter, 'Invalid list filter expression.');
    return { field: m[1] ?? '', op: m[2] ?? '', value: m[3] ?? '' };
  });
  return items.filter((item) =>
    clauses.every(({ field, op, value }) => {
      const actual = String(item[field] ?? '');
      const hit = op === 'eq' || op === 'ne' ? new RegExp(`^(?:${value})$`).test(actual) : actual === value;
      return op === '=' || op === 'eq' ? hit : !hit;
    }),
  );
}
