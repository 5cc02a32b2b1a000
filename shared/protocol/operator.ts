import { z } from 'zod';
import { RequestError, VerificationError } from '../errors.ts';
import { DEFAULT_TOLERANCE_SECONDS, MAX_BODY_BYTES } from './event.ts';
import { HEADERS, signatureMatches, signedHeaders } from './signature.ts';
import type { VerificationKey } from './verify.ts';

/** The path of a function URL that takes operator requests (members' events go to any other path). */
export const OPERATOR_PATH = '/operator';
export const OPERATOR_ACTIONS = ['inspect', 'reconcile', 'pause', 'resume', 'check'] as const;
/** `mirror` of an operator request meaning every configured mirror: accepted by the action `check` only. */
export const EVERY_MIRROR = '*';
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, . _ - (1 to 63)');

/** An operator request, protocol v1: signed like an event, but with an operator key and this body. */
export const operatorSchema = z.strictObject({
  version: z.literal(1),
  type: z.literal('operator'),
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{16,128}$/, '16 to 128 of A-Z a-z 0-9 . _ : -'),
  action: z.enum(OPERATOR_ACTIONS),
  mirror: z.union([name, z.literal(EVERY_MIRROR)]),
  reason: z.string().max(256).optional(),
});
export type OperatorRequest = z.infer<typeof operatorSchema>;

/** The body and signed headers of an operator request. */
export function operatorRequest(
  r: Omit<OperatorRequest, 'version' | 'type'>,
  keyId: string,
  secret: string,
  nowSeconds = Date.now() / 1000,
) {
  const body = JSON.stringify({ version: 1, type: 'operator', ...r });
  return { body, headers: { 'content-type': 'application/json', ...signedHeaders(secret, keyId, body, nowSeconds) } };
}

const header = (h: Record<string, string | undefined>, n: string) =>
  Object.entries(h).find(([k, v]) => k.toLowerCase() === n && v !== undefined)?.[1];

/** Verify an operator request: size, headers, operator key (never a member's), signature over raw bytes, window, body. */
export function verifyOperatorRequest(input: {
  rawBody: Buffer | string;
  headers: Record<string, string | undefined>;
  nowSeconds: number;
  operatorKeys: ReadonlyMap<string, VerificationKey>;
  toleranceSeconds?: number;
}): { request: OperatorRequest; keyId: string } {
  const bytes = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  if (bytes.length > MAX_BODY_BYTES)
    throw new RequestError('body_too_large', `body is over the ${MAX_BODY_BYTES}-byte limit`, 413);
  const [keyId, ts, sig] = [HEADERS.keyId, HEADERS.timestamp, HEADERS.signature].map((n) => header(input.headers, n));
  if (!keyId || !ts || !sig)
    throw new RequestError('missing_header', 'operator requests carry the three X-Mirror-Vip headers');
  if (!/^\d{1,12}$/.test(ts))
    throw new RequestError('bad_timestamp', `header ${HEADERS.timestamp} must be unix seconds`);
  const key = input.operatorKeys.get(keyId);
  if (!key) throw new VerificationError('not_an_operator_key', 'key id is not a configured operator key', 403);
  const text = bytes.toString('utf8');
  // The HMAC must cover the bytes as received: only bytes that survive decoding unchanged (valid UTF-8) are signed text.
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new RequestError('malformed_body', 'body is not valid UTF-8');
  if (!signatureMatches(key.secret, keyId, ts, text, sig))
    throw new VerificationError('bad_signature', 'signature does not match');
  const skew = input.nowSeconds - Number(ts);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(skew) > tolerance)
    throw new VerificationError(
      'timestamp_out_of_window',
      `timestamp is ${Math.round(skew)} s from now, window ±${tolerance} s`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RequestError('malformed_body', 'body is not valid JSON');
  }
  const parsed = operatorSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RequestError(
      'invalid_request',
      `operator request field ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { request: parsed.data, keyId };
}
