import { afterEach, describe, expect, it } from 'vitest';
import type { StateTransition } from '../../local-cloud/gcp/index.ts';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { expectBackAndForth, expectNoWriteOnceRight } from '../support/failover-shapes.ts';

let world: GcpWorld;
afterEach(async () => world?.close());

/** Replay the emulator's transitions: how many NICs held the range or the address at each point. */
function mostHoldersAtOnce(transitions: StateTransition[], added: string, removed: string, initially: number) {
  let holders = initially;
  let most = holders;
  for (const t of transitions) {
    if (t.kind === added) holders += 1;
    if (t.kind === removed) holders -= 1;
    most = Math.max(most, holders);
  }
  return most;
}

const okWrites = (calls: { op: string; write: boolean; ok: boolean }[]) =>
  calls
    .filter((c) => c.write && c.ok)
    .map((c) => c.op)
    .sort();

describe('GCP function: a signed became-primary event (alias-ip)', () => {
  it('moves the alias range and the access config to the new primary, waiting on every operation, and says how', async () => {
    world = await startGcpWorld({ operationDelayMs: 20 });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const { status, result } = await world.post(world.signedRequest('iris-b'));
    expect(status).toBe(200);
    expect(result).toMatchObject({ ok: true, outcome: 'moved', from: 'iris-a', to: 'iris-b', mirror: 'IRISMIRROR' });
    expect(world.aliasHolders()).toEqual(['iris-b']);
    expect(world.accessConfigHolders()).toEqual(['iris-b']);
    expect(result?.plan?.map((c) => c.slot)).toEqual(['alias', 'access-config']);
    expect(okWrites(result?.calls ?? [])).toEqual([
      'compute.instances.addAccessConfig',
      'compute.instances.deleteAccessConfig',
      'compute.instances.updateNetworkInterface',
      'compute.instances.updateNetworkInterface',
    ]);
    // every write's operation was still RUNNING when it returned, and was waited on until DONE
    expect(world.emu.calls.filter((c) => c.op === 'zoneOperations.wait')).toHaveLength(4);
    expect(result?.calls.filter((c) => c.op === 'compute.zoneOperations.wait')).toHaveLength(4);
    expect(result?.writeCalls).toBe(world.writes());
    const kinds = world.emu.transitions.map((t) => `${t.kind}:${t.detail.instance}`);
    expect(kinds.indexOf('alias-removed:iris-a')).toBeLessThan(kinds.indexOf('alias-added:iris-b'));
    expect(kinds.indexOf('access-config-removed:iris-a')).toBeLessThan(kinds.indexOf('access-config-added:iris-b'));
    expect(mostHoldersAtOnce(world.emu.transitions, 'alias-added', 'alias-removed', 1)).toBe(1);
    expect(mostHoldersAtOnce(world.emu.transitions, 'access-config-added', 'access-config-removed', 1)).toBe(1);
    const line = world.lines.find((l) => l.msg === 'mirror-vip decision');
    expect(line).toMatchObject({
      outcome: 'moved',
      from: 'iris-a',
      to: 'iris-b',
      writeCalls: 4,
      eventId: result?.eventId,
    });
  });

  it('removes the last alias of the old primary through the client library (aliasIpRanges: [] reaches the API)', async () => {
    world = await startGcpWorld({ accessConfig: false });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    expect((await world.post(world.signedRequest('iris-b'))).result?.outcome).toBe('moved');
    const nicA = world.state.instance(world.seed.primary.zone, 'iris-a')?.networkInterfaces[0];
    expect(nicA?.aliasIpRanges).toEqual([]);
    expect(world.emu.transitions.map((t) => t.kind)).toEqual(['alias-removed', 'alias-added']);
  });

  it("keeps the old primary's other alias ranges", async () => {
    world = await startGcpWorld({ accessConfig: false });
    world.state
      .instance(world.seed.primary.zone, 'iris-a')
      ?.networkInterfaces[0]?.aliasIpRanges.push({ ipCidrRange: '10.0.0.240/32' });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    expect((await world.post(world.signedRequest('iris-b'))).result?.outcome).toBe('moved');
    const ranges = world.state.instance(world.seed.primary.zone, 'iris-a')?.networkInterfaces[0]?.aliasIpRanges;
    expect(ranges).toEqual([{ ipCidrRange: '10.0.0.240/32' }]);
  });

  it('reads the Secret Manager key once, at cold start', async () => {
    world = await startGcpWorld();
    expect(world.secretManager.reads).toEqual([world.config.mirrors[0]?.keys[1]?.secret.replace('gcp-sm:', '')]);
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    await world.post(world.signedRequest('iris-b'));
    await world.post(world.signedRequest('iris-b'));
    expect(world.secretManager.reads).toHaveLength(1);
  });

  it('makes no write call for the same event twice, a newer event, or a scheduled reconcile when all is right', async () => {
    world = await startGcpWorld();
    await expectNoWriteOnceRight(world, [
      { trigger: 'schedule', run: async () => (await world.publish({ kind: 'mirror-vip.reconcile' })).results },
    ]);
  });

  it('moves back and forth: each move is the mirror image of the last', async () => {
    world = await startGcpWorld();
    await expectBackAndForth(
      world,
      () => [world.aliasHolders(), world.accessConfigHolders()],
      (m) => [[m], [m]],
    );
  });
});
