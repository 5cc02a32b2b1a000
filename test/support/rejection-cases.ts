import { randomUUID } from 'node:crypto';
import type { SignOverrides } from '../../local-cloud/worlds/signed.ts';
import { eventBody } from '../../shared/protocol/event.ts';

/** How a case changes a valid signed request from iris-b; `unsigned` sends the body with no signature headers. */
export interface Tamper extends SignOverrides {
  unsigned?: boolean;
}

/** A valid event body from iris-b of IRISMIRROR, with fields overridden. */
export const eventFrom = (o: Record<string, unknown> = {}) =>
  eventBody({ eventId: randomUUID(), mirror: 'IRISMIRROR', member: 'iris-b', ...o });

/**
 * Requests every function must refuse with this status and error code, making no write call: the same table for
 * every cloud (iris-b answers backup while they run). Cloud-specific cases (the platform's own parsing) stay with
 * each cloud's test.
 */
export function rejectionCases(): [what: string, status: number, code: string, tamper: () => Tamper][] {
  return [
    ['a forged signature', 401, 'bad_signature', () => ({ secret: 'x'.repeat(43) })],
    ['an unknown key id', 401, 'unknown_key', () => ({ keyId: 'iris-z-k9' })],
    ['a timestamp outside the window', 401, 'timestamp_out_of_window', () => ({ ts: Date.now() / 1000 - 301 })],
    ['a timestamp from the future', 401, 'timestamp_out_of_window', () => ({ ts: Date.now() / 1000 + 400 })],
    ['an unknown mirror', 404, 'unknown_mirror', () => ({ body: eventFrom({ mirror: 'OTHER' }) })],
    ['an unknown member', 404, 'unknown_member', () => ({ body: eventFrom({ member: 'iris-c' }) })],
    ["another member's key", 403, 'key_not_for_member', () => ({ body: eventFrom({ member: 'iris-a' }) })],
    ['an oversized body', 413, 'body_too_large', () => ({ body: eventFrom({ reason: 'x'.repeat(5000) }) })],
    ['a body of the wrong shape', 400, 'invalid_event', () => ({ body: '{"version":2}' })],
    ['no signature headers', 400, 'missing_header', () => ({ unsigned: true })],
    ['a claimant that answers backup', 409, 'claimant_not_primary', () => ({})],
  ];
}
