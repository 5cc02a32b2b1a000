import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { eventBody } from '../shared/protocol/event.ts';
import { signedHeaders } from '../shared/protocol/signature.ts';
import { isDone } from './answer.ts';
import { imdsCredentials, regionOf, sigv4Headers } from './aws-sigv4.ts';
import { type CheckedSettings, EXIT } from './notify-settings.ts';
import { redactText, redactUrl } from './redact.ts';

export {
  checkNotifySettings,
  EXIT,
  loadNotifySettings,
  NotifyError,
  type NotifySettings,
  readKeyFile,
  SETTINGS,
} from './notify-settings.ts';

export interface NotifyOutcome {
  ok: boolean;
  exitCode: number;
  status?: number | null;
  attempts: number;
  elapsedMs: number;
  eventId: string;
  response?: unknown;
  error?: { code: string; message: string };
  message: string;
}

const MAX_RESPONSE_BYTES = 65536;
const retryable = (status: number) => status === 429 || status >= 500;
const oneLine = (s: unknown) =>
  String(s ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
/** The URL without credentials or query (an Azure function key travels in ?code=). */
const redact = redactUrl;

/** A Google ID token for the function URL from the VM's metadata server (GCP functions that require an invoker). */
export async function gcpIdToken(url: string, timeoutMs: number): Promise<string> {
  const host = process.env.GCE_METADATA_HOST || 'metadata.google.internal';
  const query = new URLSearchParams({ audience: redact(url), format: 'full' });
  const res = await fetch(`http://${host}/computeMetadata/v1/instance/service-accounts/default/identity?${query}`, {
    headers: { 'Metadata-Flavor': 'Google' },
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const token = (await res.text()).slice(0, 8192).trim();
  if (!res.ok || token.split('.').length !== 3) throw new Error(`metadata server answered HTTP ${res.status}`);
  return token;
}

/** At most MAX_RESPONSE_BYTES of the body: a huge or endless answer cannot fill memory. */
async function boundedText(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(c));
    size += c.length;
    if (size >= MAX_RESPONSE_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The exact request (sent again unchanged on retry): body, and headers signed with the key (and SigV4). */
export async function buildRequest(s: CheckedSettings, secret: string, env = process.env) {
  const eventId = randomUUID();
  const body = eventBody({
    eventId,
    mirror: s.mirror,
    member: s.member,
    host: hostname().slice(0, 253),
    ...(s.reason ? { reason: s.reason } : {}),
  });
  let headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'mirror-vip-notify/1',
    ...signedHeaders(secret, s.keyId, body, Date.now() / 1000),
  };
  if (s.auth === 'gcp-id-token') headers.authorization = `Bearer ${await gcpIdToken(s.url, s.attemptMs)}`;
  if (s.auth === 'aws-sigv4') {
    const creds = await imdsCredentials(env, Math.min(s.attemptMs, 5000));
    headers = await sigv4Headers(s.url, headers, body, creds, regionOf(s.url, env));
  }
  return { eventId, body, headers };
}

type Answer = { status: number; text: string } | { status: null; error: string };

async function attempt(
  url: string,
  req: { body: string; headers: Record<string, string> },
  ms: number,
): Promise<Answer> {
  try {
    const signal = AbortSignal.timeout(Math.max(1, ms));
    const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal });
    return { status: res.status, text: await boundedText(res) };
  } catch (e: unknown) {
    const err = e as Error & { cause?: Error };
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
      return { status: null, error: `timed out after ${ms / 1000} s` };
    return { status: null, error: redactText(oneLine(err.cause?.message ?? err.message)) };
  }
}

/** Sign one event and POST it; the identical request is resent on 429/5xx/network errors until the deadline. */
export async function sendNotify(s: CheckedSettings, secret: string, env = process.env): Promise<NotifyOutcome> {
  const t0 = Date.now();
  let req: Awaited<ReturnType<typeof buildRequest>>;
  try {
    req = await buildRequest(s, secret, env);
  } catch (e: unknown) {
    const message = `gave up: no credentials for ${s.auth}: ${oneLine((e as Error).message)}`;
    return {
      ok: false,
      exitCode: EXIT.gaveUp,
      attempts: 0,
      elapsedMs: 0,
      eventId: '',
      error: { code: 'auth', message },
      message,
    };
  }
  const where = redact(s.url);
  let last = 'no attempt fitted in the deadline';
  for (let n = 1; ; n++) {
    const left = s.deadlineMs - (Date.now() - t0);
    if (left <= 50) break; // a sliver of deadline would only "time out"
    const a = await attempt(s.url, req, Math.min(s.attemptMs, left));
    if (a.status !== null && !retryable(a.status)) return answered(where, req.eventId, a, n, Date.now() - t0);
    last = a.status === null ? a.error : `HTTP ${a.status}`;
    const pause = Math.min(4000, 500 * 2 ** (n - 1)) * (0.5 + Math.random() * 0.5);
    if (Date.now() - t0 + pause >= s.deadlineMs) {
      return gaveUp(where, req.eventId, last, n, Date.now() - t0, s.deadlineMs);
    }
    await delay(pause);
  }
  return gaveUp(where, req.eventId, last, 0, Date.now() - t0, s.deadlineMs);
}

function gaveUp(where: string, eventId: string, last: string, attempts: number, elapsedMs: number, deadlineMs: number) {
  const message = `gave up: ${where} unreachable or failing after ${attempts} attempt(s) in ${elapsedMs} ms (deadline ${deadlineMs / 1000} s), last error: ${last}`;
  return {
    ok: false,
    exitCode: EXIT.gaveUp,
    status: null,
    attempts,
    elapsedMs,
    eventId,
    error: { code: 'gave_up', message },
    message,
  };
}

/** The outcome of a definitive answer: accepted (2xx, or a replay refusal whose first delivery was accepted) or rejected. */
function answered(
  where: string,
  eventId: string,
  a: { status: number; text: string },
  attempts: number,
  elapsedMs: number,
): NotifyOutcome {
  const body = parsed(a.text);
  const base = { status: a.status, attempts, elapsedMs, eventId, response: body ?? a.text.slice(0, 200) };
  // a 2xx counts only as the function's answer to this event: a 200 page of a proxy or {"ok":false} is not
  const ours = body?.eventId === undefined || body.eventId === eventId;
  if (a.status >= 200 && a.status < 300 && !(isDone(body, { outcome: true }) && ours)) {
    const e = { code: 'unexpected_answer', message: redactText(oneLine(a.text.slice(0, 200))) };
    const message = `rejected: HTTP ${a.status} from ${where} is not a mirror-vip answer that accepts event ${eventId} (${e.message}); not retried`;
    return { ok: false, exitCode: EXIT.rejected, ...base, error: e, message };
  }
  if (a.status >= 200 && a.status < 300) {
    const outcome = body?.outcome ? `, outcome ${oneLine(body.outcome)}` : '';
    const message = `accepted: HTTP ${a.status} from ${where} after ${attempts} attempt(s) in ${elapsedMs} ms, event ${eventId}${outcome}`;
    return { ok: true, exitCode: EXIT.accepted, ...base, message };
  }
  const error = body?.error as { code?: string; message?: string } | undefined;
  const original = body?.original as { status?: number; outcome?: string } | undefined;
  if (
    attempts > 1 &&
    error?.code === 'replayed_event' &&
    (original?.status ?? 0) >= 200 &&
    (original?.status ?? 0) < 300
  ) {
    const message = `accepted on an earlier attempt (its answer was lost): outcome ${original?.outcome}, event ${eventId}`;
    return { ok: true, exitCode: EXIT.accepted, ...base, message };
  }
  const e = error?.code
    ? { code: oneLine(error.code), message: oneLine(error.message) }
    : { code: a.status < 400 ? 'redirect' : `http_${a.status}`, message: redactText(oneLine(a.text.slice(0, 200))) };
  const message = `rejected: HTTP ${a.status} ${e.code} (${e.message}) from ${where}, event ${eventId}; not retried`;
  return { ok: false, exitCode: EXIT.rejected, ...base, error: e, message };
}
