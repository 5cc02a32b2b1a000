import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';

// Issue #18.4 as seen on Azure: 60 valid events from a member whose VM is gone pushed the genuine failover from 1.8 s
// to 27.9 s, one probe timeout per queued event. The genuine event waits behind at most one convergence.
let world: AzureWorld;
beforeAll(async () => {
  world = await startAzureWorld({ operationDelayMs: 20 });
}, 60_000);
afterAll(async () => world?.close());

describe('Azure: the per-mirror queue under a flood of valid events', () => {
  it('60 events of a gone member, then the genuine one: it waits behind at most one convergence, and moves', async () => {
    // iris-a holds the VIP and its VM is gone: its probes are never answered (the prober's timeout ends them)
    world.members.set('iris-b', 'primary');
    world.members.silence('iris-a', true);
    const probesBefore = world.members.probes['iris-a'] ?? 0;
    const flood = Array.from({ length: 60 }, () => world.post(world.signedRequest('iris-a')));
    const genuine = await world.post(world.signedRequest('iris-b'));
    const deadProbesBeforeGenuine = (world.members.probes['iris-a'] ?? 0) - probesBefore;
    expect(genuine.status).toBe(200);
    expect(genuine.result).toMatchObject({ ok: true, outcome: 'moved', to: 'iris-b' });
    // the convergence already running and the shared one that moved: 60 queued convergences would have probed
    // iris-a 60 times before the genuine event's turn
    expect(deadProbesBeforeGenuine).toBeLessThanOrEqual(3);
    const answers = await Promise.all(flood);
    const codes = answers.map((a) => (a.result as { error?: { code?: string } } | undefined)?.error?.code);
    expect(new Set(codes)).toEqual(new Set(['claimant_not_primary']));
    expect((world.members.probes['iris-a'] ?? 0) - probesBefore).toBeLessThanOrEqual(3);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    world.members.silence('iris-a', false);
  }, 60_000);
});
