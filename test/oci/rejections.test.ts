import { describe, expect, it } from 'vitest';
import { startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { itRejects, rejectionWorld, wireGlue } from '../support/rejection-cases.ts';

const world = rejectionWorld((roles) => startOciWorld({ roles }));

describe('OCI function: what must change nothing (through the API Gateway and the FDK)', () => {
  // the FDK hands the function the raw bytes in buffer mode, so malformed JSON reaches the core's own check
  itRejects({
    ...wireGlue(world),
    vip: () => world().privateIpHolder(),
    home: 'iris-a',
  });

  it('an invocation that is neither an alarm nor a reconcile is answered and changes nothing', async () => {
    const out = await world().invoke({ hello: 'world' });
    expect(out.results).toEqual([]);
    expect((await world().invoke('not json')).results).toEqual([]);
    expect(world().emu.calls).toHaveLength(0);
    expect(world().lines.filter((l) => l.msg === 'mirror-vip ignored an invocation').length).toBeGreaterThanOrEqual(2);
  });
});
