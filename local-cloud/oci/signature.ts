import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Why a request's OCI signature does not pass (the emulator answers 401 NotAuthenticated with it). */
export class SignatureError extends Error {
  override name = 'SignatureError';
}

/** Headers OCI requires in the signature: every request, and bodies of PUT/POST/PATCH as well. */
const REQUIRED = ['(request-target)', 'host'];
const BODY_REQUIRED = ['content-length', 'content-type', 'x-content-sha256'];
/** OCI refuses a request whose date is more than 5 minutes off. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

function parseAuthorization(value: string): Record<string, string> {
  if (!value.startsWith('Signature ')) throw new SignatureError('Authorization is not an HTTP signature');
  const params: Record<string, string> = {};
  for (const m of value.slice('Signature '.length).matchAll(/([a-zA-Z]+)="([^"]*)"/g)) {
    params[m[1] as string] = m[2] as string;
  }
  for (const k of ['keyId', 'algorithm', 'headers', 'signature']) {
    if (!params[k]) throw new SignatureError(`signature parameter ${k} is missing`);
  }
  if (params.version !== undefined && params.version !== '1') throw new SignatureError('unsupported signature version');
  if (params.algorithm !== 'rsa-sha256') throw new SignatureError(`algorithm ${params.algorithm} is not rsa-sha256`);
  return params;
}

const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** The draft-cavage signing string: one `name: value` line per signed header, (request-target) as `method path`. */
export function signingString(method: string, path: string, h: IncomingHttpHeaders, names: string[]): string {
  return names
    .map((n) => {
      if (n === '(request-target)') return `(request-target): ${method.toLowerCase()} ${path}`;
      const v = header(h, n);
      if (v === undefined) throw new SignatureError(`signed header ${n} is not in the request`);
      return `${n}: ${v}`;
    })
    .join('\n');
}

export interface VerifiedCaller {
  keyId: string;
}

/**
 * Verify an OCI API request signature (draft-cavage-http-signatures-08, rsa-sha256) against the public keys the
 * emulator knows by keyId (`tenancy/user/fingerprint`): the signed header set, the date window, the body hash.
 */
export function verifyOciSignature(
  req: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer },
  keys: ReadonlyMap<string, KeyObject>,
  nowMs: number,
): VerifiedCaller {
  const auth = header(req.headers, 'authorization');
  if (!auth) throw new SignatureError('the Authorization header is missing');
  const p = parseAuthorization(auth);
  const names = (p.headers as string).toLowerCase().split(/\s+/);
  const dateName = names.includes('x-date') ? 'x-date' : 'date';
  const needed = [...REQUIRED, dateName, ...(['PUT', 'POST', 'PATCH'].includes(req.method) ? BODY_REQUIRED : [])];
  const missing = needed.filter((n) => !names.includes(n));
  if (missing.length) throw new SignatureError(`the signature does not cover ${missing.join(', ')}`);
  const key = keys.get(p.keyId as string);
  if (!key) throw new SignatureError(`unknown keyId ${p.keyId}`);
  const date = Date.parse(header(req.headers, dateName) ?? '');
  if (!Number.isFinite(date) || Math.abs(nowMs - date) > MAX_CLOCK_SKEW_MS) {
    throw new SignatureError(`${dateName} is missing or more than 5 minutes off`);
  }
  if (names.includes('x-content-sha256')) {
    const sha = createHash('sha256').update(req.body).digest('base64');
    if (header(req.headers, 'x-content-sha256') !== sha)
      throw new SignatureError('x-content-sha256 does not match the body');
    if (Number(header(req.headers, 'content-length')) !== req.body.length) {
      throw new SignatureError('content-length does not match the body');
    }
  }
  const data = Buffer.from(signingString(req.method, req.path, req.headers, names));
  const ok = verify('RSA-SHA256', data, key, Buffer.from(p.signature as string, 'base64'));
  if (!ok) throw new SignatureError('the signature does not verify against the key');
  return { keyId: p.keyId as string };
}

/** A PEM public key as the emulator stores it. */
export const publicKeyOf = (pem: string): KeyObject => createPublicKey(pem);
