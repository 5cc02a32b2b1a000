import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../functions/azure/app.ts';
import { key } from '../../local-cloud/azure/index.ts';
import { invocation } from '../../local-cloud/azure-http.ts';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { CHECK_FAILED_MSG, CHECK_PASSED_MSG } from '../../shared/core/check.ts';

const timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
let world: AzureWorld;
beforeAll(async () => {
  world = await startAzureWorld({ mode: 'route' });
});
afterAll(() => world.close());

const checkLines = () => world.lines.filter((l) => String(l.msg).startsWith('mirror-vip check'));

describe('the Azure function runs the preflight on its timer and at cold start', () => {
  it('logs one failed-check line naming the NIC with IP forwarding off, writing nothing; fixed, a passed line', async () => {
    const nicId = [...world.state.nics.keys()].find((k) => k.endsWith(`/${world.seed.backup.nic}`)) ?? '';
    const nic = world.state.nics.get(key(nicId));
    if (!nic) throw new Error('no seeded NIC');
    nic.enableIPForwarding = false;
    const writes = world.writes();
    const { check } = await world.fns.mirrorVipCheck(timer, invocation(FUNCTION_NAMES.check));
    expect(check.ok).toBe(false);
    const [line] = checkLines().slice(-1);
    expect(line).toMatchObject({ msg: CHECK_FAILED_MSG, trigger: 'schedule', fail: 1, writes: 0 });
    expect(line?.findings).toContainEqual(
      expect.objectContaining({ check: 'azure.ipForwarding', target: 'iris-b', status: 'fail' }),
    );
    nic.enableIPForwarding = true;
    expect((await world.fns.mirrorVipCheck(timer, invocation(FUNCTION_NAMES.check))).check.ok).toBe(true);
    expect(checkLines().slice(-1)[0]).toMatchObject({ msg: CHECK_PASSED_MSG, fail: 0, error: 0 });
    expect(world.writes()).toBe(writes);
  });

  it('the reconcile timer of a fresh instance also runs the cold-start check, once', async () => {
    const fresh = await world.makeInstance();
    const before = checkLines().length;
    await world.tick(fresh);
    await world.tick(fresh);
    expect(
      checkLines()
        .slice(before)
        .map((l) => l.trigger),
    ).toEqual(['cold-start']);
  });
});
