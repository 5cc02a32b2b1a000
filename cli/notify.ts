import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { MIN_SECRET_LENGTH } from '../shared/config/secrets.ts';
import { eventBody } from '../shared/protocol/event.ts';
import { signedHeaders } from '../shared/protocol/signature.ts';

/** Exit codes shared with iris/mirror_vip_notify.py. */
export const EXIT = { accepted: 0, rejected: 1, usage: 2, keyFile: 3, gaveUp: 4 } as const;

export const SETTINGS = [
  'URL',
  'MIRROR',
  'MEMBER',
  'KEY_ID',
  'KEY_FILE',
  'DEADLINE_SECONDS',
  'ATTEMPT_TIMEOUT_SECONDS',
  'REASON',
  'AUTH',
] as const;
type Setting = (typeof SETTINGS)[number];
export type NotifySettings = Partial<Record<Setting, string>>;

export class NotifyError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

/** Settings from the KEY=value file, then MIRROR_VIP_* variables, then flags: the same precedence as the Python notifier. */
export function loadNotifySettings(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  flags: NotifySettings,
): Required<Pick<NotifySettings, 'URL' | 'MIRROR' | 'MEMBER' | 'KEY_ID' | 'KEY_FILE'>> & NotifySettings {
  const merged: NotifySettings = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e: unknown) {
      throw new NotifyError(EXIT.usage, `cannot read settings file ${file}: ${(e as Error).message}`);
    }
    for (const [i, line] of text.split('\n').entries()) {
      const l = line.trim();
      if (!l || l.startsWith('#')) continue;
      const m = /^MIRROR_VIP_([A-Z_]+)\s*=\s*(.*)$/.exec(l);
      if (!m || !SETTINGS.includes(m[1] as Setting))
        throw new NotifyError(EXIT.usage, `${file}:${i + 1}: unknown setting`);
      merged[m[1] as Setting] = m[2];
    }
  }
  for (const s of SETTINGS) if (env[`MIRROR_VIP_${s}`]) merged[s] = env[`MIRROR_VIP_${s}`];
  for (const s of SETTINGS) if (flags[s] !== undefined) merged[s] = flags[s];
  for (const s of ['URL', 'MIRROR', 'MEMBER', 'KEY_ID', 'KEY_FILE'] as const) {
    if (!merged[s]) throw new NotifyError(EXIT.usage, `missing setting MIRROR_VIP_${s} (file, environment or flag)`);
  }
  return merged as ReturnType<typeof loadNotifySettings>;
}

/** The secret from a key file that only its owner can read. */
export function readKeyFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e: unknown) {
    throw new NotifyError(EXIT.keyFile, `key file ${path}: ${(e as Error).message}`);
  }
  if (mode & 0o077) {
    throw new NotifyError(
      EXIT.keyFile,
      `key file ${path} has mode ${(mode & 0o777).toString(8)}: others can read it; run chmod 600 ${path}`,
    );
  }
  const secret = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  if (secret.length < MIN_SECRET_LENGTH)
    throw new NotifyError(EXIT.keyFile, `key file ${path} holds fewer than ${MIN_SECRET_LENGTH} characters`);
  return secret;
}

export interface NotifyOutcome {
  ok: boolean;
  exitCode: number;
  status?: number;
  attempts: number;
  elapsedMs: number;
  eventId: string;
  response?: unknown;
  error?: string;
}

const retryable = (status: number) => status === 429 || status >= 500;

/** A Google ID token for the function URL from the VM's metadata server (GCP functions that require an invoker). */
export async function gcpIdToken(url: string, timeoutMs: number): Promise<string> {
  const host = process.env.GCE_METADATA_HOST || 'metadata.google.internal';
  const u = new URL(url);
  const audience = `${u.protocol}//${u.host}${u.pathname}`;
  const query = new URLSearchParams({ audience, format: 'full' });
  const res = await fetch(`http://${host}/computeMetadata/v1/instance/service-accounts/default/identity?${query}`, {
    headers: { 'Metadata-Flavor': 'Google' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const token = (await res.text()).trim();
  if (!res.ok || token.split('.').length !== 3) throw new Error(`metadata server answered HTTP ${res.status}`);
  return token;
}

/** A retry refused as replayed_event whose first delivery was accepted: only the first answer was lost. */
function acceptedEarlier(response: unknown, attempt: number): boolean {
  const r = response as { error?: { code?: string }; original?: { status?: number } } | string;
  if (attempt < 2 || typeof r !== 'object' || r.error?.code !== 'replayed_event') return false;
  const status = r.original?.status ?? 0;
  return status >= 200 && status < 300;
}

/** Sign one event and POST it; the identical request is resent on 429/5xx/network errors until the deadline. */
export async function sendNotify(s: ReturnType<typeof loadNotifySettings>, secret: string): Promise<NotifyOutcome> {
  const deadlineMs = Number(s.DEADLINE_SECONDS ?? 20) * 1000;
  const attemptMs = Number(s.ATTEMPT_TIMEOUT_SECONDS ?? 5) * 1000;
  const eventId = randomUUID();
  const body = eventBody({
    eventId,
    mirror: s.MIRROR,
    member: s.MEMBER,
    host: hostname().slice(0, 253),
    ...(s.REASON ? { reason: s.REASON.slice(0, 256) } : {}),
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...signedHeaders(secret, s.KEY_ID, body, Date.now() / 1000),
  };
  if (s.AUTH === 'gcp-id-token') {
    try {
      headers.authorization = `Bearer ${await gcpIdToken(s.URL, attemptMs)}`;
    } catch (e: unknown) {
      const error = `no ID token from the metadata server: ${(e as Error).message}`;
      return { ok: false, exitCode: EXIT.gaveUp, attempts: 0, elapsedMs: 0, eventId, error };
    }
  } else if (s.AUTH && s.AUTH !== 'none') {
    throw new NotifyError(EXIT.usage, `MIRROR_VIP_AUTH must be none or gcp-id-token (got ${s.AUTH})`);
  }
  const t0 = Date.now();
  let last = '';
  for (let attempt = 1; ; attempt++) {
    const left = deadlineMs - (Date.now() - t0);
    try {
      const res = await fetch(s.URL, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.max(1, Math.min(attemptMs, left))),
      });
      const text = await res.text();
      const response = text.startsWith('{') ? (JSON.parse(text) as { error?: { code?: string } }) : text.slice(0, 200);
      const done = { status: res.status, attempts: attempt, elapsedMs: Date.now() - t0, eventId, response };
      if (res.ok || acceptedEarlier(response, attempt)) return { ok: true, exitCode: EXIT.accepted, ...done };
      if (!retryable(res.status)) {
        const code = typeof response === 'object' ? response.error?.code : undefined;
        return {
          ok: false,
          exitCode: EXIT.rejected,
          ...done,
          error: `rejected with HTTP ${res.status} ${code ?? ''}`.trim(),
        };
      }
      last = `HTTP ${res.status}`;
    } catch (e: unknown) {
      last = e instanceof Error ? `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}` : String(e);
    }
    const pause = Math.random() * 0.5 * 500 * 2 ** Math.min(attempt - 1, 3) + 250 * 2 ** Math.min(attempt - 1, 3);
    if (Date.now() - t0 + pause >= deadlineMs) {
      return {
        ok: false,
        exitCode: EXIT.gaveUp,
        attempts: attempt,
        elapsedMs: Date.now() - t0,
        eventId,
        error: `gave up after ${attempt} attempt(s) in ${deadlineMs / 1000} s; last error: ${last}`,
      };
    }
    await delay(pause);
  }
}
