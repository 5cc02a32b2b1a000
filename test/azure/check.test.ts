import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ARM_AUDIENCE } from '../../local-cloud/azure/identity.ts';
import {
  ArmState,
  ASG_ID,
  type AzureEmulator,
  key,
  PUBLIC_IP_ID,
  type RoleAssignment,
  MIRROR as SEED,
  SUBNET_ID,
  seedMirrorSubscription,
  startAzureEmulator,
} from '../../local-cloud/azure/index.ts';
import type { FakeMembers } from '../../local-cloud/members.ts';
import { azureConfigFor } from '../../local-cloud/worlds/azure-world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { AzureMirrorConfig } from '../../shared/config/schema-azure.ts';
import { CallLog } from '../../shared/core/calls.ts';
import type { CheckFinding } from '../../shared/core/check.ts';
import { createCallContext } from '../../shared/core/retry.ts';
import { sdkNetworkApi } from '../../shared/providers/azure/arm-sdk.ts';
import { JOIN_ACTIONS } from '../../shared/providers/azure/azure-check-rules.ts';
import { apiCodeOf } from '../../shared/providers/azure/azure-errors.ts';
import { azureProvider } from '../../shared/providers/azure/azure-provider.ts';
import { AZURE_ACTIONS, AZURE_CHECK_ACTIONS_BY_CALL } from '../../shared/providers/azure/network-api.ts';
import type { PlanChange } from '../../shared/providers/types.ts';

const PRINCIPAL = '0b5e0000-0000-4000-8000-00000000c4ec';
const RG = `/subscriptions/${SEED.subscriptionId}/resourceGroups/${SEED.resourceGroup}`;
const NIC_B = `${RG}/providers/Microsoft.Network/networkInterfaces/${SEED.backup.nic}`;
const CHECK_READS = Object.values(AZURE_CHECK_ACTIONS_BY_CALL).flatMap((c) => Object.values(c).flat());
/** The role the function needs on the resource group: the moves' actions, the joins, the check's reads. */
const FULL: RoleAssignment = {
  principalId: PRINCIPAL,
  scope: RG,
  actions: [...AZURE_ACTIONS, ...Object.values(JOIN_ACTIONS), ...CHECK_READS],
  notActions: [],
};
const members = {
  urls: { 'iris-a': 'http://127.0.0.1:9/a', 'iris-b': 'http://127.0.0.1:9/b' },
} as unknown as FakeMembers;

let emu: AzureEmulator;
let state: ArmState;
let api: ReturnType<typeof sdkNetworkApi>;

const mirrorFor = (mode: 'ip-config' | 'route', vip: Record<string, unknown> = {}): AzureMirrorConfig => {
  const doc = azureConfigFor(members, { mode });
  Object.assign(doc.mirrors[0]?.vips[0] ?? {}, vip);
  return parseConfig(JSON.stringify(doc)).mirrors[0] as AzureMirrorConfig;
};

/** Run the check with a fresh call log: the findings, the write calls it logged and those the emulator saw. */
async function check(mirror: AzureMirrorConfig) {
  const log = new CallLog();
  const before = emu.calls.length;
  const findings = await azureProvider(api).check?.(mirror, createCallContext(log, 10_000));
  const wireWrites = emu.calls.slice(before).filter((c) => c.method !== 'GET').length;
  return { findings: findings ?? [], writes: log.writes, wireWrites };
}

const failing = (fs: CheckFinding[]) => fs.filter((f) => f.status !== 'pass');

/** A real move of the VIP to iris-b through the provider; the ARM error code it ends with, if any. */
async function moveToB(mirror: AzureMirrorConfig): Promise<string | undefined> {
  const p = azureProvider(api);
  const ctx = createCallContext(new CallLog(), 10_000);
  await p.observe(mirror, ctx);
  const changes: PlanChange[] = mirror.vips.flatMap((v): PlanChange[] =>
    v.mode === 'ip-config'
      ? [{ vip: v.privateIp, mode: v.mode, slot: 'ip-config', from: 'iris-a', to: 'iris-b' }]
      : v.routeTables.map((t) => ({
          vip: v.cidr,
          mode: v.mode,
          slot: `${SEED.resourceGroup}/${t.name}`,
          from: 'iris-a',
          to: 'iris-b',
        })),
  );
  try {
    await p.apply(mirror, changes, ctx);
    return undefined;
  } catch (e: unknown) {
    return apiCodeOf(e);
  }
}

function reseed(o: Parameters<typeof seedMirrorSubscription>[1]) {
  for (const m of [state.nics, state.subnets, state.publicIps, state.routeTables]) m.clear();
  seedMirrorSubscription(state, { linked: true, ...o });
  state.rbac.assignments = [structuredClone(FULL)];
}

beforeAll(async () => {
  state = new ArmState();
  emu = await startAzureEmulator({ state });
  const { token } = emu.issuer.mint('check', ARM_AUDIENCE, PRINCIPAL);
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  api = sdkNetworkApi(credential, SEED.subscriptionId, { endpoint: emu.url, ca: emu.ca });
});
afterAll(() => emu.close());

describe('Azure preflight (ip-config mode)', () => {
  beforeEach(() => reseed({}));

  it('passes every check with the full role, reading the permissions of every scope and writing nothing', async () => {
    const r = await check(mirrorFor('ip-config'));
    expect(failing(r.findings)).toEqual([]);
    const scopes = new Set(
      r.findings.filter((f) => f.check === 'azure.permission').map((f) => f.resource.toLowerCase()),
    );
    for (const id of [NIC_B, SUBNET_ID, PUBLIC_IP_ID, ASG_ID]) expect(scopes).toContain(id.toLowerCase());
    expect(r.findings.filter((f) => f.check === 'azure.privateIp.subnet').map((f) => f.target)).toEqual([
      'iris-a',
      'iris-b',
    ]);
    expect([r.writes, r.wireWrites]).toEqual([0, 0]);
    expect(emu.calls.some((c) => c.path.endsWith('/providers/Microsoft.Authorization/permissions'))).toBe(true);
  });

  it('names a missing join on the application security group, and a real move is refused LinkedAuthorizationFailed', async () => {
    state.rbac.assignments = [{ ...structuredClone(FULL), notActions: [JOIN_ACTIONS.asg] }];
    const mirror = mirrorFor('ip-config');
    const r = await check(mirror);
    const bad = failing(r.findings);
    expect(bad.length).toBe(2); // once per member as the target
    expect(bad.every((f) => f.check === 'azure.permission' && f.resource.toLowerCase() === ASG_ID.toLowerCase())).toBe(
      true,
    );
    expect(bad[0]?.fix).toContain(JOIN_ACTIONS.asg);
    expect(r.writes + r.wireWrites).toBe(0);
    expect(await moveToB(mirror)).toBe('LinkedAuthorizationFailed');
    // fixed: the action back, the check passes and the move succeeds
    state.rbac.assignments = [structuredClone(FULL)];
    expect(failing((await check(mirror)).findings)).toEqual([]);
    expect(await moveToB(mirror)).toBeUndefined();
  });

  it('names a missing NIC write, and a real move is refused AuthorizationFailed', async () => {
    state.rbac.assignments = [{ ...structuredClone(FULL), notActions: ['Microsoft.Network/networkInterfaces/write'] }];
    const mirror = mirrorFor('ip-config');
    const bad = failing((await check(mirror)).findings);
    expect(
      bad.some((f) => f.resource.toLowerCase() === NIC_B.toLowerCase() && f.fix?.includes('networkInterfaces/write')),
    ).toBe(true);
    expect(await moveToB(mirror)).toBe('AuthorizationFailed');
  });

  it('fails a private VIP outside the subnet or on a reserved address, passes one inside', async () => {
    for (const ip of ['10.0.1.10', '10.0.0.255']) {
      const bad = failing((await check(mirrorFor('ip-config', { privateIp: ip }))).findings);
      expect(bad.map((f) => f.check)).toEqual(['azure.privateIp.subnet', 'azure.privateIp.subnet']);
      expect(bad[0]?.reason).toContain(ip);
      expect(bad[0]?.fix).toContain(SEED.subnetPrefix);
    }
    expect(failing((await check(mirrorFor('ip-config', { privateIp: '10.0.0.200' }))).findings)).toEqual([]);
  });

  it('fails a Basic or zonal public IP, passes a zone-redundant Standard one', async () => {
    const pip = state.publicIps.get(key(PUBLIC_IP_ID));
    if (!pip) throw new Error('seed has no public IP');
    for (const [change, words] of [
      [{ sku: { name: 'Basic', tier: 'Regional' } }, 'Standard'],
      [{ zones: ['2'] }, 'zone-redundant'],
    ] as const) {
      Object.assign(pip, { sku: undefined, zones: undefined }, change);
      const bad = failing((await check(mirrorFor('ip-config'))).findings);
      expect(bad.map((f) => [f.check, f.resource])).toEqual([['azure.publicIp', PUBLIC_IP_ID]]);
      expect(bad[0]?.fix).toContain(words);
    }
    Object.assign(pip, { sku: undefined, zones: ['1', '2', '3'] });
    expect(failing((await check(mirrorFor('ip-config'))).findings)).toEqual([]);
  });

  it('reports a read it could not make as error, naming the read', async () => {
    state.rbac.assignments = [
      { ...structuredClone(FULL), notActions: ['Microsoft.Network/virtualNetworks/subnets/read'] },
    ];
    const bad = failing((await check(mirrorFor('ip-config'))).findings);
    expect(bad.map((f) => [f.check, f.status])).toEqual([
      ['azure.privateIp.subnet', 'error'],
      ['azure.privateIp.subnet', 'error'],
    ]);
    expect(bad[0]?.reason).toContain('AuthorizationFailed');
  });
});

describe('Azure preflight (route mode)', () => {
  beforeEach(() => reseed({ ipConfig: false, routes: true }));

  it('fails IP forwarding off on a member NIC and passes once it is on', async () => {
    const nic = state.nics.get(key(NIC_B));
    if (!nic) throw new Error('seed has no NIC');
    nic.enableIPForwarding = false;
    const bad = failing((await check(mirrorFor('route'))).findings);
    expect(bad.map((f) => [f.check, f.target])).toEqual([['azure.ipForwarding', 'iris-b']]);
    expect(bad[0]?.fix).toContain('--ip-forwarding true');
    nic.enableIPForwarding = true;
    expect(failing((await check(mirrorFor('route'))).findings)).toEqual([]);
  });

  it('names a missing route write per table, and a real move is refused AuthorizationFailed', async () => {
    state.rbac.assignments = [{ ...structuredClone(FULL), notActions: ['Microsoft.Network/routeTables/routes/write'] }];
    const mirror = mirrorFor('route');
    const r = await check(mirror);
    const bad = failing(r.findings);
    expect(bad.map((f) => f.resource.split('/').pop())).toEqual(['rt-app-1', 'rt-app-2']);
    expect(bad.every((f) => f.target === null && f.fix?.includes('routes/write'))).toBe(true);
    expect(r.writes + r.wireWrites).toBe(0);
    expect(await moveToB(mirror)).toBe('AuthorizationFailed');
  });
});
