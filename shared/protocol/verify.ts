import { RequestError, VerificationError } from '../errors.ts';
import { DEFAULT_TOLERANCE_SECONDS, eventSchema, MAX_BODY_BYTES, type MirrorEvent } from './event.ts';
import { HEADERS, signatureMatches } from './signature.ts';

/** A key as the verifier needs it: the secret and the member it speaks for. */
export interface VerificationKey {
  id: string;
  secret: string;
  mirror: string;
  member: string;
}

export interface VerifyInput {
  rawBody: string | Buffer;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
  nowSeconds: number;
  keys: ReadonlyMap<string, VerificationKey>;
  toleranceSeconds?: number;
  maxBytes?: number;
}

export interface VerifiedEvent {
  event: MirrorEvent;
  key: VerificationKey;
  timestamp: number;
}

function header(headers: VerifyInput['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && typeof v === 'string') return v;
  return undefined;
}

function requireHeader(headers: VerifyInput['headers'], name: string): string {
  const v = header(headers, name);
  if (v === undefined || v === '') throw new RequestError('missing_header', `header ${name} is required`);
  return v;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseBody(bytes: Buffer): MirrorEvent {
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new RequestError('malformed_body', 'body is not valid UTF-8 JSON');
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    throw new RequestError('invalid_event', `event field ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Verify a signed "became-primary" request per docs/protocol.md, in the order the contract fixes:
 * size, headers, key, signature (over the raw bytes), time window, body (strict UTF-8, JSON, schema). Mirror, member and replay checks belong to the caller.
 */
export function verifyRequest(input: VerifyInput): VerifiedEvent {
  const max = input.maxBytes ?? MAX_BODY_BYTES;
  const bytes = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  if (bytes.length > max) throw new RequestError('body_too_large', `body is over the ${max}-byte limit`, 413);
  const keyId = requireHeader(input.headers, HEADERS.keyId);
  const ts = requireHeader(input.headers, HEADERS.timestamp);
  const signature = requireHeader(input.headers, HEADERS.signature);
  if (!/^\d{1,12}$/.test(ts))
    throw new RequestError('bad_timestamp', `header ${HEADERS.timestamp} must be unix seconds`);
  const key = input.keys.get(keyId);
  if (!key) throw new VerificationError('unknown_key', 'key id is not configured');
  if (!signatureMatches(key.secret, keyId, ts, bytes, signature)) {
    throw new VerificationError('bad_signature', 'signature does not match');
  }
  const timestamp = Number(ts);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const skew = input.nowSeconds - timestamp;
  if (Math.abs(skew) > tolerance) {
    throw new VerificationError('timestamp_out_of_window', `timestamp is ${skew} s from now, window ±${tolerance} s`);
  }
  return { event: parseBody(bytes), key, timestamp };
}
