import { afterEach, describe, expect, it } from 'vitest';
import type { StateTransition } from '../../local-cloud/azure/index.ts';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';

let world: AzureWorld;
afterEach(async () => world?.close());

/** Replay the emulator's transitions: the most ip-configurations holding the VIP at any one time. */
function mostHolders(transitions: StateTransition[], added: string, removed: string, initially: number) {
  let n = initially;
  let most = n;
  for (const t of transitions) {
    if (t.kind === added) n += 1;
    if (t.kind === removed) n -= 1;
    most = Math.max(most, n);
  }
  return most;
}

// The safety issue's race suite lives on another branch; these are the Azure cases of it that this branch can run:
// several function instances (each its own engine, as a scaled-out app), all acting at once.
describe('Azure: several function instances at once', () => {
  it('three instances handling the same failover at once converge on the primary; the VIP is never on two NICs', async () => {
    world = await startAzureWorld({ operationDelayMs: 20 });
    const instances = [world.fns, await world.makeInstance(), await world.makeInstance()];
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const replies = await Promise.all(instances.map((fn) => world.post(world.signedRequest('iris-b'), 'POST', fn)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(replies.map((r) => r.result?.outcome)).toContain('moved');
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(mostHolders(world.emu.transitions, 'ip-config-added', 'ip-config-removed', 1)).toBe(1);
    expect(mostHolders(world.emu.transitions, 'public-ip-attached', 'public-ip-detached', 1)).toBe(1);
    // the successful writes are exactly one remove and one add: the others saw a stale ETag or nothing to do
    expect(world.emu.calls.filter((c) => c.op === 'networkInterfaces.put' && c.status === 200)).toHaveLength(2);
  });

  it('a backup claiming at the same time as the real primary changes nothing; the VIP goes to the primary', async () => {
    world = await startAzureWorld({ operationDelayMs: 20 });
    const other = await world.makeInstance();
    world.members.set('iris-a', 'backup');
    world.members.set('iris-b', 'primary');
    const [fromA, fromB] = await Promise.all([
      world.post(world.signedRequest('iris-a'), 'POST', other),
      world.post(world.signedRequest('iris-b')),
    ]);
    expect(fromA).toMatchObject({ status: 409, result: { error: { code: 'claimant_not_primary' }, writeCalls: 0 } });
    expect(fromB.result?.outcome).toBe('moved');
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('an alert and the timer on two instances during a move converge without splitting the VIP', async () => {
    world = await startAzureWorld({ operationDelayMs: 20 });
    const other = await world.makeInstance();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const alert = {
      schemaId: 'azureMonitorCommonAlertSchema',
      data: { essentials: { alertRule: 'mirror-vip:IRISMIRROR:iris-a', monitorCondition: 'Fired' } },
    };
    await Promise.all([world.alert(alert, other), world.tick()]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(mostHolders(world.emu.transitions, 'ip-config-added', 'ip-config-removed', 1)).toBe(1);
  });
});
