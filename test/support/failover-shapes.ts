import { expect } from 'vitest';
import type { FakeMembers } from '../../local-cloud/members.ts';
import type { Member } from '../../local-cloud/worlds/signed.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

/** What these checks need of a cloud's world: its members, a signed request, its HTTP entry, its write count. */
export interface HttpWorld<R> {
  members: Pick<FakeMembers, 'set'>;
  signedRequest(member: Member): R;
  post(req: R): Promise<{ status: number; result?: FailoverResult }>;
  writes(): number;
}

/** A trigger that reconciles without an event (timer, alert…) and the results it answers. */
export type Reconcile = { trigger: string; run: () => Promise<FailoverResult[]> };

/**
 * iris-b becomes primary and its event moves the VIP; then the same event again (a replay), a newer event and each
 * reconcile find everything right: not one more write.
 */
export async function expectNoWriteOnceRight<R>(world: HttpWorld<R>, reconciles: Reconcile[]): Promise<void> {
  world.members.set('iris-a', 'backup');
  world.members.set('iris-b', 'primary');
  const first = world.signedRequest('iris-b');
  expect((await world.post(first)).result?.outcome).toBe('moved');
  const moved = world.writes();
  expect(await world.post(first)).toMatchObject({
    status: 409,
    result: { error: { code: 'replayed_event' }, writeCalls: 0 },
  });
  expect((await world.post(world.signedRequest('iris-b'))).result).toMatchObject({
    ok: true,
    outcome: 'unchanged',
    writeCalls: 0,
  });
  for (const { trigger, run } of reconciles)
    expect(await run()).toMatchObject([{ outcome: 'unchanged', trigger, to: 'iris-b' }]);
  expect(world.writes()).toBe(moved);
}

/** Three moves, iris-a → iris-b → iris-a → iris-b, each the mirror image of the last; `holders()` equals `at(to)`. */
export async function expectBackAndForth<R>(
  world: HttpWorld<R>,
  holders: () => unknown,
  at: (m: Member) => unknown,
): Promise<void> {
  for (const [up, down] of [
    ['iris-b', 'iris-a'],
    ['iris-a', 'iris-b'],
    ['iris-b', 'iris-a'],
  ] as const) {
    world.members.set(down, 'down');
    world.members.set(up, 'primary');
    expect((await world.post(world.signedRequest(up))).result).toMatchObject({ outcome: 'moved', from: down, to: up });
    expect(holders()).toEqual(at(up));
  }
}
