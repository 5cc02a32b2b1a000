import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { waitAtLeast } from '../latency.ts';
import { arrivedCall, type RestCall } from '../recorded-call.ts';
import {
  type ArmAnswer,
  type ArmRequest,
  handleNic,
  handlePermissions,
  handleRead,
  handleRoute,
} from './arm-handlers.ts';
import { handleList, type ListKind } from './arm-lists.ts';
import { ArmError, type ArmState, type StateTransition } from './arm-state.ts';
import { type FaultPlan, freshFaults, ROUTES, readBody, type StartOptions, take } from './arm-wire.ts';
import { selfSignedCert } from './cert.ts';
import { IdentityEndpoint, VAULT_AUDIENCE } from './identity.ts';
import { OperationStore } from './operations.ts';
import { actionOf } from './rbac.ts';

/** How many calls ran one after another: the project's one definition, from the core's call log. */
export { serialRounds } from '../../shared/core/calls.ts';
export type { FaultPlan, StartOptions } from './arm-wire.ts';

export interface RecordedCall extends RestCall {
  errorCode?: string;
  ifMatch?: string;
}

export interface AzureEmulator {
  url: string;
  port: number;
  state: ArmState;
  /** The PEM certificate to trust (tlsOptions.ca / NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE). */
  ca: string;
  caFile: string;
  calls: RecordedCall[];
  faults: FaultPlan;
  transitions: StateTransition[];
  /** Emits 'change' the moment a write changes the state or an operation settles. */
  changes: EventEmitter;
  /** Epoch milliseconds at which the recorded calls' `startedAt` / `endedAt` count from. */
  callsEpochMs: number;
  /** A bearer token the emulator accepts (as if issued by Entra ID); the managed identity endpoint issues others. */
  issueToken(): string;
  /** The App Service managed identity endpoint and its header secret (IDENTITY_ENDPOINT, IDENTITY_HEADER). */
  identity: { endpoint: string; header: string; principalId: string };
  /** The token issuer, for other emulated services that accept its tokens (Key Vault). */
  issuer: IdentityEndpoint;
  /** How many tokens the managed identity endpoint has issued. */
  readonly identityTokens: number;
  close(): Promise<void>;
  reset(): void;
}

/**
 * An Azure Resource Manager (Microsoft.Network) emulator over HTTPS: NICs and their ip-configurations, route tables,
 * public IPs; ETags with If-Match/If-None-Match (412), Azure-AsyncOperation LROs with Retry-After, bearer tokens,
 * throttling (429 + Retry-After), AnotherOperationInProgress, failed operations, latency, and every call recorded.
 */
export async function startAzureEmulator(o: StartOptions): Promise<AzureEmulator> {
  const { key: tlsKey, cert, certFile } = selfSignedCert();
  const state = o.state;
  const ops = new OperationStore(() => state.changes.emit('change'));
  const calls: RecordedCall[] = [];
  const ids = new IdentityEndpoint(state);
  const emu = { faults: freshFaults(o) } as { faults: FaultPlan };
  let base = '';
  const t0 = performance.now();

  const answer =
    (res: ServerResponse) =>
    (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-ms-request-id': randomUUID(),
        ...headers,
      });
      res.end(JSON.stringify(body));
    };

  const route = async (
    req: IncomingMessage,
    url: URL,
    rec: RecordedCall,
  ): Promise<[ArmAnswer, Record<string, string>]> => {
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '').toLowerCase();
    const match = ROUTES.map(([re, kind]) => [re.exec(path), kind] as const).find(([m]) => m);
    if (!match?.[0])
      throw new ArmError(404, 'InvalidResourceType', `The resource type could not be found for ${url.pathname}.`);
    const [m, kind] = match;
    const write = req.method !== 'GET';
    rec.op = kind.endsWith('List') ? `${kind.slice(0, -4)}.list` : `${kind}.${write ? 'put' : 'get'}`;
    rec.write = write;
    const auth = req.headers.authorization ?? '';
    const claims = ids.claims(auth);
    if (!claims)
      throw new ArmError(
        401,
        auth ? 'InvalidAuthenticationToken' : 'AuthenticationFailed',
        auth ? 'The access token is invalid.' : 'Authentication failed. The Authorization header is missing.',
      );
    if (claims.aud.replace(/\/$/, '') === VAULT_AUDIENCE)
      throw new ArmError(401, 'InvalidAuthenticationTokenAudience', 'The access token has an invalid audience.');
    if (!url.searchParams.get('api-version'))
      throw new ArmError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    // any caller may list its own permissions; every other call needs its action at the resource's scope
    if (kind === 'permissions') {
      if (write) throw new ArmError(405, 'MethodNotAllowed', 'permissions are read-only');
      return [handlePermissions(state, m[1] ?? '', claims.oid), {}];
    }
    if (kind !== 'operations') state.rbac.require(claims.oid, path, actionOf(kind, write));
    const latency = emu.faults.latencyByOp[rec.op] ?? emu.faults.latencyMs;
    // with no latency the answer still waits one timer turn, as this emulator always has (its tests are tuned to it)
    await (latency > 0 ? waitAtLeast(latency) : delay(0));
    if (take(emu.faults.throttle, rec.op)) {
      const after = String(emu.faults.throttle.retryAfterSeconds ?? 1);
      throw new ArmError(429, 'TooManyRequests', 'The request is being throttled.', { 'retry-after': after });
    }
    if (take(emu.faults.unavailable, rec.op))
      throw new ArmError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
    if (write && take(emu.faults.busy, rec.op))
      throw new ArmError(
        409,
        'AnotherOperationInProgress',
        'Another operation on this or a dependent resource is in progress.',
      );
    ops.tick();
    if (kind === 'operations') {
      const s = ops.status(m[3] ?? '');
      if (!s) throw new ArmError(404, 'NotFound', `Operation ${m[3]} was not found.`);
      return [
        { status: 200, body: s },
        s.status === 'InProgress' ? { 'retry-after': String(emu.faults.lroRetryAfterSeconds) } : {},
      ];
    }
    const text = write ? await readBody(req) : '';
    let body: Record<string, unknown> | undefined;
    if (write) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ArmError(
          400,
          'InvalidRequestContent',
          'The request content was invalid and could not be deserialized.',
        );
      }
    }
    const ifMatch = req.headers['if-match'] as string | undefined;
    rec.ifMatch = ifMatch;
    const r: ArmRequest = {
      method: req.method ?? 'GET',
      id: path,
      params: [...m].slice(1),
      body,
      ifMatch,
      ifNoneMatch: req.headers['if-none-match'] as string | undefined,
      principal: claims.oid,
    };
    const f = emu.faults;
    if (kind.endsWith('List')) {
      if (write) throw new ArmError(405, 'MethodNotAllowed', `${req.method} on a list is not allowed`);
      return [handleList(state, kind as ListKind, m[1] ?? '', url), {}];
    }
    const out =
      kind === 'networkInterfaces'
        ? handleNic(state, ops, f, r)
        : kind === 'routes'
          ? handleRoute(state, ops, f, r)
          : handleRead(state, kind as 'routeTables' | 'subnets' | 'publicIPAddresses', r);
    if (!out.operationId) return [out, {}];
    const location = (m[1] && state.nics.get(path)?.location) || 'eastus2';
    const opUrl = `${base}/subscriptions/${m[1]}/providers/Microsoft.Network/locations/${location}/operations/${out.operationId}?api-version=${url.searchParams.get('api-version')}`;
    return [out, { 'azure-asyncoperation': opUrl, 'retry-after': String(emu.faults.lroRetryAfterSeconds) }];
  };

  const server = https.createServer({ key: tlsKey, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/msi/token')
      return void ids.token(req, url, answer(res)).catch(() => answer(res)(400, { error: 'bad request' }));
    if (url.pathname === '/subscriptions') return ids.subscriptions(req, answer(res));
    const rec: RecordedCall = arrivedCall(req.method, url.pathname, t0);
    calls.push(rec);
    route(req, url, rec).then(
      ([out, headers]) => {
        rec.status = out.status;
        rec.endedAt = performance.now() - t0;
        answer(res)(out.status, out.body, headers);
      },
      (e: unknown) => {
        const err = e instanceof ArmError ? e : new ArmError(500, 'InternalServerError', String(e));
        Object.assign(rec, { status: err.status, errorCode: err.code, endedAt: performance.now() - t0 });
        answer(res)(err.status, { error: { code: err.code, message: err.message } }, err.headers);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    state,
    ca: cert,
    caFile: certFile,
    calls,
    get faults() {
      return emu.faults;
    },
    set faults(f: FaultPlan) {
      emu.faults = f;
    },
    transitions: state.transitions,
    changes: state.changes,
    callsEpochMs: performance.timeOrigin + t0,
    issueToken: () => ids.mint('test').token,
    identity: { endpoint: `${base}/msi/token`, header: ids.header, principalId: ids.principalId },
    issuer: ids,
    get identityTokens() {
      return ids.issued;
    },
    close: () =>
      new Promise<void>((r) => {
        ops.stop();
        server.closeAllConnections();
        server.close(() => r());
      }),
    reset: () => {
      calls.length = 0;
      state.transitions.length = 0;
      emu.faults = freshFaults(o);
    },
  };
}
