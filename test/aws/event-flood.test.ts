import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';

// A stolen member key: a flood of valid events from a member whose VM is gone must not delay the other member's
// genuine failover by more than one convergence (one probe timeout of the dead member).
let world: AwsWorld;
beforeAll(async () => {
  world = await startAwsWorld();
}, 60_000);
afterAll(async () => world?.close());

type Answer = { statusCode: number; body: string };
const send = (member: 'iris-a' | 'iris-b') =>
  (world.handler as (e: unknown) => Promise<Answer>)(world.signedRequest(member)).then(
    (r) => JSON.parse(r.body) as Record<string, unknown>,
  );

describe('the per-mirror queue under a flood of valid events', () => {
  it('60 events of a gone member, then the genuine one: it waits behind at most one convergence, and moves', async () => {
    // iris-a holds the VIP and its VM is gone: its probes are never answered (the prober's 500 ms timeout ends them)
    world.members.set('iris-b', 'primary');
    world.members.silence('iris-a', true);
    const probesBefore = world.members.probes['iris-a'] ?? 0;
    const flood = Array.from({ length: 60 }, () => send('iris-a'));
    const genuine = await send('iris-b');
    const deadProbesBeforeGenuine = (world.members.probes['iris-a'] ?? 0) - probesBefore;
    expect(genuine).toMatchObject({ ok: true, outcome: 'moved', to: 'iris-b' });
    // the convergence already running (one probe of iris-a) and the shared one that moved (probe, re-probe):
    // 60 queued convergences would have probed iris-a 60 times first
    expect(deadProbesBeforeGenuine).toBeLessThanOrEqual(3);
    const answers = await Promise.all(flood);
    expect(answers.every((a) => a.ok === false && (a.error as { code: string }).code === 'claimant_not_primary')).toBe(
      true,
    );
    // each flood event is answered, yet only two convergences ran: the dead member was probed at most 3 times in all
    expect((world.members.probes['iris-a'] ?? 0) - probesBefore).toBeLessThanOrEqual(3);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    world.members.silence('iris-a', false);
  }, 60_000);
});
