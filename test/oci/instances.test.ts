import { afterEach, describe, expect, it } from 'vitest';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';

let world: OciWorld;
afterEach(async () => world?.close());

describe('OCI: several function instances at once (each its own FDK socket and engine)', () => {
  it('two instances handling events of the new primary at the same time converge on it, never split', async () => {
    world = await startOciWorld({ mode: 'both', latencyMs: 15, assigningMs: 30 });
    const second = await world.startInstance();
    world.emu.reset();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const [a, b] = await Promise.all([
      world.post(world.signedRequest('iris-b')),
      world.post(world.signedRequest('iris-b'), 'POST', second),
    ]);
    expect([a.result?.ok, b.result?.ok]).toEqual([true, true]);
    expect([a.result?.outcome, b.result?.outcome].sort()).toEqual(expect.arrayContaining(['moved']));
    expect(world.bindings()).toEqual({
      privateIp: 'iris-b',
      publicIp: { state: 'ASSIGNED', on: 'iris-b' },
      routes: ['iris-b', 'iris-b'],
    });
    // a write that lost the race found a new etag (412) and re-read, or found the move done and wrote nothing
    const privateWrites = world.emu.calls.filter((c) => c.op === 'UpdatePrivateIp');
    expect(privateWrites.filter((c) => c.status === 200).length).toBeLessThanOrEqual(2);
    expect(privateWrites.every((c) => c.status === 200 || c.status === 412)).toBe(true);
  });

  it('a stale claim from the old primary on one instance while the other moves the VIP changes nothing of it', async () => {
    world = await startOciWorld({ latencyMs: 10 });
    const second = await world.startInstance();
    world.emu.reset();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const [stale, real] = await Promise.all([
      world.post(world.signedRequest('iris-a'), 'POST', second),
      world.post(world.signedRequest('iris-b')),
    ]);
    expect(stale.result).toMatchObject({ ok: false, outcome: 'rejected' });
    expect(real.result?.outcome).toBe('moved');
    expect(world.bindings().privateIp).toBe('iris-b');
  });
});
