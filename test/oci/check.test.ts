import * as common from 'oci-common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeMembers } from '../../local-cloud/members.ts';
import {
  type OciEmulator,
  OciState,
  MIRROR as SEED,
  seedMirrorTenancy,
  startOciEmulator,
  testKeyPair,
} from '../../local-cloud/oci/index.ts';
import { ociConfigFor } from '../../local-cloud/worlds/oci-world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { OciMirrorConfig } from '../../shared/config/schema-oci.ts';
import { CallLog } from '../../shared/core/calls.ts';
import type { CheckFinding } from '../../shared/core/check.ts';
import { createCallContext } from '../../shared/core/retry.ts';
import { OCI_WRITE_STATEMENTS } from '../../shared/providers/oci/oci-check.ts';
import { ociProvider } from '../../shared/providers/oci/oci-provider.ts';
import { sdkVcnApi } from '../../shared/providers/oci/oci-sdk.ts';
import type { PlanChange } from '../../shared/providers/types.ts';

const members = {
  urls: { 'iris-a': 'http://127.0.0.1:9/a', 'iris-b': 'http://127.0.0.1:9/b' },
} as unknown as FakeMembers;
const key = testKeyPair();
let emu: OciEmulator;
let state: OciState;
let api: ReturnType<typeof sdkVcnApi>;

const mirrorFor = (mode: 'private-ip' | 'route') =>
  parseConfig(JSON.stringify(ociConfigFor(members, { mode }))).mirrors[0] as OciMirrorConfig;

async function check(mirror: OciMirrorConfig) {
  const log = new CallLog();
  const before = emu.calls.length;
  const findings = (await ociProvider(api).check?.(mirror, createCallContext(log, 10_000))) ?? [];
  return { findings, writes: log.writes, wireWrites: emu.calls.slice(before).filter((c) => c.write).length };
}
/** Findings that are not pass, leaving out the write rights (always `error`: not provable without writing). */
const failing = (fs: CheckFinding[]) => fs.filter((f) => f.status !== 'pass' && !f.check.startsWith('oci.permission.'));

/** A real move of the private-ip VIP to iris-b through the provider; the OCI service code it ends with, if any. */
async function moveToB(mirror: OciMirrorConfig): Promise<string | undefined> {
  const p = ociProvider(api, { pollMs: 5 });
  const ctx = createCallContext(new CallLog(), 10_000);
  await p.observe(mirror, ctx);
  const changes: PlanChange[] = [
    { vip: SEED.vip, mode: 'private-ip', slot: 'private-ip', from: 'iris-a', to: 'iris-b' },
  ];
  try {
    await p.apply(mirror, changes, ctx);
    return undefined;
  } catch (e: unknown) {
    const err = e as { detail?: { apiCode?: string }; cause?: { serviceCode?: string } };
    return err.detail?.apiCode ?? err.cause?.serviceCode ?? String(e);
  }
}

beforeAll(async () => {
  common.CircuitBreaker.EnableGlobalCircuitBreaker = false;
  state = new OciState();
  seedMirrorTenancy(state);
  emu = await startOciEmulator({ state, keys: { [key.keyId]: key.publicKey } });
  const [tenancy, user, fingerprint] = key.keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fingerprint, key.privateKey, null);
  api = sdkVcnApi({ auth, endpoint: emu.url, region: SEED.region } as Parameters<typeof sdkVcnApi>[0]);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('OCI preflight (private-ip mode)', () => {
  it('passes the topology checks, reports each write right as not provable with its policy statements, writes nothing', async () => {
    const r = await check(mirrorFor('private-ip'));
    expect(failing(r.findings)).toEqual([]);
    expect(r.findings.map((f) => f.check).sort()).toEqual([
      'oci.permission.UpdatePrivateIp',
      'oci.permission.UpdatePublicIp',
      'oci.privateIp',
      'oci.privateIp.subnet',
      'oci.privateIp.subnet',
      'oci.publicIp.reserved',
    ]);
    const rights = r.findings.filter((f) => f.check.startsWith('oci.permission.'));
    expect(rights.every((f) => f.status === 'error' && f.reason.includes('if-match'))).toBe(true);
    expect(rights.find((f) => f.resource === 'UpdatePrivateIp')?.fix).toBe(
      OCI_WRITE_STATEMENTS.UpdatePrivateIp.join('\n'),
    );
    expect([r.writes, r.wireWrites]).toEqual([0, 0]);
  });

  it('fails a member VNIC outside the VIP subnet, passes it back inside', async () => {
    const vnic = state.vnics.get(SEED.backup.vnicId);
    if (!vnic) throw new Error('no seeded VNIC');
    vnic.subnetId = SEED.otherSubnetId;
    const bad = failing((await check(mirrorFor('private-ip'))).findings);
    expect(bad.map((f) => [f.check, f.target])).toEqual([['oci.privateIp.subnet', 'iris-b']]);
    expect(bad[0]?.fix).toContain(SEED.subnetId);
    vnic.subnetId = SEED.subnetId;
    expect(failing((await check(mirrorFor('private-ip'))).findings)).toEqual([]);
  });

  it('fails an ephemeral public IP and a VIP that is a primary private IP', async () => {
    const pub = state.publicIps.get(SEED.publicIpId);
    const vip = state.privateIps.get(SEED.privateIpId);
    if (!pub || !vip) throw new Error('no seeded public or private IP');
    pub.lifetime = 'EPHEMERAL';
    vip.isPrimary = true;
    const bad = failing((await check(mirrorFor('private-ip'))).findings);
    expect(bad.map((f) => f.check).sort()).toEqual(['oci.privateIp', 'oci.publicIp.reserved']);
    expect(bad.find((f) => f.check === 'oci.publicIp.reserved')?.fix).toContain('--lifetime RESERVED');
  });

  it('a read right removed is named (404 NotAuthorizedOrNotFound); a write right removed refuses the real move', async () => {
    emu.policy.deny(key.keyId, ['GetVnic']);
    const bad = failing((await check(mirrorFor('private-ip'))).findings);
    expect(bad.map((f) => [f.check, f.status])).toEqual([
      ['oci.privateIp.subnet', 'error'],
      ['oci.privateIp.subnet', 'error'],
    ]);
    expect(bad[0]?.reason).toContain('NotAuthorizedOrNotFound');
    emu.policy.clear();
    emu.policy.deny(key.keyId, ['UpdatePrivateIp']);
    const r = await check(mirrorFor('private-ip'));
    // the check cannot see a missing write right: it says so and prints the statement to look for
    expect(r.findings.find((f) => f.check === 'oci.permission.UpdatePrivateIp')?.status).toBe('error');
    expect(await moveToB(mirrorFor('private-ip'))).toBe('NotAuthorizedOrNotFound');
    expect(state.privateIps.get(SEED.privateIpId)?.vnicId).toBe(SEED.primary.vnicId);
  });
});

describe('OCI preflight (route mode)', () => {
  it('fails skip source/destination check off on a member VNIC and passes once it is on', async () => {
    const vnic = state.vnics.get(SEED.backup.vnicId);
    if (!vnic) throw new Error('no seeded VNIC');
    vnic.skipSourceDestCheck = false;
    const r = await check(mirrorFor('route'));
    const bad = failing(r.findings);
    expect(bad.map((f) => [f.check, f.target])).toEqual([['oci.skipSourceDestCheck', 'iris-b']]);
    expect(bad[0]?.fix).toContain('--skip-source-dest-check true');
    expect(r.writes + r.wireWrites).toBe(0);
    vnic.skipSourceDestCheck = true;
    expect(failing((await check(mirrorFor('route'))).findings)).toEqual([]);
  });
});
