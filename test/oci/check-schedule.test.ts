import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_KIND } from '../../functions/oci/oci-events.ts';
import { startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { CHECK_FAILED_MSG } from '../../shared/core/check.ts';

let world: Awaited<ReturnType<typeof startOciWorld>>;
beforeAll(async () => {
  world = await startOciWorld({ mode: 'route' });
});
afterAll(() => world.close());

const checkLines = () => world.lines.filter((l) => String(l.msg).startsWith('mirror-vip check'));

describe('the OCI function runs the preflight on its schedule and at cold start', () => {
  it('logs one actionable failed-check line naming the VNIC with source/dest check on, writing nothing; fixed, not actionable', async () => {
    const vnic = world.state.vnics.get(world.seed.backup.vnicId);
    if (!vnic) throw new Error('no seeded VNIC');
    vnic.skipSourceDestCheck = false;
    const writes = world.writes();
    await world.invoke({ kind: CHECK_KIND });
    const [line] = checkLines().slice(-1);
    expect(line).toMatchObject({ msg: CHECK_FAILED_MSG, trigger: 'schedule', actionable: true, writes: 0 });
    expect(line?.findings).toContainEqual(
      expect.objectContaining({ check: 'oci.skipSourceDestCheck', target: 'iris-b', status: 'fail' }),
    );
    vnic.skipSourceDestCheck = true;
    await world.invoke({ kind: CHECK_KIND });
    // only the write rights no read can prove are left: reported, but not what the alarm counts
    expect(checkLines().slice(-1)[0]).toMatchObject({ fail: 0, error: 1, actionable: false });
    expect(world.writes()).toBe(writes);
  });

  it('a scheduled reconcile on a fresh instance also runs the cold-start check, once', async () => {
    const before = checkLines().length;
    const fresh = await world.startInstance();
    await world.invoke({ kind: 'mirror-vip.reconcile' }, fresh);
    await world.invoke({ kind: 'mirror-vip.reconcile' }, fresh);
    const added = checkLines().slice(before);
    expect(added.map((l) => l.trigger)).toEqual(['cold-start']);
  });
});
