import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitAtLeast } from '../latency.ts';
import type { RestCall } from '../recorded-call.ts';
import { readCapped } from '../request-body.ts';
import {
  ApiError,
  type ApiRequest,
  applyFilter,
  ComputeState,
  instanceJson,
  listJson,
  type Mutation,
  newFingerprint,
  notFound,
  routeJson,
  type StateTransition,
} from './compute-state.ts';
import { defaultFaults, type FaultPlan, injectedFailure, rateLimited, take } from './faults.ts';
import {
  authorizeCompute,
  callerOf,
  getSubnetwork,
  listAddresses,
  testInstance,
  testPermissions,
  testSubnetwork,
} from './iam.ts';
import {
  addAccessConfigMutation,
  deleteAccessConfigMutation,
  deleteRouteMutation,
  insertRouteMutation,
  type OperationJson,
  OperationStore,
  updateNicMutation,
} from './operations.ts';
import { checkRequestId } from './rules.ts';
import { seedMirrorProject } from './seed.ts';

/** How many calls ran one after another: the project's one definition, from the core's call log. */
export { serialRounds } from '../../shared/core/calls.ts';

export interface RecordedCall extends RestCall {
  errorReason?: string;
}

export interface GcpEmulator {
  url: string;
  port: number;
  state: ComputeState;
  calls: RecordedCall[];
  faults: FaultPlan;
  transitions: StateTransition[];
  /** Emits 'change' (with the transition) the moment an operation has changed the state, for observers such as the drill. */
  changes: EventEmitter;
  close(): Promise<void>;
  reset(): void;
}

export interface StartOptions {
  port?: number;
  latencyMs?: number;
  operationDelayMs?: number;
  /** Per-method operation durations, e.g. REALISTIC_OPERATION_MS. */
  operationDelayByOp?: Record<string, number>;
  /** Defaults to a fresh state seeded with `seedMirrorProject`. */
  state?: ComputeState;
}

const MAX_BODY_BYTES = 1 << 20;
/** The real operations.wait returns after at most about two minutes even if not DONE. */
const WAIT_CAP_MS = 120_000;
const now = () => performance.timeOrigin + performance.now();

interface Ctx extends ApiRequest {
  state: ComputeState;
  /** The bearer token ('' without one): whose grants apply. */
  caller: string;
  ops: OperationStore;
  start(m: Mutation): OperationJson;
}
type Handler = (c: Ctx) => unknown;

const mutate =
  (build: (state: ComputeState, req: ApiRequest) => Mutation): Handler =>
  (c) =>
    c.start(build(c.state, c));

function listInstances({ state, params: [zone = ''], query }: Ctx) {
  const items = [...state.instances.values()].filter((i) => i.zone === zone).map((i) => instanceJson(state, i));
  return listJson(state, 'compute#instanceList', `zones/${zone}/instances`, applyFilter(items, query.get('filter')));
}

function getInstance({ state, params: [zone = '', name = ''] }: Ctx) {
  const found = state.instance(zone, name);
  if (!found) throw notFound(`projects/${state.project}/zones/${zone}/instances/${name}`);
  return instanceJson(state, found);
}

function listRoutes({ state, query }: Ctx) {
  const items = [...state.routes.values()].map((r) => routeJson(state, r));
  return listJson(state, 'compute#routeList', 'global/routes', applyFilter(items, query.get('filter')));
}

function getRoute({ state, params: [name = ''] }: Ctx) {
  const route = state.routes.get(name);
  if (!route) throw notFound(`projects/${state.project}/global/routes/${name}`);
  return routeJson(state, route);
}

/** zoneOperations/globalOperations get and wait; params are [zone, name] or [name]. */
const operation =
  (wait: boolean): Handler =>
  async ({ state, ops, params }) => {
    const [zone, name = ''] = params.length > 1 ? params : [undefined, params[0]];
    const found = wait ? await ops.wait(zone, name, WAIT_CAP_MS) : ops.get(zone, name);
    if (!found) throw notFound(`projects/${state.project}/${zone ? `zones/${zone}` : 'global'}/operations/${name}`);
    return found;
  };

/** Method, path under /compute/v1/projects/{project}/ (`*` = one segment), op name, handler. */
const ENDPOINTS: [string, string, string, Handler][] = [
  ['GET', 'zones/*/instances', 'instances.list', listInstances],
  ['GET', 'zones/*/instances/*', 'instances.get', getInstance],
  [
    'PATCH',
    'zones/*/instances/*/updateNetworkInterface',
    'instances.updateNetworkInterface',
    mutate(updateNicMutation),
  ],
  ['POST', 'zones/*/instances/*/addAccessConfig', 'instances.addAccessConfig', mutate(addAccessConfigMutation)],
  [
    'POST',
    'zones/*/instances/*/deleteAccessConfig',
    'instances.deleteAccessConfig',
    mutate(deleteAccessConfigMutation),
  ],
  [
    'POST',
    'zones/*/instances/*/testIamPermissions',
    'instances.testIamPermissions',
    (c) => testInstance(c.state, c.caller, c),
  ],
  ['GET', 'regions/*/subnetworks/*', 'subnetworks.get', (c) => getSubnetwork(c.state, c)],
  [
    'POST',
    'regions/*/subnetworks/*/testIamPermissions',
    'subnetworks.testIamPermissions',
    (c) => testSubnetwork(c.state, c.caller, c),
  ],
  ['GET', 'regions/*/addresses', 'addresses.list', (c) => listAddresses(c.state, c, c.query.get('filter'))],
  ['GET', 'global/routes', 'routes.list', listRoutes],
  ['GET', 'global/routes/*', 'routes.get', getRoute],
  ['POST', 'global/routes', 'routes.insert', mutate(insertRouteMutation)],
  ['DELETE', 'global/routes/*', 'routes.delete', mutate(deleteRouteMutation)],
  ['GET', 'zones/*/operations/*', 'zoneOperations.get', operation(false)],
  ['POST', 'zones/*/operations/*/wait', 'zoneOperations.wait', operation(true)],
  ['GET', 'global/operations/*', 'globalOperations.get', operation(false)],
  ['POST', 'global/operations/*/wait', 'globalOperations.wait', operation(true)],
];
const TABLE = ENDPOINTS.map(([method, path, op, handle]) => ({
  method,
  pattern: new RegExp(`^/compute/v1/projects/([^/]+)/${path.replaceAll('*', '([^/]+)')}$`),
  op,
  handle,
}));

/** Resource Manager's projects.testIamPermissions (v1), served here for the project-level rights of a move. */
const PROJECT_TEST = {
  method: 'POST',
  pattern: /^\/v1\/projects\/([^/:]+):testIamPermissions$/,
  op: 'projects.testIamPermissions',
  handle: (c: Ctx) => testPermissions(c.state, c.caller, `projects/${c.state.project}`, c.body),
};

function route(method: string, pathname: string) {
  for (const endpoint of [...TABLE, PROJECT_TEST]) {
    const hit = endpoint.method === method ? endpoint.pattern.exec(pathname) : null;
    if (hit) return { endpoint, project: hit[1] ?? '', params: hit.slice(2).map(decodeURIComponent) };
  }
  return undefined;
}

/** A concurrent writer changes the NIC just before the fingerprint check (the staleFingerprint fault). */
function bumpFingerprint(
  state: ComputeState,
  faults: FaultPlan,
  { params: [zone = '', name = ''], query }: ApiRequest,
) {
  const nic = state.instance(zone, name)?.networkInterfaces.find((n) => n.name === query.get('networkInterface'));
  if (nic && faults.staleFingerprint.remaining > 0) {
    faults.staleFingerprint.remaining -= 1;
    nic.fingerprint = newFingerprint();
  }
}

function parseBody(raw: string): Record<string, unknown> {
  if (!raw.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, 'parseError', 'Invalid JSON payload received.');
  }
  // operations.wait and deleteAccessConfig arrive with a body of `""` from the client
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

interface Env {
  state: ComputeState;
  ops: OperationStore;
  faults: FaultPlan;
  calls: RecordedCall[];
  transitions: StateTransition[];
  changes: EventEmitter;
}

/** Latency, faults, then the endpoint; throws ApiError for an error response. */
async function dispatch(env: Env, req: http.IncomingMessage, url: URL, match: ReturnType<typeof route>) {
  const { state, ops, faults } = env;
  const op = match?.endpoint.op ?? 'unknown';
  const body = parseBody(
    await readCapped(
      req,
      MAX_BODY_BYTES,
      () => new ApiError(413, 'badRequest', 'Request payload size exceeds the limit.'),
    ),
  );
  const latency = faults.latencyByOp[op] ?? faults.latencyMs;
  await waitAtLeast(latency);
  if (!match) throw new ApiError(404, 'notFound', `Not Found: ${req.method} ${url.pathname}`);
  if (take(faults.throttle, op)) throw rateLimited(state, faults.throttle.reason);
  if (take(faults.unavailable, op)) throw new ApiError(503, 'backendError', 'The service is currently unavailable.');
  if (match.project !== state.project) throw notFound(`projects/${match.project}`);
  const requestId = url.searchParams.get('requestId');
  checkRequestId(requestId);
  // a write retried with the same requestId gets the original operation back and runs nothing again
  const replay = requestId && req.method !== 'GET' ? ops.replayOf(requestId) : undefined;
  if (replay) return replay;
  const start = (m: Mutation) => {
    const failure = take(faults.failOperation, op) ? injectedFailure(faults.failOperation.reason) : undefined;
    const onTransition = (t: StateTransition) => {
      env.transitions.push(t);
      env.changes.emit('change', t);
    };
    const delayMs = faults.operationDelayByOp[op] ?? faults.operationDelayMs;
    return ops.start(m, { delayMs, failure, onTransition, ...(requestId ? { requestId } : {}) });
  };
  const caller = callerOf(req);
  const ctx: Ctx = { state, ops, caller, params: match.params, query: url.searchParams, body, start };
  authorizeCompute(state, caller, op, ctx);
  if (op === 'instances.updateNetworkInterface') bumpFingerprint(state, faults, ctx);
  return match.endpoint.handle(ctx);
}

async function serve(env: Env, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const startedAt = now();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = route(method, url.pathname);
  const op = match?.endpoint.op ?? 'unknown';
  let status = 200;
  let payload: unknown;
  let errorReason: string | undefined;
  try {
    payload = await dispatch(env, req, url, match);
  } catch (e: unknown) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'backendError', String(e));
    [status, payload, errorReason] = [err.status, err.toJSON(), err.reason];
  }
  const lost = take(env.faults.loseAnswer, op);
  if (lost) {
    // the change is made; the client sees the connection drop and must retry (safely, with its requestId)
    req.socket.destroy();
    status = 0;
  } else {
    const close = status === 413 ? { connection: 'close' } : {};
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...close });
    res.end(JSON.stringify(payload));
  }
  const write = method !== 'GET' && !op.endsWith('.wait') && !op.endsWith('testIamPermissions') && op !== 'unknown';
  const path = url.pathname + url.search;
  env.calls.push({
    method,
    path,
    op,
    write,
    startedAt,
    endedAt: now(),
    status,
    ...(errorReason ? { errorReason } : {}),
  });
}

/** Starts the emulator on 127.0.0.1 (port 0 = any free port). */
export async function startGcpEmulator(opts: StartOptions = {}): Promise<GcpEmulator> {
  const state = opts.state ?? new ComputeState();
  if (!opts.state) seedMirrorProject(state);
  const initial = state.snapshot();
  const faults = defaultFaults(opts.latencyMs, opts.operationDelayMs);
  faults.operationDelayByOp = { ...opts.operationDelayByOp };
  const initialFaults = structuredClone(faults);
  const changes = new EventEmitter();
  const env: Env = { state, ops: new OperationStore(state), faults, calls: [], transitions: [], changes };
  const server = http.createServer((req, res) => void serve(env, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    calls: env.calls,
    faults,
    transitions: env.transitions,
    changes,
    reset() {
      env.ops.clear();
      state.restore(initial);
      env.calls.length = 0;
      env.transitions.length = 0;
      Object.assign(faults, structuredClone(initialFaults));
    },
    async close() {
      env.ops.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
