import http from 'node:http';
import https from 'node:https';
import { type ProbeSpec, probeKindOf, secretsMissing } from './probe-kinds.ts';

/** What a member's health endpoint says about it. */
export const MEMBER_ROLES = ['primary', 'backup', 'down', 'unknown'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface ProbeResult {
  role: MemberRole;
  status?: number;
  ms: number;
  detail?: string;
}

/** Probe one member's page; `spec` says how to read it (absent = IRIS), see shared/core/probe-kinds.ts. */
export type Probe = (url: string, timeoutMs: number, spec?: ProbeSpec) => Promise<ProbeResult>;

export { MAX_PROBE_BYTES, roleOf } from './probe-kinds.ts';

/** TLS and auth of the request, from the spec's resolved secrets (never logged). */
function requestOptions(spec?: ProbeSpec): https.RequestOptions {
  const s = spec?.secrets ?? {};
  const headers: Record<string, string> = { 'accept-encoding': 'identity', connection: 'close' };
  if (s.authorization) headers.authorization = s.authorization;
  return { headers, agent: false, ...(s.ca && { ca: s.ca }), ...(s.cert && { cert: s.cert, key: s.key }) };
}

/**
 * Probe a member's health page (IRIS's mirror_status unless `spec` names another kind). One timer covers the whole
 * probe (connect, headers and body); at most the kind's byte cap is read; nothing is decompressed (identity is asked
 * for, and an encoded answer is not primary); redirects are not followed. No answer within the timeout means down;
 * anything else unclear is unknown.
 */
export const probeMember: Probe = (url, timeoutMs, spec) => {
  const kind = probeKindOf(spec);
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  return new Promise<ProbeResult>((resolve) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;
    const end = (r: Omit<ProbeResult, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req?.destroy();
      resolve({ ...r, ms: ms() });
    };
    if (secretsMissing(spec)) return end({ role: 'unknown', detail: 'probe secrets not resolved' });
    const get = url.startsWith('https:') ? https.get : http.get;
    try {
      req = get(url, requestOptions(spec), (res) => {
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
    // A timer that fires late means this process stalled (a cold start loading a client library), not the member:
    // grant the stall once more, so the member still gets its timeout of our attention (bounded: twice at most).
    const expire = (graced: boolean) => () => {
      const stall = ms() - timeoutMs * (graced ? 2 : 1);
      if (!graced && stall > 50) timer = setTimeout(expire(true), Math.min(stall, timeoutMs));
      else end({ role: 'down', detail: 'TimeoutError' });
    };
    timer = setTimeout(expire(false), timeoutMs);
  });
};
