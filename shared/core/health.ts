import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { type ProbeKind, type ProbeSpec, probeKindOf, secretsMissing } from './probe-kinds.ts';

/** What a member's health endpoint says about it. */
export const MEMBER_ROLES = ['primary', 'backup', 'down', 'unknown'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface ProbeResult {
  role: MemberRole;
  status?: number;
  ms: number;
  detail?: string;
}

/**
 * Probe one member's page; `spec` says how to read it (absent = IRIS), see shared/core/probe-kinds.ts. `hold`: a
 * member that has not connected when its connect window closes is declared down only once `hold` settles too (the
 * engine holds it open while it reads the cloud, so the verdict is as late as that read; see converge.ts `look`).
 */
export type Probe = (url: string, timeoutMs: number, spec?: ProbeSpec, hold?: Promise<unknown>) => Promise<ProbeResult>;

export { MAX_PROBE_BYTES, roleOf } from './probe-kinds.ts';

/**
 * How a probe connects. A member whose host is gone drops packets: nothing refuses, and waiting for the whole
 * answer timeout would put that timeout on every failover. So the connection gets its own short window, and the
 * answer the full `timeoutMs` once connected (a member that is alive but slow to answer is still heard).
 * Published round trips between zones of one region: AWS "single-digit millisecond" (AWS Regions and Availability
 * Zones), Google Cloud "under 5 ms" (Compute Engine regions and zones), Azure "less than approximately 2 ms"
 * (Azure availability zones overview); 150 ms is 15 times the largest. A lost SYN is sent again by Linux only after
 * 1 s (RFC 6298's initial RTO), so several connections are started `windowMs / attempts` apart, each with its own
 * SYN: one lost packet does not make a live member look down.
 */
export interface ConnectPolicy {
  windowMs: number;
  attempts: number;
  /** Opens one TCP connection (tests count the attempts here). */
  connect: (host: string, port: number) => net.Socket;
}

export const DEFAULT_CONNECT: ConnectPolicy = {
  windowMs: 150,
  attempts: 3,
  connect: (host, port) => net.connect({ host, port }),
};

/** A timer that fires late means this process stalled (a cold start loading a client library), not the member. */
const STALL_MS = 50;

/**
 * One timer with one grace: when it fires more than STALL_MS late, the member is granted the stall once more
 * (bounded: twice the time at most), so a member still gets `ms` of this process's attention.
 */
function graceTimer(ms: number, onExpire: () => void): { clear: () => void } {
  const t0 = performance.now();
  let timer: NodeJS.Timeout;
  let immediate: NodeJS.Immediate | undefined;
  const expire = (graced: boolean) => () => {
    const stall = performance.now() - t0 - ms * (graced ? 2 : 1);
    if (!graced && stall > STALL_MS) timer = setTimeout(expire(true), Math.min(stall, ms));
    // timers run before I/O callbacks: a connection or answer already waiting in this turn still counts
    else immediate = setImmediate(onExpire);
  };
  timer = setTimeout(expire(false), ms);
  return {
    clear: () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}

/**
 * Start `attempts` connections `windowMs / attempts` apart; the first to connect wins and the others are closed.
 * Resolves null when none connected within the window (packets dropped) and `hold` (if any) has settled; rejects
 * on a definite refusal.
 */
export function connectWithin(url: URL, policy: ConnectPolicy, hold?: Promise<unknown>): Promise<net.Socket | null> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve, reject) => {
    const sockets: net.Socket[] = [];
    const stagger: NodeJS.Timeout[] = [];
    let settled = false;
    const settle = (winner: net.Socket | null, error?: Error) => {
      if (settled) return;
      settled = true;
      windowTimer.clear();
      for (const t of stagger) clearTimeout(t);
      for (const s of sockets) if (s !== winner) s.destroy();
      if (error) reject(error);
      else resolve(winner);
    };
    const attempt = () => {
      if (settled) return;
      const s = policy.connect(host, port);
      sockets.push(s);
      s.once('connect', () => settle(s));
      s.once('error', (e: Error) => settle(null, e));
    };
    // a connection made while the window is held open still counts: the member is heard, not declared down
    const expire = () => settle(null);
    const windowTimer = graceTimer(policy.windowMs, () => (hold ? void hold.then(expire, expire) : expire()));
    const gap = policy.windowMs / Math.max(1, policy.attempts);
    for (let i = 1; i < policy.attempts; i++) stagger.push(setTimeout(attempt, i * gap));
    attempt();
  });
}

/**
 * The connection an HTTP(S) request runs on: the raw socket, or TLS over it (certificate checked as usual, against
 * the spec's CA bundle when it names one, with its client certificate when it names one; never logged).
 */
function transport(url: URL, socket: net.Socket, spec?: ProbeSpec): net.Socket {
  if (url.protocol !== 'https:') return socket;
  const s = spec?.secrets ?? {};
  const servername = net.isIP(url.hostname) ? undefined : url.hostname;
  return tls.connect({
    socket,
    ...(servername ? { servername } : {}),
    ...(s.ca && { ca: s.ca }),
    ...(s.cert && { cert: s.cert, key: s.key }),
  });
}

/** The request's headers: identity encoding, one request per connection, and the spec's basic auth if any. */
function requestHeaders(spec?: ProbeSpec): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity', connection: 'close' };
  const auth = spec?.secrets?.authorization;
  if (auth) headers.authorization = auth;
  return headers;
}

/**
 * Probe a member's health page (IRIS's mirror_status unless `spec` names another kind; `probeMember` is this with
 * the default connect policy). The connection has its own window (see ConnectPolicy); once connected, one timer of
 * `timeoutMs` covers the answer (TLS, headers and body); at most the kind's byte cap is read; nothing is decompressed (identity is asked for, and an encoded answer is
 * not primary); redirects are not followed. No connection or no answer in time means down; anything else unclear
 * is unknown.
 */
export function createProbe(policy: ConnectPolicy = DEFAULT_CONNECT): Probe {
  return async (url, timeoutMs, spec, hold) => {
    const t0 = performance.now();
    const ms = () => performance.now() - t0;
    if (secretsMissing(spec)) return { role: 'unknown', detail: 'probe secrets not resolved', ms: ms() };
    let target: URL;
    let socket: net.Socket | null;
    try {
      target = new URL(url);
      socket = await connectWithin(target, policy, hold);
    } catch (e: unknown) {
      const code = (e as { code?: string }).code;
      return { role: 'down', detail: code ?? (e instanceof Error ? e.name : 'error'), ms: ms() };
    }
    if (!socket) return { role: 'down', detail: 'connect timeout', ms: ms() };
    const r = await askOver(target, socket, timeoutMs, spec);
    return { ...r, ms: ms() };
  };
}

/** The answer over a connected socket, within `timeoutMs`; the socket is always closed at the end. */
function askOver(url: URL, socket: net.Socket, timeoutMs: number, spec?: ProbeSpec): Promise<Omit<ProbeResult, 'ms'>> {
  const kind: ProbeKind = probeKindOf(spec);
  return new Promise((resolve) => {
    let done = false;
    let timer: { clear: () => void } | undefined;
    let req: http.ClientRequest | undefined;
    const end = (r: Omit<ProbeResult, 'ms'>) => {
      if (done) return;
      done = true;
      timer?.clear();
      req?.destroy();
      socket.destroy();
      resolve(r);
    };
    const get = url.protocol === 'https:' ? https.get : http.get;
    const headers = requestHeaders(spec);
    try {
      req = get(url, { headers, createConnection: () => transport(url, socket, spec) }, (res) => {
        const status = res.statusCode ?? 0;
        const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding !== 'identity') return end({ role: 'unknown', status, detail: `content-encoding ${encoding}` });
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > kind.maxBytes) return end({ role: 'unknown', status, detail: 'body too long' });
          chunks.push(chunk);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('latin1');
          end({ ...kind.classify(status, body), status });
        });
        res.on('error', () => end({ role: 'down', status, detail: 'connection lost' }));
      });
    } catch (e: unknown) {
      return end({ role: 'down', detail: e instanceof Error ? e.name : 'error' });
    }
    req.on('error', (e: Error & { code?: string }) => end({ role: 'down', detail: e.code ?? e.name }));
    timer = graceTimer(timeoutMs, () => end({ role: 'down', detail: 'TimeoutError' }));
  });
}

/** Probe a member's health page with the default connect policy (see createProbe). */
export const probeMember: Probe = createProbe();
