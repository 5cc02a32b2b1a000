import { randomUUID } from 'node:crypto';
import { serialRounds } from '../../shared/core/calls.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
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

/** What a world offers for one timed failover through its function's HTTP entry. */
export interface FailoverWorld<R> {
  members: { set(member: Member, role: MemberRole): void };
  emu: { calls: Parameters<typeof serialRounds>[0] };
  post(req: never): Promise<{ status: number; result: R }>;
  signedRequest(member: Member): unknown;
}

/**
 * One failover through the function's HTTP entry, as a benchmark measures it: the holder goes down, `to` answers
 * primary and sends its signed event. Returns the wall time, the result and the serial rounds the emulator saw.
 */
export async function runFailover<R = FailoverResult | undefined>(world: FailoverWorld<R>, to: Member = 'iris-b') {
  const from = to === 'iris-a' ? 'iris-b' : 'iris-a';
  world.members.set(from, 'down');
  world.members.set(to, 'primary');
  const first = world.emu.calls.length;
  const t0 = performance.now();
  const { status, result } = await world.post(world.signedRequest(to) as never);
  const ms = performance.now() - t0;
  const calls = world.emu.calls.slice(first);
  return { ms, status, result, emulatorCalls: calls.length, emulatorSerialRounds: serialRounds(calls) };
}
