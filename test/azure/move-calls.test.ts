import { NetworkManagementClient } from '@azure/arm-network';
import { afterEach, describe, expect, it } from 'vitest';
import { MIRROR as SEED } from '../../local-cloud/azure/seed.ts';
import { type AzureWorld, runFailover, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';

// What one move costs on the wire, counted on the emulator through the real SDK: every read and write it makes, and
// the serial rounds (the longest chain of calls one after another) that set its length.

let world: AzureWorld;
afterEach(async () => world?.close());

const between = (ops: string[], from: string, to: string) => ops.slice(ops.indexOf(from), ops.lastIndexOf(to) + 1);

describe('Azure moves: the calls and serial rounds one failover makes', () => {
  it('ip-config: the observation’s NIC reads, two PUTs each polled to Succeeded, the read-back; nothing read between', async () => {
    // 20 ms per call: the reads made side by side overlap on the emulator and count as one round
    world = await startAzureWorld({ latencyMs: 20, operationDelayMs: 60, pollIntervalMs: 20 });
    const r = await runFailover(world);
    expect(r.result?.outcome).toBe('moved');
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    const ops = world.emu.calls.map((c) => c.op);
    const polls = ops.filter((o) => o === 'operations.get').length;
    // no GET of the NIC after its LRO (the SDK's final GET) and none before the public IP's decision
    expect(between(ops, 'networkInterfaces.put', 'operations.get')).not.toContain('networkInterfaces.get');
    expect(ops.filter((o) => o === 'networkInterfaces.get')).toHaveLength(4);
    expect(ops.filter((o) => o === 'networkInterfaces.put')).toHaveLength(2);
    expect(r.emulatorCalls).toBe(4 + 2 + polls);
    // read both | PUT old | its polls | PUT new | its polls | read both back
    expect(r.emulatorSerialRounds).toBe(4 + polls);
  });

  it('route: the observation’s reads, one PUT per table side by side, their polls, the read-back; nothing read between', async () => {
    world = await startAzureWorld({ mode: 'route', latencyMs: 20, operationDelayMs: 60, pollIntervalMs: 20 });
    const r = await runFailover(world);
    expect(r.result?.outcome).toBe('moved');
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    const ops = world.emu.calls.map((c) => c.op);
    const polls = ops.filter((o) => o === 'operations.get').length;
    expect(between(ops, 'routes.put', 'operations.get')).not.toContain('routes.get');
    expect(ops.filter((o) => o === 'routes.get')).toHaveLength(4);
    expect(ops.filter((o) => o === 'routes.put')).toHaveLength(2);
    expect(r.emulatorCalls).toBe(8 + 2 + polls);
    // the two tables' polls run side by side: at most one round per poll of the slower table, at least half
    expect(r.emulatorSerialRounds).toBeGreaterThanOrEqual(3 + polls / 2);
    expect(r.emulatorSerialRounds).toBeLessThanOrEqual(3 + polls);
  });

  it('another writer changes the target NIC between the observation and the add: 412, one re-read, the add retried, the VIP on the target and the other writer’s change kept', async () => {
    world = await startAzureWorld({ latencyMs: 5, operationDelayMs: 200 });
    const token = world.emu.issueToken();
    const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const other = new NetworkManagementClient(credential, SEED.subscriptionId, {
      endpoint: world.emu.url,
      tlsOptions: { ca: world.emu.ca },
      retryOptions: { maxRetries: 0 },
    });
    let wrote: Promise<void> | undefined;
    // the moment the old NIC lost the VIP (the removal's LRO runs 200 ms more), someone edits the target's DNS servers
    world.state.changes.on('change', (t?: { kind: string }) => {
      if (t?.kind !== 'ip-config-removed' || wrote) return;
      wrote = (async () => {
        const nic = await other.networkInterfaces.get(SEED.resourceGroup, SEED.backup.nic);
        nic.dnsSettings = { dnsServers: ['10.0.0.53'] };
        await other.networkInterfaces.createOrUpdate(SEED.resourceGroup, SEED.backup.nic, nic).submitted();
      })();
    });
    const r = await runFailover(world);
    await wrote;
    expect(r.result?.outcome).toBe('moved');
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(world.state.nicByName(SEED.backup.nic)?.extra.dnsSettings).toEqual({ dnsServers: ['10.0.0.53'] });
    const mine = (r.result?.calls ?? []).filter((c) => c.op.startsWith('network.networkInterfaces.'));
    const puts = mine.filter((c) => c.op.endsWith('createOrUpdate'));
    expect(puts.map((c) => c.error ?? 'ok')).toEqual(expect.arrayContaining(['ok', 'PreconditionFailed']));
    expect(puts.filter((c) => c.ok)).toHaveLength(2);
    // the observation's two reads, one re-read of the target after the 412, the read-back's two
    expect(mine.filter((c) => c.op.endsWith('.get'))).toHaveLength(5);
  });
});
