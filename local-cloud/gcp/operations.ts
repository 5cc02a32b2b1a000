import { randomBytes } from 'node:crypto';
import {
  type AliasIpRange,
  ApiError,
  type ApiRequest,
  aliasConflict,
  type ComputeState,
  externalIpHolder,
  invalidField,
  ipInUse,
  type Mutation,
  newFingerprint,
  newId,
  normalizeCidr,
  notFound,
  type OpFailure,
  type Route,
  requiredField,
  type StateTransition,
} from './compute-state.ts';
import { checkAliasRanges, checkFingerprint, checkNetworkTier, checkRouteOverlap, notReady } from './rules.ts';

/** The Operation resource as the real API returns it. */
export interface OperationJson {
  kind: 'compute#operation';
  id: string;
  name: string;
  zone?: string;
  operationType: string;
  targetLink: string;
  targetId: string;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  user: string;
  progress: number;
  insertTime: string;
  startTime: string;
  endTime?: string;
  selfLink: string;
  error?: { errors: { code: string; message: string }[] };
  httpErrorStatusCode?: number;
  httpErrorMessage?: string;
}

interface Entry {
  json: OperationJson;
  mutation: Mutation;
  settled: Promise<void>;
  settle: () => void;
  timer?: NodeJS.Timeout;
}

export interface OperationStartOptions {
  /** Time the operation stays RUNNING; 0 completes it before the response is sent. */
  delayMs: number;
  /** Injected failure: the operation ends DONE with this error and the change is not applied. */
  failure?: OpFailure;
  onTransition: (t: StateTransition) => void;
  /** The request's `requestId`: a later write with the same id gets this operation back instead of running again. */
  requestId?: string;
}

/** Real operation names look like `operation-1678698586130-5f6c478e948f3-93704f76-5de7a834`. */
function operationName(): string {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return `operation-${Date.now()}-${hex(7).slice(0, 13)}-${hex(4)}-${hex(4)}`;
}

/** Zonal and global operations of one project: RUNNING → DONE, applying the change at DONE. */
export class OperationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly byRequestId = new Map<string, Entry>();

  constructor(private readonly state: ComputeState) {}

  /** Creates the operation and returns a copy of its JSON as the mutation's response. */
  start(mutation: Mutation, opts: OperationStartOptions): OperationJson {
    // one operation at a time per instance: a write while the last one runs is refused, not queued
    const busy =
      mutation.zone &&
      [...this.entries.values()].some((e) => e.json.targetLink === mutation.targetLink && e.json.status !== 'DONE');
    if (busy) throw notReady(mutation.targetLink.replace(/^.*\/compute\/v1\//, ''));
    const now = new Date().toISOString();
    const name = operationName();
    const scope = mutation.zone ? `zones/${mutation.zone}` : 'global';
    const json: OperationJson = {
      kind: 'compute#operation',
      id: newId(),
      name,
      ...(mutation.zone ? { zone: this.state.link(`zones/${mutation.zone}`) } : {}),
      operationType: mutation.operationType,
      targetLink: mutation.targetLink,
      targetId: mutation.targetId,
      status: 'RUNNING',
      user: `mirror-vip@${this.state.project}.iam.gserviceaccount.com`,
      progress: 0,
      insertTime: now,
      startTime: now,
      selfLink: this.state.link(`${scope}/operations/${name}`),
    };
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const entry: Entry = { json, mutation, settled, settle };
    this.entries.set(`${scope}/${name}`, entry);
    if (opts.requestId) this.byRequestId.set(opts.requestId, entry);
    const finish = () => this.finish(entry, opts);
    // delay 0 goes through the same completion path, just before the response is written
    if (opts.delayMs <= 0) finish();
    else entry.timer = setTimeout(finish, opts.delayMs);
    return structuredClone(json);
  }

  /** The operation a earlier write with this requestId started (the real API keeps them for at least 60 minutes). */
  replayOf(requestId: string): OperationJson | undefined {
    const entry = this.byRequestId.get(requestId);
    return entry ? structuredClone(entry.json) : undefined;
  }

  /** Looks an operation up by name or numeric id; `zone` undefined means global. */
  get(zone: string | undefined, nameOrId: string): OperationJson | undefined {
    const entry = this.find(zone, nameOrId);
    return entry ? structuredClone(entry.json) : undefined;
  }

  /** Resolves when the operation is DONE or after `maxMs`, like operations.wait. */
  async wait(zone: string | undefined, nameOrId: string, maxMs: number): Promise<OperationJson | undefined> {
    const entry = this.find(zone, nameOrId);
    if (!entry) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxMs);
    });
    await Promise.race([entry.settled, cap]);
    clearTimeout(timer);
    return structuredClone(entry.json);
  }

  /** Drops every operation; pending ones never apply and their waiters are released. */
  clear(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      entry.settle();
    }
    this.entries.clear();
    this.byRequestId.clear();
  }

  private find(zone: string | undefined, nameOrId: string): Entry | undefined {
    const scope = zone ? `zones/${zone}` : 'global';
    const direct = this.entries.get(`${scope}/${nameOrId}`);
    if (direct) return direct;
    for (const [key, entry] of this.entries) {
      if (key.startsWith(`${scope}/`) && entry.json.id === nameOrId) return entry;
    }
    return undefined;
  }

  private finish(entry: Entry, opts: OperationStartOptions): void {
    const result = opts.failure ? { failure: opts.failure } : entry.mutation.apply();
    const { json } = entry;
    if ('failure' in result) {
      const f = result.failure;
      json.error = { errors: [{ code: f.code, message: f.message }] };
      json.httpErrorStatusCode = f.httpStatus;
      json.httpErrorMessage = f.httpMessage;
    } else {
      const at = performance.timeOrigin + performance.now();
      for (const t of result.transitions) opts.onTransition({ at, ...t });
    }
    json.status = 'DONE';
    json.progress = 100;
    json.endTime = new Date().toISOString();
    entry.settle();
  }
}

// ---- The mutations: synchronous validation (throws ApiError) and the change applied at DONE. ----

/** Path params [zone, instance] plus `?networkInterface=`: the instance, its NIC and a zonal mutation shell. */
function nicTarget(state: ComputeState, { params: [zone = '', name = ''], query }: ApiRequest) {
  const instance = state.instance(zone, name);
  if (!instance) throw notFound(`projects/${state.project}/zones/${zone}/instances/${name}`);
  const nicName = query.get('networkInterface');
  if (!nicName) throw requiredField('networkInterface');
  const nic = instance.networkInterfaces.find((n) => n.name === nicName);
  if (!nic) throw invalidField('networkInterface', nicName, 'Network interface not found.');
  const shell = { targetLink: state.link(`zones/${zone}/instances/${name}`), targetId: instance.id, zone };
  const detail = (extra: Record<string, string>) => ({ instance: name, zone, networkInterface: nicName, ...extra });
  // every applied write gives the NIC (and the instance) a new fingerprint
  const touch = () => {
    nic.fingerprint = newFingerprint();
    instance.fingerprint = newFingerprint();
  };
  return { nic, shell, detail, touch };
}

function parseAliases(value: unknown): AliasIpRange[] {
  return (Array.isArray(value) ? value : []).map((r: Record<string, unknown>, i) => {
    const cidr = normalizeCidr(String(r?.ipCidrRange ?? ''));
    if (!cidr) throw invalidField(`resource.aliasIpRanges[${i}].ipCidrRange`, String(r?.ipCidrRange), '');
    const rangeName = r.subnetworkRangeName ? { subnetworkRangeName: String(r.subnetworkRangeName) } : {};
    return { ipCidrRange: cidr, ...rangeName };
  });
}

/**
 * instances.updateNetworkInterface. The API "follows PATCH semantics" (REST reference): a field absent
 * from the body is left as it is, so an absent `aliasIpRanges` keeps every alias and only an explicit
 * `"aliasIpRanges": []` removes them. Evidence: googleapis/google-cloud-python#11931 (client drops the
 * empty list, the operation succeeds, the alias stays) and gcloud's `network-interfaces update`, which
 * sends the empty list on purpose via `client.IncludeFields(['aliasIpRanges'])` when `--aliases=""`.
 */
export function updateNicMutation(state: ComputeState, req: ApiRequest): Mutation {
  const { nic, shell, detail, touch } = nicTarget(state, req);
  const { body } = req;
  if (Array.isArray(body.accessConfigs) && body.accessConfigs.length > 0) {
    // kubernetes/kubernetes#59423: "Invalid value for field 'resource.accessConfigs': ''. Updating this field…"
    throw invalidField('resource.accessConfigs', '', 'Updating this field is not supported.');
  }
  checkFingerprint(body.fingerprint, nic.fingerprint);
  const wanted = body.aliasIpRanges === undefined ? undefined : parseAliases(body.aliasIpRanges);
  if (wanted) checkAliasRanges(state, nic, wanted);
  const apply = () => {
    const clash = wanted && aliasConflict(state, nic, wanted);
    if (clash) return { failure: ipInUse(clash) };
    const before = nic.aliasIpRanges.map((r) => r.ipCidrRange);
    nic.aliasIpRanges = wanted ?? nic.aliasIpRanges;
    touch();
    const after = nic.aliasIpRanges.map((r) => r.ipCidrRange);
    const change = (kind: 'alias-added' | 'alias-removed') => (range: string) => ({ kind, detail: detail({ range }) });
    const removed = before.filter((r) => !after.includes(r)).map(change('alias-removed'));
    return { transitions: [...removed, ...after.filter((r) => !before.includes(r)).map(change('alias-added'))] };
  };
  return { operationType: 'updateNetworkInterface', ...shell, apply };
}

/** instances.addAccessConfig: one access config per NIC (sync 400), one instance per external IP (async). */
export function addAccessConfigMutation(state: ComputeState, req: ApiRequest): Mutation {
  const { nic, shell, detail, touch } = nicTarget(state, req);
  const { name, natIP, type, networkTier } = req.body;
  // terraform-google-vm#111, kubeip#60: "Error 400: At most one access config currently supported., badRequest"
  if (nic.accessConfigs.length > 0)
    throw new ApiError(400, 'badRequest', 'At most one access config currently supported.');
  const reserved = [...state.addresses.values()].find((a) => a.addressType === 'EXTERNAL' && a.address === natIP);
  const tier = typeof networkTier === 'string' ? networkTier : 'PREMIUM';
  if (reserved) checkNetworkTier(tier, reserved.networkTier ?? 'PREMIUM');
  if (typeof natIP === 'string' && !reserved) {
    // terraform-provider-google#435 shows this message for an unknown natIP
    const why = `The specified external IP address '${natIP}' was not found in region '${state.region}'.`;
    throw invalidField('resource.natIP', natIP, why);
  }
  const config = {
    name: typeof name === 'string' ? name : 'External NAT',
    natIP:
      typeof natIP === 'string' ? natIP : `35.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`,
    type: typeof type === 'string' ? type : 'ONE_TO_ONE_NAT',
    networkTier: tier,
  };
  const apply = () => {
    if (externalIpHolder(state, config.natIP)) return { failure: ipInUse(config.natIP) };
    nic.accessConfigs.push(config);
    touch();
    return {
      transitions: [
        { kind: 'access-config-added' as const, detail: detail({ name: config.name, natIP: config.natIP }) },
      ],
    };
  };
  return { operationType: 'addAccessConfig', ...shell, apply };
}

/** instances.deleteAccessConfig: the named config must exist on the NIC (sync 400). */
export function deleteAccessConfigMutation(state: ComputeState, req: ApiRequest): Mutation {
  const { nic, shell, detail, touch } = nicTarget(state, req);
  const name = req.query.get('accessConfig');
  if (!name) throw requiredField('accessConfig');
  if (!nic.accessConfigs.some((a) => a.name === name)) {
    throw invalidField('accessConfig', name, `Access config not found on network interface '${nic.name}'.`);
  }
  const apply = () => {
    const gone = nic.accessConfigs.filter((a) => a.name === name);
    nic.accessConfigs = nic.accessConfigs.filter((a) => a.name !== name);
    touch();
    const kind = 'access-config-removed' as const;
    return { transitions: gone.map((a) => ({ kind, detail: detail({ name, natIP: a.natIP }) })) };
  };
  return { operationType: 'deleteAccessConfig', ...shell, apply };
}

const NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** routes.insert: duplicate name → 409 alreadyExists; only nextHopInstance routes are modelled. */
export function insertRouteMutation(state: ComputeState, { body }: ApiRequest): Mutation {
  const field = (key: string): string => {
    if (body[key] === undefined || body[key] === '') throw requiredField(`resource.${key}`);
    return String(body[key]);
  };
  const name = field('name');
  if (!NAME_RE.test(name)) throw invalidField('resource.name', name, `Must be a match of regex '${NAME_RE.source}'`);
  const destRange = normalizeCidr(field('destRange'));
  if (!destRange) throw invalidField('resource.destRange', field('destRange'), 'Must be a valid IPv4 CIDR range.');
  const network = state.resolve(field('network'));
  if (![...state.subnetworks.values()].some((s) => s.network === network)) {
    throw invalidField('resource.network', field('network'), 'The referenced network resource cannot be found.');
  }
  checkRouteOverlap(state, network, destRange);
  const hop = state.instanceByLink(field('nextHopInstance'));
  if (!hop)
    throw invalidField(
      'resource.nextHopInstance',
      field('nextHopInstance'),
      'The referenced instance cannot be found.',
    );
  const exists = new ApiError(
    409,
    'alreadyExists',
    `The resource 'projects/${state.project}/global/routes/${name}' already exists`,
  );
  if (state.routes.has(name)) throw exists;
  const route: Route = {
    id: newId(),
    name,
    network,
    destRange,
    priority: body.priority === undefined ? 1000 : Number(body.priority),
    nextHopInstance: state.link(`zones/${hop.zone}/instances/${hop.name}`),
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    creationTimestamp: new Date().toISOString(),
  };
  const apply = () => {
    if (state.routes.has(name)) {
      return {
        failure: { code: 'RESOURCE_ALREADY_EXISTS', message: exists.message, httpStatus: 409, httpMessage: 'CONFLICT' },
      };
    }
    state.routes.set(name, route);
    return { transitions: [{ kind: 'route-added' as const, detail: routeDetail(route) }] };
  };
  return { operationType: 'insert', targetLink: state.link(`global/routes/${name}`), targetId: route.id, apply };
}

const routeDetail = (r: Route) => ({ name: r.name, destRange: r.destRange, nextHopInstance: r.nextHopInstance ?? '' });

/** routes.delete: missing → 404 notFound. */
export function deleteRouteMutation(state: ComputeState, { params: [name = ''] }: ApiRequest): Mutation {
  const route = state.routes.get(name);
  if (!route) throw notFound(`projects/${state.project}/global/routes/${name}`);
  const apply = () => ({
    transitions: state.routes.delete(name) ? [{ kind: 'route-removed' as const, detail: routeDetail(route) }] : [],
  });
  return { operationType: 'delete', targetLink: state.link(`global/routes/${name}`), targetId: route.id, apply };
}
