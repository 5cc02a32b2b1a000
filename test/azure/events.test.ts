import { afterEach, describe, expect, it } from 'vitest';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';

let world: AzureWorld;
afterEach(async () => world?.close());

/** An Azure Monitor common-alert-schema payload, as an action group's webhook posts it. */
function alertPayload(
  o: { rule?: string; targets?: string[]; custom?: Record<string, string>; condition?: string } = {},
) {
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1',
        alertRule: o.rule ?? 'iris-a unavailable',
        severity: 'Sev1',
        signalType: 'Metric',
        monitorCondition: o.condition ?? 'Fired',
        monitoringService: 'Platform',
        alertTargetIDs: o.targets ?? [],
        configurationItems: [],
        firedDateTime: new Date().toISOString(),
      },
      alertContext: {},
      customProperties: o.custom ?? {},
    },
  };
}
const vmId = (vm: string) =>
  `/subscriptions/${'6d6f6b65-0000-4000-8000-00000000a2e1'}/resourcegroups/mirror-rg/providers/microsoft.compute/virtualmachines/${vm}`;

describe('Azure Monitor alerts (action group webhook, common alert schema) and the timer', () => {
  it("an alert whose target is a member's VM reconciles that mirror: the VIP follows the sole primary", async () => {
    world = await startAzureWorld();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const out = await world.alert(alertPayload({ targets: [vmId('iris-a')] }));
    expect(out.status).toBe(200);
    expect(out.results).toMatchObject([{ trigger: 'alarm', outcome: 'moved', mirror: 'IRISMIRROR', to: 'iris-b' }]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it.each([
    ['the rule name mirror-vip:<mirror>:…', { rule: 'mirror-vip:IRISMIRROR:availability' }],
    ['the custom property mirror', { custom: { mirror: 'irismirror' } }],
    ['a Resolved alert (a member came back)', { targets: [vmId('IRIS-B')], condition: 'Resolved' }],
  ])('finds the mirror by %s', async (_what, o) => {
    world = await startAzureWorld();
    expect((await world.alert(alertPayload(o))).results).toMatchObject([
      { trigger: 'alarm', outcome: 'unchanged', mirror: 'IRISMIRROR' },
    ]);
    expect(world.writes()).toBe(0);
  });

  it('an alert that names no mirror is answered (rejected, 404 unknown_mirror) and changes nothing', async () => {
    world = await startAzureWorld();
    const out = await world.alert(alertPayload({ targets: [vmId('some-other-vm')] }));
    expect(out.results).toMatchObject([{ outcome: 'rejected', error: { code: 'unknown_mirror' } }]);
    expect(world.emu.calls).toHaveLength(0);
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['the legacy (non-common) schema', { schemaId: 'AzureMonitorMetricAlert', data: {} }, /common alert schema/],
    ['no essentials', { schemaId: 'azureMonitorCommonAlertSchema', data: {} }, /essentials/],
  ])('a body that is %s is acknowledged and ignored (no retry storm), nothing called', async (_w, body, reason) => {
    world = await startAzureWorld();
    const out = await world.alert(body);
    expect(out).toMatchObject({ status: 200, results: [] });
    expect(out.ignored).toMatch(reason);
    expect(world.emu.calls).toHaveLength(0);
  });

  it('the timer trigger reconciles every mirror', async () => {
    world = await startAzureWorld();
    world.members.set('iris-a', 'backup');
    world.members.set('iris-b', 'primary');
    expect(await world.tick()).toMatchObject([{ trigger: 'schedule', outcome: 'moved', to: 'iris-b' }]);
    expect(await world.tick()).toMatchObject([{ trigger: 'schedule', outcome: 'unchanged', writeCalls: 0 }]);
  });
});
