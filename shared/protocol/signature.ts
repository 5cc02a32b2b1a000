import { createHmac, timingSafeEqual } from 'node:crypto';

/** The version tag that starts the signed string and the signature header value. */
export const SIGNATURE_VERSION = 'v1';

/** Header names of protocol v1 (compare case-insensitively). */
export const HEADERS = {
  keyId: 'x-mirror-vip-key-id',
  timestamp: 'x-mirror-vip-timestamp',
  signature: 'x-mirror-vip-signature',
} as const;

/** The exact bytes that are signed: version, key id, timestamp and raw body, joined by newlines. */
export function signingString(keyId: string, timestamp: string, rawBody: string): string {
  return `mirror-vip/${SIGNATURE_VERSION}\n${keyId}\n${timestamp}\n${rawBody}`;
}

/**
 * The signature header value (`v1=<lowercase hex HMAC-SHA256>`) for a request. A Buffer body is MACed as the
 * bytes received, never decoded first: bytes that are not UTF-8 cannot be swapped for others that decode alike.
 */
export function sign(secret: string, keyId: string, timestamp: string, rawBody: string | Buffer): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(signingString(keyId, timestamp, ''), 'utf8'))
    .update(body)
    .digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

const HEADER_SHAPE = /^v1=[0-9a-f]{64}$/;

/** True when the header is well formed and matches; the comparison takes the same time wherever the bytes differ. */
export function signatureMatches(
  secret: string,
  keyId: string,
  timestamp: string,
  rawBody: string | Buffer,
  header: string,
): boolean {
  if (!HEADER_SHAPE.test(header)) return false;
  const expected = Buffer.from(sign(secret, keyId, timestamp, rawBody), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Build the three headers for a body, as a member-side client does. */
export function signedHeaders(secret: string, keyId: string, rawBody: string, nowSeconds: number) {
  const timestamp = String(Math.floor(nowSeconds));
  return {
    [HEADERS.keyId]: keyId,
    [HEADERS.timestamp]: timestamp,
    [HEADERS.signature]: sign(secret, keyId, timestamp, rawBody),
  };
}
