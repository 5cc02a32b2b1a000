import { describe, expect, it } from 'vitest';
import { startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { runFailover as azureFailover, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { runFailover as gcpFailover, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { runFailover as ociFailover, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';

// The drill's cloud network follows each emulator's `changes` hook: a state change that does not emit leaves the
// client's VIP route where it was (the GCP drill waited 40 s for iris-b after the hook was lost in a merge).
describe("every emulator reports its state changes on `changes` (what the drill's network follows)", () => {
  it('AWS: each successful write emits, and the last one leaves the route on iris-b', async () => {
    const world = await startAwsWorld();
    try {
      const seen: string[][] = [];
      world.emu.changes.on('change', () => seen.push(world.routeHolders()));
      world.members.set('iris-a', 'down');
      world.members.set('iris-b', 'primary');
      const res = await world.handler(world.signedRequest('iris-b'));
      expect(JSON.parse(String((res as { body?: string }).body))).toMatchObject({ outcome: 'moved' });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBe(world.emu.calls.filter((c) => c.write && c.status < 400).length);
      expect(seen.at(-1)).toEqual(['iris-b', 'iris-b']);
    } finally {
      await world.close();
    }
  });

  it('GCP: one emit per applied transition, when its operation is DONE (the alias on iris-b by then)', async () => {
    const world = await startGcpWorld({ operationDelayMs: 20 });
    try {
      const seen: string[][] = [];
      world.emu.changes.on('change', () => seen.push(world.aliasHolders()));
      const r = await gcpFailover(world);
      expect(r.result?.outcome).toBe('moved');
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBe(world.emu.transitions.length);
      expect(seen).toContainEqual(['iris-b']);
      expect(seen.at(-1)).toEqual(['iris-b']);
    } finally {
      await world.close();
    }
  });

  it('Azure: each recorded change emits, and each NIC operation emits again when it settles', async () => {
    const world = await startAzureWorld({ operationDelayMs: 20 });
    try {
      const seen: { transition: boolean; b: string | undefined }[] = [];
      world.emu.changes.on('change', (t: unknown) => {
        const nic = world.state.nicByName(world.seed.backup.nic);
        const holds = nic?.ipConfigurations.some((c) => c.privateIPAddress === world.seed.vip);
        seen.push({ transition: t !== undefined, b: holds ? nic?.provisioningState : undefined });
      });
      const r = await azureFailover(world);
      expect(r.result?.outcome).toBe('moved');
      expect(seen.filter((s) => s.transition).length).toBe(world.emu.transitions.length);
      const puts = world.emu.calls.filter((c) => c.op === 'networkInterfaces.put' && c.status === 200).length;
      expect(puts).toBeGreaterThan(0);
      expect(seen.filter((s) => !s.transition).length).toBe(puts);
      // iris-b's NIC first holds the VIP while Updating, then its operation settles and says so
      expect(seen.map((s) => s.b)).toContain('Updating');
      expect(seen.at(-1)?.b).toBe('Succeeded');
    } finally {
      await world.close();
    }
  });

  it('OCI: every transition emits, the private IP move and the public IP reaching ASSIGNED', async () => {
    const world = await startOciWorld({ assigningMs: 20 });
    try {
      const seen: ReturnType<typeof world.bindings>[] = [];
      world.emu.changes.on('change', () => seen.push(world.bindings()));
      const r = await ociFailover(world);
      expect(r.result?.outcome).toBe('moved');
      expect(seen.length).toBe(world.state.transitions.length);
      expect(seen.map((s) => s.privateIp)).toContain('iris-b');
      expect(seen.at(-1)?.publicIp).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
    } finally {
      await world.close();
    }
  });
});
