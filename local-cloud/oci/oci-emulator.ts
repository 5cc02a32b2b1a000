import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitAtLeast } from '../latency.ts';
import type { RestCall } from '../recorded-call.ts';
import { ENDPOINTS, type Endpoint, Page } from './endpoints.ts';
import { invalid, notFound, OciApiError } from './errors.ts';
import { OciState } from './oci-state.ts';
import { seedMirrorTenancy } from './seed.ts';
import { publicKeyOf, SignatureError, verifyOciSignature } from './signature.ts';
import { VaultSecrets } from './vault.ts';

export { serialRounds } from '../../shared/core/calls.ts';

export interface RecordedCall extends RestCall {
  code?: string;
  keyId?: string;
  /** A write sent with an if-match etag. */
  ifMatch?: boolean;
}

interface Countdown {
  remaining: number;
  ops?: string[];
}
export interface OciFaults {
  latencyMs: number;
  latencyByOp: Record<string, number>;
  /** 429 TooManyRequests. */
  throttle: Countdown;
  /** 500 InternalServerError. */
  failures: Countdown;
  /** The next N writes find the resource changed by someone else first (its etag moves on) → 412. */
  staleEtag: Countdown;
}

export interface OciEmulator {
  url: string;
  state: OciState;
  calls: RecordedCall[];
  faults: OciFaults;
  /** Vault secrets by OCID: GetSecretBundle under /20190301, UpdateSecret under /20180608 (a new CURRENT version). */
  secrets: VaultSecrets;
  /** Emits 'change' the moment a write (or a public IP's lifecycle) changes the state. */
  changes: EventEmitter;
  /** Which operations each caller (keyId) may make; everyone everything until a test says otherwise. */
  policy: OciPolicy;
  /** The VCN state, calls and faults as at start (Vault secrets keep their versions). */
  reset(): void;
  close(): Promise<void>;
}

export interface OciEmulatorOptions {
  state?: OciState;
  /** keyId (`tenancy/user/fingerprint`) → PEM public key: the only callers accepted. */
  keys: Record<string, string>;
  latencyMs?: number;
  /** Public IP ASSIGNING → ASSIGNED time. */
  assigningMs?: number;
  /** Secret OCID → the text of its version 1 (CURRENT). */
  secrets?: Record<string, string>;
}

const MAX_BODY = 256 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new OciApiError(413, 'RequestEntityTooLarge', 'The request body is too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const take = (c: Countdown, op: string) => {
  if (c.remaining <= 0 || (c.ops && !c.ops.includes(op))) return false;
  c.remaining -= 1;
  return true;
};

/** The etag of the resource a response carries (private IPs, public IPs and route tables have one). */
function etagFor(state: OciState, json: unknown): string | undefined {
  const id = (json as { id?: string } | undefined)?.id;
  if (!id) return undefined;
  return (state.privateIps.get(id) ?? state.publicIps.get(id) ?? state.routeTables.get(id))?.etag;
}

/** A write that finds its resource changed by a concurrent writer: its etag moves on before the if-match check. */
function bumpEtag(state: OciState, path: string) {
  const id = decodeURIComponent(path.split('/').pop() ?? '');
  const r = state.privateIps.get(id) ?? state.publicIps.get(id) ?? state.routeTables.get(id);
  if (r) r.etag = `${r.etag}-concurrent`;
}

/**
 * Per-principal IAM policy, as OCI answers it: a principal (keyId) with a policy may call only the operations it
 * allows, anything else is 404 NotAuthorizedOrNotFound (OCI does not tell a missing right from a missing resource).
 * A principal with no entry may call everything, as before the emulator modelled policy.
 */
export class OciPolicy {
  private readonly allowed = new Map<string, Set<string>>();
  /** Give `keyId` exactly these operations (e.g. 'GetVnic', 'UpdatePrivateIp'). */
  allow(keyId: string, ops: readonly string[]): void {
    this.allowed.set(keyId, new Set(ops));
  }
  /** Take operations away from `keyId` (from everything the emulator serves when it had no policy). */
  deny(keyId: string, ops: readonly string[]): void {
    const now = this.allowed.get(keyId) ?? new Set(ENDPOINTS.map((e) => e.op));
    for (const op of ops) now.delete(op);
    this.allowed.set(keyId, now);
  }
  permits(keyId: string | undefined, op: string): boolean {
    const set = keyId === undefined ? undefined : this.allowed.get(keyId);
    return set === undefined || set.has(op);
  }
  clear(): void {
    this.allowed.clear();
  }
}

interface Env {
  policy: OciPolicy;
  state: OciState;
  keys: Map<string, KeyObject>;
  faults: OciFaults;
  calls: RecordedCall[];
  secrets: VaultSecrets;
}

async function dispatch(
  env: Env,
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
  ep: Endpoint | undefined,
  keyId: string,
) {
  const { state, faults } = env;
  const op = ep?.op ?? 'unknown';
  const latency = faults.latencyByOp[op] ?? faults.latencyMs;
  await waitAtLeast(latency);
  if (!ep) throw notFound(`${req.method} ${url.pathname}`);
  // authorization before anything about the resource (its existence, its etag): the 404 says nothing of either
  if (!env.policy.permits(keyId, op)) throw notFound(`${op} ${url.pathname}`);
  if (take(faults.throttle, op)) throw new OciApiError(429, 'TooManyRequests', 'User-rate limit exceeded.');
  if (take(faults.failures, op)) throw new OciApiError(500, 'InternalServerError', 'Internal error (injected).');
  if (ep.method === 'PUT' && take(faults.staleEtag, op)) bumpEtag(state, url.pathname);
  let json: Record<string, unknown> = {};
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new OciApiError(400, 'InvalidParameter', 'The request body is not valid JSON');
    }
  }
  const params = (ep.pattern.exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
  const ifMatch = req.headers['if-match'] as string | undefined;
  return ep.handle(state, params, url.searchParams, json, ifMatch);
}

/** The Vault operations: the retrieval API (secrets.vaults.<region>…/20190301) and the management API's UpdateSecret. */
const VAULT_OPS = [
  { method: 'GET', pattern: /^\/20190301\/secretbundles\/([^/]+)$/, op: 'GetSecretBundle' },
  { method: 'PUT', pattern: /^\/20180608\/secrets\/([^/]+)$/, op: 'UpdateSecret' },
] as const;
/** The Vault operation of a request, 'unknown' for another path under those APIs, undefined for the VCN API. */
const vaultOp = (method: string, path: string) =>
  /^\/(20190301|20180608)\//.test(path)
    ? (VAULT_OPS.find((o) => o.method === method && o.pattern.test(path))?.op ?? 'unknown')
    : undefined;

/** A Vault call: only the faults that name its operation (the VCN's latency and countdowns leave it alone). */
async function vault(env: Env, req: http.IncomingMessage, url: URL, body: Buffer, op: string) {
  await waitAtLeast(env.faults.latencyByOp[op] ?? 0);
  const named = (c: Countdown) => c.ops?.includes(op) === true && take(c, op);
  if (named(env.faults.throttle)) throw new OciApiError(429, 'TooManyRequests', 'User-rate limit exceeded.');
  if (named(env.faults.failures)) throw new OciApiError(500, 'InternalServerError', 'Internal error (injected).');
  const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  if (op === 'GetSecretBundle') return { json: env.secrets.bundle(id, url.searchParams), etag: undefined };
  if (op !== 'UpdateSecret') throw notFound(`${req.method} ${url.pathname}`);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('The request body is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalid('UpdateSecretDetails must be a JSON object');
  return env.secrets.update(id, json as Record<string, unknown>, req.headers['if-match'] as string | undefined);
}

async function serve(env: Env, req: http.IncomingMessage, res: http.ServerResponse) {
  const startedAt = performance.now();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const vaultCall = vaultOp(method, url.pathname);
  const ep = ENDPOINTS.find((e) => e.method === method && e.pattern.test(url.pathname));
  const op = vaultCall ?? ep?.op ?? 'unknown';
  let etag: string | undefined;
  let status = 200;
  let payload: unknown;
  let code: string | undefined;
  let keyId: string | undefined;
  try {
    const body = await readBody(req);
    try {
      keyId = verifyOciSignature(
        { method, path: req.url ?? '/', headers: req.headers, body },
        env.keys,
        Date.now(),
      ).keyId;
    } catch (e: unknown) {
      if (e instanceof SignatureError)
        throw new OciApiError(
          401,
          'NotAuthenticated',
          `The required information to complete authentication was not provided or was incorrect: ${e.message}`,
        );
      throw e;
    }
    if (vaultCall) ({ json: payload, etag } = await vault(env, req, url, body, op));
    else payload = await dispatch(env, req, url, body, ep, keyId);
  } catch (e: unknown) {
    const err = e instanceof OciApiError ? e : new OciApiError(500, 'InternalServerError', String(e));
    [status, payload, code] = [err.status, err.toJSON(), err.code];
  }
  if (status === 200 && !vaultCall) etag = etagFor(env.state, payload);
  const page = payload instanceof Page ? payload : undefined;
  res.writeHead(status, {
    'content-type': 'application/json',
    'opc-request-id': randomUUID().replaceAll('-', '').toUpperCase(),
    ...(etag ? { etag } : {}),
    ...(page?.next ? { 'opc-next-page': page.next } : {}),
  });
  res.end(JSON.stringify(page ? page.items : payload));
  // `write` counts VirtualNetwork writes (the VIP's); a Vault UpdateSecret is seen in `secrets.versions()`
  const write = !vaultCall && (ep?.write ?? method !== 'GET');
  env.calls.push({
    method,
    path: url.pathname + url.search,
    op,
    write,
    startedAt,
    endedAt: performance.now(),
    status,
    ...(code ? { code } : {}),
    ...(keyId ? { keyId } : {}),
    ...(write ? { ifMatch: req.headers['if-match'] !== undefined } : {}),
  });
}

const defaultFaults = (latencyMs = 0): OciFaults => ({
  latencyMs,
  latencyByOp: {},
  throttle: { remaining: 0 },
  failures: { remaining: 0 },
  staleEtag: { remaining: 0 },
});

/** Start the OCI VirtualNetwork (and Vault secrets) emulator on 127.0.0.1; every request must be signed. */
export async function startOciEmulator(opts: OciEmulatorOptions): Promise<OciEmulator> {
  const state = opts.state ?? new OciState();
  if (!opts.state) seedMirrorTenancy(state);
  state.timing.assigningMs = opts.assigningMs ?? 0;
  const initial = state.snapshot();
  const faults = defaultFaults(opts.latencyMs);
  const initialFaults = structuredClone(faults);
  const keys = new Map(Object.entries(opts.keys).map(([k, pem]) => [k, publicKeyOf(pem)]));
  const policy = new OciPolicy();
  const env: Env = { policy, state, keys, faults, calls: [], secrets: new VaultSecrets(opts.secrets) };
  const server = http.createServer((req, res) => void serve(env, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    calls: env.calls,
    faults,
    secrets: env.secrets,
    changes: state.changes,
    policy,
    reset() {
      policy.clear();
      state.restore(initial);
      env.calls.length = 0;
      Object.assign(faults, structuredClone(initialFaults));
    },
    async close() {
      state.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
