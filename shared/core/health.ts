import http from 'node:http';
import https from 'node:https';

/** What a member's health endpoint says about it. */
export const MEMBER_ROLES = ['primary', 'backup', 'down', 'unknown'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface ProbeResult {
  role: MemberRole;
  status?: number;
  ms: number;
  detail?: string;
}

export type Probe = (url: string, timeoutMs: number) => Promise<ProbeResult>;

/** Most bytes of a status page that are read: IRIS answers `SUCCESS` or `FAILED`; anything longer is not IRIS. */
export const MAX_PROBE_BYTES = 256;

/** Classify a complete answer: primary only for 200 with exactly SUCCESS, backup only for 503 with exactly FAILED. */
export function roleOf(status: number, body: string): MemberRole {
  const text = body.trimEnd();
  if (status === 200 && text === 'SUCCESS') return 'primary';
  if (status === 503 && text === 'FAILED') return 'backup';
  return 'unknown';
}

/**
 * Probe an IRIS-style mirror_status endpoint. One timer covers the whole probe (connect, headers and body); at most
 * MAX_PROBE_BYTES are read; nothing is decompressed (identity is asked for, and an encoded answer is not primary);
 * redirects are not followed. No answer within the timeout means down; anything else unclear is unknown.
 */
export const probeMember: Probe = (url, timeoutMs) => {
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
    const get = url.startsWith('https:') ? https.get : http.get;
    try {
      req = get(url, { headers: { 'accept-encoding': 'identity', connection: 'close' }, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding !== 'identity') return end({ role: 'unknown', status, detail: `content-encoding ${encoding}` });
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_PROBE_BYTES) return end({ role: 'unknown', status, detail: 'body too long' });
          chunks.push(chunk);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('latin1');
          const role = roleOf(status, body);
          end(role === 'unknown' ? { role, status, detail: body.slice(0, 64) } : { role, status });
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
