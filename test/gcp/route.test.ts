import { afterEach, describe, expect, it } from 'vitest';
import type { StateTransition } from '../../local-cloud/gcp/index.ts';
import { type GcpWorld, type Member, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { routeName } from '../../shared/providers/gcp/route-moves.ts';

let world: GcpWorld;
afterEach(async () => world?.close());

/** The fewest routes to the VIP at any point of the emulator's history, starting from `initially`. */
function fewestRoutes(transitions: StateTransition[], vip: string, initially: number): number {
  let n = initially;
  let fewest = n;
  for (const t of transitions.filter((x) => x.detail.destRange === vip)) {
    n += t.kind === 'route-added' ? 1 : t.kind === 'route-removed' ? -1 : 0;
    fewest = Math.min(fewest, n);
  }
  return fewest;
}

async function moveTo(w: GcpWorld, up: Member) {
  w.members.set(up === 'iris-a' ? 'iris-b' : 'iris-a', 'down');
  w.members.set(up, 'primary');
  return w.post(w.signedRequest(up));
}

describe('GCP function: route mode (make before break)', () => {
  it('inserts the new route, waits for it, then deletes the old: never a moment without a route', async () => {
    world = await startGcpWorld({ mode: 'route', operationDelayMs: 20 });
    expect(world.routes()).toEqual([{ name: world.seed.routeName, to: 'iris-a', priority: 1000 }]);
    const { status, result } = await moveTo(world, 'iris-b');
    expect(status).toBe(200);
    expect(result).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    // one less than the old route's priority: the new route wins as soon as it exists, never ties (ECMP)
    expect(world.routes()).toEqual([{ name: 'mirror-vip-irismirror-10-99-0-250-iris-b', to: 'iris-b', priority: 999 }]);
    expect(world.emu.transitions.map((t) => t.kind)).toEqual(['route-added', 'route-removed']);
    expect(fewestRoutes(world.emu.transitions, world.seed.routeVip, 1)).toBe(1);
    expect(world.emu.calls.filter((c) => c.op === 'globalOperations.wait')).toHaveLength(2);
    expect(result?.calls.filter((c) => c.write).map((c) => c.op)).toEqual([
      'compute.routes.insert',
      'compute.routes.delete',
    ]);
  });

  it('on the way back the new route again beats the old (one better priority), and there is always a route', async () => {
    world = await startGcpWorld({ mode: 'route' });
    await moveTo(world, 'iris-b');
    const back = await moveTo(world, 'iris-a');
    expect(back.result).toMatchObject({ outcome: 'moved', from: 'iris-b', to: 'iris-a' });
    expect(world.routes()).toEqual([{ name: 'mirror-vip-irismirror-10-99-0-250-iris-a', to: 'iris-a', priority: 998 }]);
    expect(fewestRoutes(world.emu.transitions, world.seed.routeVip, 1)).toBe(1);
    expect(world.emu.transitions).toHaveLength(4);
  });

  it('makes no write for the same move twice', async () => {
    world = await startGcpWorld({ mode: 'route' });
    await moveTo(world, 'iris-b');
    world.emu.calls.length = 0;
    expect((await world.post(world.signedRequest('iris-b'))).result).toMatchObject({
      outcome: 'unchanged',
      writeCalls: 0,
    });
    expect(world.writes()).toBe(0);
  });

  it('creates the route when there is none', async () => {
    world = await startGcpWorld({ mode: 'route', seed: { route: false, alias: false, accessConfig: false } });
    const { result } = await moveTo(world, 'iris-b');
    expect(result).toMatchObject({ outcome: 'moved', from: null, to: 'iris-b' });
    expect(world.routes()).toEqual([
      { name: 'mirror-vip-irismirror-10-99-0-250-iris-b', to: 'iris-b', priority: 1000 },
    ]);
  });

  it('the old route delete is best effort when the new route already wins; its leftover is reported and removed later', async () => {
    world = await startGcpWorld({ mode: 'route' });
    world.emu.faults.failOperation = { remaining: 1, ops: ['routes.delete'] };
    const { status, result } = await moveTo(world, 'iris-b');
    expect(status).toBe(200);
    expect(result?.outcome).toBe('moved');
    expect(result?.calls.find((c) => !c.ok)).toMatchObject({ op: 'compute.routes.delete', error: 'INTERNAL_ERROR' });
    expect(
      world
        .routes()
        .map((r) => `${r.to}@${r.priority}`)
        .sort(),
    ).toEqual(['iris-a@1000', 'iris-b@999']);
    const check = await world.publish({ kind: 'mirror-vip.reconcile' });
    expect(check.results[0]).toMatchObject({ outcome: 'unchanged', writeCalls: 0 });
    expect(check.results[0]?.warnings.join()).toMatch(/route mirror-vip-10-99-0-250 \(priority 1000\).*is inert/);
    await moveTo(world, 'iris-a');
    expect(world.routes()).toHaveLength(1);
  });

  it('the route that carries the VIP is only deleted once a live route to the target beats it', async () => {
    world = await startGcpWorld({ mode: 'route' });
    await moveTo(world, 'iris-b'); // iris-b's route has priority 999
    world.emu.faults.failOperation = { remaining: 1, ops: ['routes.delete'] };
    const { status, result } = await moveTo(world, 'iris-a'); // iris-a's route gets 998: it wins as soon as it exists
    expect(status).toBe(200);
    expect(result?.outcome).toBe('moved');
    expect(
      world
        .routes()
        .map((r) => `${r.to}@${r.priority}`)
        .sort(),
    ).toEqual(['iris-a@998', 'iris-b@999']);
    expect(fewestRoutes(world.emu.transitions, world.seed.routeVip, 1)).toBe(1);
  });

  it('warns when the target has IP forwarding off', async () => {
    world = await startGcpWorld({ mode: 'route' });
    const b = world.state.instance(world.seed.backup.zone, 'iris-b');
    if (b) b.canIpForward = false;
    const { result } = await moveTo(world, 'iris-b');
    expect(result?.warnings.join()).toMatch(/IP forwarding is off on us-east1-c\/iris-b/);
  });
});

describe('route names', () => {
  it('are valid Compute Engine names, one per mirror, VIP and member', () => {
    expect(routeName('IRISMIRROR', '10.99.0.250/32', 'iris-b')).toBe('mirror-vip-irismirror-10-99-0-250-iris-b');
    const long = routeName('A.Very_Long.Mirror.Name.That.Goes.On', '192.168.100.250/32', 'member-with-a-long-name');
    expect(long).toMatch(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(long).not.toBe(
      routeName('A.Very_Long.Mirror.Name.That.Goes.On', '192.168.100.250/32', 'member-with-a-long-nam3'),
    );
  });
});
