import { randomUUID } from 'node:crypto';
import { eventBody } from '../../shared/protocol/event.ts';
import { signedHeaders } from '../../shared/protocol/signature.ts';

export type Member = 'iris-a' | 'iris-b';

/** What a test may change in a member's signed request (anything, to forge one). */
export interface SignOverrides {
  body?: string;
  keyId?: string;
  secret?: string;
  ts?: number;
  headers?: Record<string, string>;
}

/** The body and headers a member sends: a fresh became-primary event of IRISMIRROR, signed with its key `<member>-k1`. */
export function signedParts(secrets: Record<Member, string>, member: Member, o: SignOverrides = {}) {
  const body = o.body ?? eventBody({ eventId: randomUUID(), mirror: 'IRISMIRROR', member });
  const signed = signedHeaders(o.secret ?? secrets[member], o.keyId ?? `${member}-k1`, body, o.ts ?? Date.now() / 1000);
  return { body, headers: { 'content-type': 'application/json', ...signed, ...o.headers } };
}
