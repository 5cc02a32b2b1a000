import { afterEach, describe, expect, it } from 'vitest';
import { functionGrants, type GcpGrant } from '../../local-cloud/gcp/iam.ts';
import { MIRROR as SEED } from '../../local-cloud/gcp/seed.ts';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { CallLog } from '../../shared/core/calls.ts';
import { CHECK_FAILED_MSG, type CheckFinding, runChecks } from '../../shared/core/check.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { gcpCheck } from '../../shared/providers/gcp/check.ts';
import { sdkCheckApi } from '../../shared/providers/gcp/check-sdk.ts';
import { GCP_ENV, parseEndpoint } from '../../shared/providers/gcp/endpoint.ts';
import type { Provider } from '../../shared/providers/types.ts';

// The GCP preflight through the Compute client library against the Compute emulator, under the function's grants
// (local-cloud/gcp/iam.ts; the function calls over plain http without a token, so its grants sit under '').
let world: GcpWorld | undefined;
afterEach(async () => world?.close());

const INSTANCES: [string, string][] = [
  [SEED.primary.zone, SEED.primary.name],
  [SEED.backup.zone, SEED.backup.name],
];

async function setUp(mode: 'alias-ip' | 'route' = 'alias-ip', vip: Record<string, unknown> = {}) {
  const w = await startGcpWorld({ mode, vip });
  const grants = functionGrants(w.emu.state, mode, INSTANCES);
  w.emu.state.iam.set('', grants);
  world = w;
  return { w, grants };
}

async function check(w: GcpWorld) {
  const config = loadConfig({ MIRROR_VIP_CONFIG: w.env.MIRROR_VIP_CONFIG });
  const api = sdkCheckApi(parseEndpoint(w.env, GCP_ENV.computeEndpoint));
  const provider = { check: gcpCheck(() => api) } as unknown as Provider;
  const before = w.emu.state.snapshot();
  const report = await runChecks(config, () => provider, { log: new CallLog() });
  expect(report.writes).toBe(0);
  expect(w.emu.calls.filter((c) => c.write)).toEqual([]);
  expect(w.emu.state.snapshot()).toEqual(before);
  return report;
}

const failing = (r: { findings: CheckFinding[] }) => r.findings.filter((f) => f.status !== 'pass');
const removing = (grants: GcpGrant[], permission: string) =>
  grants.map((g) => ({ ...g, permissions: g.permissions.filter((p) => p !== permission) }));

describe('GCP preflight', () => {
  it('alias-ip with a public VIP: every check passes with zero writes', async () => {
    const { w } = await setUp();
    const r = await check(w);
    expect(failing(r)).toEqual([]);
    expect([...new Set(r.findings.map((f) => f.check))].sort()).toEqual([
      'gcp.aliasRange',
      'gcp.externalAddress',
      'gcp.permission.instance',
      'gcp.permission.project',
      'gcp.permission.subnetwork',
    ]);
  });

  it('updateNetworkInterface removed: testIamPermissions names it per member; a real move gets 403 for it', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set('', removing(grants, 'compute.instances.updateNetworkInterface'));
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.target])).toEqual([
      ['gcp.permission.instance', 'iris-a'],
      ['gcp.permission.instance', 'iris-b'],
    ]);
    expect(bad[0]?.fix).toContain('grant compute.instances.updateNetworkInterface');
    w.members.set('iris-a', 'down');
    w.members.set('iris-b', 'primary');
    const { result } = await w.post(w.signedRequest('iris-b'));
    expect((result as FailoverResult).outcome).toBe('failed');
    expect(JSON.stringify(result)).toContain("Required 'compute.instances.updateNetworkInterface' permission");
  });

  it('subnet and project rights removed: each named at its scope (project through Resource Manager)', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set('', removing(removing(grants, 'compute.subnetworks.useExternalIp'), 'compute.addresses.use'));
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.resource])).toEqual([
      ['gcp.permission.project', 'projects/demo-project'],
      ['gcp.permission.subnetwork', 'regions/us-east1/subnetworks/default'],
      ['gcp.permission.subnetwork', 'regions/us-east1/subnetworks/default'],
    ]);
    expect(bad[0]?.reason).toBe('testIamPermissions: missing compute.addresses.use');
    expect(w.emu.calls.map((c) => c.op)).toContain('projects.testIamPermissions');
  });

  it('an alias outside the subnet range, or naming a secondary range that is not there: named with the fix', async () => {
    const { w } = await setUp('alias-ip', { cidr: '10.9.0.250/32' });
    let bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.status])).toEqual([
      ['gcp.aliasRange', 'fail'],
      ['gcp.aliasRange', 'fail'],
    ]);
    expect(bad[0]?.reason).toContain('outside the primary range 10.0.0.0/16');
    await w.close();
    const next = await setUp('alias-ip', { cidr: '10.4.0.9/32', subnetworkRangeName: 'pods' });
    expect(failing(await check(next.w))).toEqual([]);
    next.w.emu.state.subnetworks.get('default')?.secondaryIpRanges?.splice(0);
    bad = failing(await check(next.w));
    expect(bad[0]?.reason).toContain('no secondary range pods');
  });

  it('the external address released, or of another tier: named; reserved again, passes', async () => {
    const { w } = await setUp('alias-ip', {
      accessConfig: { name: 'vip', natIP: SEED.externalIp, networkTier: 'STANDARD' },
    });
    let bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.reason])).toEqual([
      ['gcp.externalAddress', 'address mirror-vip-external is PREMIUM, the configuration asks STANDARD'],
    ]);
    const address = w.emu.state.addresses.get(SEED.externalAddressName);
    w.emu.state.addresses.delete(SEED.externalAddressName);
    bad = failing(await check(w));
    expect(bad[0]?.reason).toBe(`no reserved external address ${SEED.externalIp} in us-east1`);
    if (address) w.emu.state.addresses.set(SEED.externalAddressName, { ...address, networkTier: 'STANDARD' });
    expect(failing(await check(w))).toEqual([]);
  });

  it('route mode: canIpForward off names the member; routes.create removed names the project', async () => {
    const { w, grants } = await setUp('route');
    expect(failing(await check(w))).toEqual([]);
    const b = w.emu.state.instance(SEED.backup.zone, SEED.backup.name);
    if (b) b.canIpForward = false;
    w.emu.state.iam.set('', removing(grants, 'compute.routes.create'));
    const bad = failing(await check(w));
    expect(bad.map((f) => [f.check, f.target])).toEqual([
      ['gcp.permission.project', null],
      ['gcp.canIpForward', 'iris-b'],
    ]);
    expect(bad[1]?.fix).toContain('--can-ip-forward');
  });

  it('the scheduled check (Pub/Sub) failing writes the one error line the log-based alert counts', async () => {
    const { w, grants } = await setUp();
    w.emu.state.iam.set('', removing(grants, 'compute.instances.deleteAccessConfig'));
    await w.publish({ kind: 'mirror-vip.check' });
    const line = w.lines.find((l) => l.msg === CHECK_FAILED_MSG);
    expect(line).toMatchObject({ level: 'error', trigger: 'schedule', fail: 2, writes: 0 });
  });
});
