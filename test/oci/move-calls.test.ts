import { afterEach, describe, expect, it } from 'vitest';
import { type OciWorld, runFailover, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';

// What one private-ip move costs on the wire, counted on the emulator through the real SDK.

let world: OciWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('OCI private-ip move: the calls and serial rounds one failover makes', () => {
  it('the observation, the etag read, one UpdatePrivateIp, GetPublicIp until ASSIGNED, the read-back; nothing else', async () => {
    // 20 ms per call: the observation's two reads (and the read-back's) overlap on the emulator, one round each
    world = await startOciWorld({ latencyMs: 20, assigningMs: 60 });
    const r = await runFailover(world);
    expect(r.result?.outcome).toBe('moved');
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
    const ops = world.emu.calls.map((c) => c.op);
    const publicIpReads = ops.filter((o) => o === 'GetPublicIp').length;
    // the observation's and the read-back's one each; the rest follow ASSIGNING, each read after the write
    const polls = publicIpReads - 2;
    expect(ops.slice(ops.indexOf('UpdatePrivateIp') + 1, -2)).toEqual(Array(polls).fill('GetPublicIp'));
    expect(ops.filter((o) => o === 'ListPrivateIps')).toHaveLength(2);
    // found by address: ListPrivateIps has no etag, so one GetPrivateIp before the write (if-match)
    expect(ops.filter((o) => o === 'GetPrivateIp')).toHaveLength(1);
    expect(r.emulatorCalls).toBe(2 + 1 + 1 + polls + 2);
    // observe | etag read | UpdatePrivateIp | each poll | read-back
    expect(r.emulatorSerialRounds).toBe(4 + polls);
  });
});
