import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { itRejects } from '../support/rejection-cases.ts';

let world: OciWorld;
beforeAll(async () => {
  world = await startOciWorld({ roles: { 'iris-a': 'primary', 'iris-b': 'backup' } });
});
afterAll(async () => world.close());
beforeEach(() => {
  world.emu.reset();
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
});

describe('OCI function: what must change nothing (through the API Gateway and the FDK)', () => {
  // the FDK hands the function the raw bytes in buffer mode, so malformed JSON reaches the core's own check
  itRejects({
    signed: (o) => world.signedRequest('iris-b', o),
    send: (req, method) => world.post(req, method),
    writes: () => world.writes(),
    calls: () => world.emu.calls.length,
    vip: () => world.privateIpHolder(),
    home: 'iris-a',
  });

  it('an invocation that is neither an alarm nor a reconcile is answered and changes nothing', async () => {
    const out = await world.invoke({ hello: 'world' });
    expect(out.results).toEqual([]);
    expect((await world.invoke('not json')).results).toEqual([]);
    expect(world.emu.calls).toHaveLength(0);
    expect(world.lines.filter((l) => l.msg === 'mirror-vip ignored an invocation').length).toBeGreaterThanOrEqual(2);
  });
});
