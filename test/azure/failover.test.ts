import { afterEach, describe, expect, it } from 'vitest';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { expectBackAndForth, expectNoWriteOnceRight } from '../support/failover-shapes.ts';

let world: AzureWorld;
afterEach(async () => world?.close());

const okWrites = (calls: { op: string; write: boolean; ok: boolean }[]) =>
  calls.filter((c) => c.write && c.ok).map((c) => c.op);

async function failover(w: AzureWorld) {
  w.members.set('iris-a', 'down');
  w.members.set('iris-b', 'primary');
  return w.post(w.signedRequest('iris-b'));
}

describe('Azure function: a signed became-primary event (ip-config, seed 001)', () => {
  it('moves the ip-configuration with its private and public IP to the new primary, polling each LRO, and says how', async () => {
    world = await startAzureWorld({ operationDelayMs: 20 });
    const { status, result } = await failover(world);
    expect(status).toBe(200);
    expect(result).toMatchObject({ ok: true, outcome: 'moved', from: 'iris-a', to: 'iris-b', mirror: 'IRISMIRROR' });
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(result?.plan?.map((c) => c.slot)).toEqual(['ip-config', 'public-ip']);
    // two NIC PUTs: the old NIC without the ip-configuration, then the new one with it (the public IP rides along)
    expect(okWrites(result?.calls ?? [])).toEqual([
      'network.networkInterfaces.createOrUpdate',
      'network.networkInterfaces.createOrUpdate',
    ]);
    const puts = world.emu.calls.filter((c) => c.op === 'networkInterfaces.put');
    expect(puts.map((c) => c.path.split('/').pop())).toEqual(['iris-a-nic', 'iris-b-nic']);
    expect(puts.every((c) => c.ifMatch?.startsWith('W/"'))).toBe(true);
    // each LRO was InProgress when the PUT returned and was polled to Succeeded, not waited 10 s per Retry-After
    expect(world.emu.calls.filter((c) => c.op === 'operations.get').length).toBeGreaterThanOrEqual(2);
    expect(result?.calls.filter((c) => c.op === 'network.asyncOperations.get').length).toBeGreaterThanOrEqual(2);
    const kinds = world.emu.transitions.map((t) => `${t.kind}:${t.detail.nic}`);
    expect(kinds).toEqual([
      'ip-config-removed:iris-a-nic',
      'public-ip-detached:iris-a-nic',
      'ip-config-added:iris-b-nic',
      'public-ip-attached:iris-b-nic',
    ]);
    expect(result?.writeCalls).toBe(world.writes());
    expect(world.lines.find((l) => l.msg === 'mirror-vip decision')).toMatchObject({
      outcome: 'moved',
      from: 'iris-a',
      to: 'iris-b',
      writeCalls: 2,
    });
  });

  it("keeps everything else on both NICs: the primary ip-configuration and the NIC's other fields", async () => {
    world = await startAzureWorld();
    const before = world.state.nicByName('iris-a-nic')?.extra;
    expect((await failover(world)).result?.outcome).toBe('moved');
    const a = world.state.nicByName('iris-a-nic');
    expect(a?.ipConfigurations.map((c) => c.name)).toEqual(['ipconfig1']);
    expect(a?.extra).toMatchObject({ enableAcceleratedNetworking: true, nicType: 'Standard' });
    expect(a?.extra.dnsSettings).toEqual(before?.dnsSettings);
    expect(world.state.nicByName('iris-b-nic')?.ipConfigurations.map((c) => [c.name, c.primary])).toEqual([
      ['ipconfig1', true],
      ['vip', false],
    ]);
  });

  it('makes no write for the same event twice, a newer event, the timer, or an alert when all is right', async () => {
    world = await startAzureWorld();
    const alert = {
      schemaId: 'azureMonitorCommonAlertSchema',
      data: { essentials: { alertRule: 'mirror-vip:IRISMIRROR:iris-a', monitorCondition: 'Fired' } },
    };
    await expectNoWriteOnceRight(world, [
      { trigger: 'schedule', run: () => world.tick() },
      { trigger: 'alarm', run: async () => (await world.alert(alert)).results },
    ]);
  });

  it('moves back and forth: each move is the mirror image of the last', async () => {
    world = await startAzureWorld();
    await expectBackAndForth(
      world,
      () => [world.ipConfigHolders(), world.publicIpHolders()],
      (m) => [[m], [m]],
    );
  });

  it('a private-only VIP moves with two NIC PUTs and no public IP anywhere', async () => {
    world = await startAzureWorld({ publicIp: false });
    const { result } = await failover(world);
    expect(result?.plan?.map((c) => c.slot)).toEqual(['ip-config']);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], []]);
  });
});

describe('Azure function: route mode (UDR VIP/32 → VirtualAppliance)', () => {
  it('points the route in every table at the new primary, all tables in parallel, one round of writes', async () => {
    world = await startAzureWorld({ mode: 'route', seed: { tables: 3 }, operationDelayMs: 10 });
    // long enough that a serial second PUT could not start before the first was answered, even on a loaded machine
    world.emu.faults.latencyByOp['routes.put'] = 300;
    const { status, result } = await failover(world);
    expect(status).toBe(200);
    expect(result).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b', 'iris-b']);
    const puts = world.emu.calls.filter((c) => c.op === 'routes.put');
    expect(puts).toHaveLength(3);
    // all three PUTs started before the first ended
    expect(Math.max(...puts.map((c) => c.startedAt))).toBeLessThan(Math.min(...puts.map((c) => c.endedAt)));
    expect(puts.every((c) => c.ifMatch?.startsWith('W/"'))).toBe(true);
    expect((await world.post(world.signedRequest('iris-b'))).result).toMatchObject({
      outcome: 'unchanged',
      writeCalls: 0,
    });
  });

  it('creates a missing route, and warns when IP forwarding is off on the target', async () => {
    world = await startAzureWorld({ mode: 'route', seed: { ipForwarding: false } });
    for (const t of world.state.routeTables.values()) t.routes.clear();
    const { result } = await failover(world);
    expect(result?.outcome).toBe('moved');
    expect(result?.warnings.join()).toMatch(/IP forwarding is off on NIC iris-b-nic/);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.emu.calls.filter((c) => c.op === 'routes.put').map((c) => c.status)).toEqual([201, 201]);
  });
});
