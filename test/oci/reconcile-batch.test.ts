import * as common from 'oci-common';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPARTMENT_ENV, compartmentFromEnv } from '../../functions/oci/oci-config.ts';
import { createOciEngine } from '../../functions/oci/oci-runtime.ts';
import {
  COMPARTMENT,
  type OciEmulator,
  OciState,
  MIRROR as SEED,
  type SeededOciMirror,
  seedOciMirrors,
  seedOciRouteMirrors,
  startOciEmulator,
  testKeyPair,
} from '../../local-cloud/oci/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { FailoverEngine } from '../../shared/core/engine.ts';
import type { Probe } from '../../shared/core/health.ts';
import { ConfigError } from '../../shared/errors.ts';
import { ociProvider } from '../../shared/providers/oci/oci-provider.ts';
import { sdkVcnApi } from '../../shared/providers/oci/oci-sdk.ts';

/** Members answer by the last letter of their health URL: a = primary, b = backup (no network in this count). */
const probe: Probe = async (url) => ({ role: url.endsWith('a') ? 'primary' : 'backup', ms: 0 });
/** Short pauses between retries: the fallback test retries a failing list. */
const retry = { baseMs: 5, maxMs: 50, maxAttempts: 3 };
const key = testKeyPair();

let emu: OciEmulator | undefined;
afterEach(async () => emu?.close());

interface Options {
  /** Name each VIP's private IP by its OCID (GetPrivateIp when not listed) as well as its subnet. */
  byId?: boolean;
  publicIp?: boolean;
  /** The deployment's compartment is known (MIRROR_VIP_COMPARTMENT_ID): public IPs and route tables are listed. */
  compartment?: boolean;
  /** Each mirror's VIP is a route VIP (one route table each) instead of a private IP. */
  route?: boolean;
  /** Done to the emulator before the reconcile. */
  prepare?: (e: OciEmulator) => void;
}

/** `n` mirrors in one subnet, each VIP held by `holder`; iris-a answers primary. */
async function reconcileAll(n: number, holder: 'a' | 'b', o: Options = {}) {
  common.CircuitBreaker.EnableGlobalCircuitBreaker = false;
  const state = new OciState();
  const seeded: (SeededOciMirror & { cidr?: string; routeTableId?: string })[] = o.route
    ? seedOciRouteMirrors(state, n, holder)
    : seedOciMirrors(state, n, holder, o.publicIp);
  emu = await startOciEmulator({ state, keys: { [key.keyId]: key.publicKey } });
  const mirrors = seeded.map((s, i) => ({
    name: `M${i}`,
    cloud: 'oci',
    region: SEED.region,
    members: s.members.map((m) => ({ ...m, healthUrl: `http://127.0.0.1:1/${i}/${m.name.slice(-1)}` })),
    vips: [
      s.cidr
        ? { mode: 'route', cidr: s.cidr, routeTableIds: [s.routeTableId] }
        : {
            mode: 'private-ip',
            address: s.vip,
            subnetId: SEED.subnetId,
            ...(o.byId ? { privateIpId: s.privateIpId } : {}),
            ...(s.publicIpId ? { publicIpId: s.publicIpId } : {}),
          },
    ],
    keys: [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }],
  }));
  const config = parseConfig(JSON.stringify({ mirrors }));
  const [tenancy, user, fingerprint] = key.keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fingerprint, key.privateKey, null);
  const api = sdkVcnApi({ auth, endpoint: emu.url, region: SEED.region });
  const provider = ociProvider(api, { pollMs: 5, ...(o.compartment ? { compartmentId: COMPARTMENT } : {}) });
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => provider, probe, retry });
  o.prepare?.(emu);
  emu.calls.length = 0;
  const replies = await engine.reconcile('schedule');
  const count = (op: string) => emu?.calls.filter((c) => c.op === op).length ?? 0;
  const ops = o.compartment
    ? ['ListPrivateIps', 'GetPrivateIp', 'ListPublicIps', 'GetPublicIp', 'ListRouteTables', 'GetRouteTable']
    : ['ListPrivateIps', 'GetPrivateIp', 'GetPublicIp'];
  const reads = Object.fromEntries(ops.map((op) => [op, count(op)]));
  const holders = seeded.map((s) => emu?.state.privateIps.get(s.privateIpId)?.vnicId);
  return { reads, outcomes: replies.map((r) => r.result.outcome), seeded, holders, emu, count };
}

describe('a scheduled reconcile of many OCI mirrors in one subnet', () => {
  it('lists the subnet once for 20 mirrors as one mirror reads its own, and reads no private IP by OCID', async () => {
    const one = await reconcileAll(1, 'a');
    const twenty = await reconcileAll(20, 'a');
    expect(one.outcomes).toEqual(['unchanged']);
    expect(twenty.outcomes).toEqual(Array(20).fill('unchanged'));
    expect(twenty.reads).toEqual(one.reads);
    expect(twenty.reads).toEqual({ ListPrivateIps: 1, GetPrivateIp: 0, GetPublicIp: 0 });
  });

  it('named by OCID, 20 mirrors still cost one list and no GetPrivateIp; public IPs are read one by one', async () => {
    const twenty = await reconcileAll(20, 'a', { byId: true, publicIp: true });
    expect(twenty.outcomes).toEqual(Array(20).fill('unchanged'));
    // without the compartment (MIRROR_VIP_COMPARTMENT_ID) ListPublicIps cannot be made: one GetPublicIp per public IP
    expect(twenty.reads).toEqual({ ListPrivateIps: 1, GetPrivateIp: 0, GetPublicIp: 20 });
  });

  it('still moves every mirror whose VIP is off its primary, each write with the etag of a GetPrivateIp', async () => {
    const r = await reconcileAll(20, 'b');
    expect(r.outcomes).toEqual(Array(20).fill('moved'));
    expect(r.holders).toEqual(r.seeded.map((s) => s.members[0]?.vnicId));
    const writes = r.emu.calls.filter((c) => c.op === 'UpdatePrivateIp');
    expect(writes).toHaveLength(20);
    expect(writes.every((c) => c.ifMatch === true)).toBe(true);
    // one list for the first observation; the listed items carry no etag, so one GetPrivateIp per move
    expect(r.reads.GetPrivateIp).toBe(20);
    // the later rounds (the read-back after the writes) read per mirror, by address
    expect(r.reads.ListPrivateIps).toBe(1 + 20);
  });

  it('an etag gone stale between that read and the write is refused (412), read again and the move goes through', async () => {
    const r = await reconcileAll(3, 'b', { prepare: (e) => Object.assign(e.faults.staleEtag, { remaining: 3 }) });
    expect(r.outcomes).toEqual(['moved', 'moved', 'moved']);
    const refused = r.emu.calls.filter((c) => c.op === 'UpdatePrivateIp' && c.status === 412);
    expect(refused).toHaveLength(3);
    expect(r.reads.GetPrivateIp).toBe(3 + 3);
  });

  it('a list that fails falls back to per-mirror reads, and the reconcile still converges', async () => {
    const failing = (e: OciEmulator) => Object.assign(e.faults.failures, { remaining: 1000, ops: ['ListPrivateIps'] });
    const r = await reconcileAll(4, 'b', { byId: true, prepare: failing });
    expect(r.outcomes).toEqual(Array(4).fill('moved'));
    expect(r.holders).toEqual(r.seeded.map((s) => s.members[0]?.vnicId));
    // the snapshot's list was tried (and retried), then each mirror read its own private IP by OCID
    expect(r.reads.ListPrivateIps).toBe(retry.maxAttempts);
    expect(r.reads.GetPrivateIp).toBeGreaterThanOrEqual(4);
  });
});

describe('with the compartment (MIRROR_VIP_COMPARTMENT_ID), public IPs and route tables are listed too', () => {
  const compartment = true;

  it('1, 2 and 20 mirrors with public IPs: one public-IP call each; 2 and 20 list once and GetPublicIp nothing', async () => {
    const one = await reconcileAll(1, 'a', { publicIp: true, compartment });
    const two = await reconcileAll(2, 'a', { publicIp: true, compartment });
    const twenty = await reconcileAll(20, 'a', { publicIp: true, compartment });
    expect(twenty.outcomes).toEqual(Array(20).fill('unchanged'));
    // a lone mirror takes no snapshot (shared/core/snapshots.ts): it reads its own public IP
    expect(one.reads).toMatchObject({ ListPublicIps: 0, GetPublicIp: 1 });
    expect(two.reads).toEqual(twenty.reads);
    expect(twenty.reads).toEqual({
      ListPrivateIps: 1,
      GetPrivateIp: 0,
      ListPublicIps: 1,
      GetPublicIp: 0,
      ListRouteTables: 0,
      GetRouteTable: 0,
    });
  });

  it('2 and 20 route mirrors: one ListRouteTables, no GetRouteTable', async () => {
    const two = await reconcileAll(2, 'a', { route: true, compartment });
    const twenty = await reconcileAll(20, 'a', { route: true, compartment });
    expect(twenty.outcomes).toEqual(Array(20).fill('unchanged'));
    expect(two.reads).toEqual(twenty.reads);
    expect(twenty.reads).toMatchObject({ ListRouteTables: 1, GetRouteTable: 0, ListPublicIps: 0 });
  });

  it('route mirrors off their primary all move, each UpdateRouteTable with the etag of a GetRouteTable before it', async () => {
    const r = await reconcileAll(20, 'b', { route: true, compartment });
    expect(r.outcomes).toEqual(Array(20).fill('moved'));
    for (const s of r.seeded) {
      const rules = r.emu.state.routeTables.get(s.routeTableId as string)?.routeRules ?? [];
      expect(rules.find((x) => x.destination === s.cidr)?.networkEntityId).toBe(s.members[0]?.privateIpId);
    }
    const writes = r.emu.calls.filter((c) => c.op === 'UpdateRouteTable');
    expect(writes.map((c) => [c.status, c.ifMatch])).toEqual(Array(20).fill([200, true]));
    // one list for the first observation; a listed table has no etag, so one GetRouteTable per write (and then the
    // read-back round reads each table again)
    expect(r.reads.ListRouteTables).toBe(1);
    expect(r.reads.GetRouteTable).toBe(20 + 20);
  });

  it('a public IP in another compartment is not listed: it alone is read with GetPublicIp', async () => {
    const elsewhere = (e: OciEmulator) => {
      const pub = [...e.state.publicIps.values()][3];
      if (pub) pub.compartmentId = 'ocid1.compartment.oc1..aaaaother';
    };
    const r = await reconcileAll(20, 'a', { publicIp: true, compartment, prepare: elsewhere });
    expect(r.outcomes).toEqual(Array(20).fill('unchanged'));
    expect(r.reads).toMatchObject({ ListPublicIps: 1, GetPublicIp: 1 });
    expect(r.emu.calls.find((c) => c.op === 'GetPublicIp')?.path).toContain(r.seeded[3]?.publicIpId);
  });

  it('failing lists fall back to per-resource reads, and every mirror still converges', async () => {
    const failing = (e: OciEmulator) =>
      Object.assign(e.faults.failures, { remaining: 1000, ops: ['ListPublicIps', 'ListRouteTables'] });
    const pub = await reconcileAll(4, 'b', { publicIp: true, compartment, prepare: failing });
    expect(pub.outcomes).toEqual(Array(4).fill('moved'));
    expect(pub.holders).toEqual(pub.seeded.map((s) => s.members[0]?.vnicId));
    expect(pub.reads.ListPublicIps).toBe(retry.maxAttempts);
    expect(pub.reads.GetPublicIp).toBeGreaterThanOrEqual(4);
    const route = await reconcileAll(4, 'b', { route: true, compartment, prepare: failing });
    expect(route.outcomes).toEqual(Array(4).fill('moved'));
    expect(route.reads.ListRouteTables).toBe(retry.maxAttempts);
    expect(route.reads.GetRouteTable).toBeGreaterThanOrEqual(4);
  });

  it('a malformed MIRROR_VIP_COMPARTMENT_ID is refused at cold start, naming the setting', async () => {
    for (const bad of ['ocid1.vcn.oc1..aaaa', 'compartment-1', 'ocid1.compartment.oc1..AAAA']) {
      const env = { [COMPARTMENT_ENV]: bad, MIRROR_VIP_CONFIG: '{"mirrors":[]}' };
      await expect(createOciEngine(env)).rejects.toThrow(ConfigError);
      await expect(createOciEngine(env)).rejects.toThrow(/MIRROR_VIP_COMPARTMENT_ID: must be a compartment OCID/);
    }
    expect(compartmentFromEnv({})).toBeUndefined();
    expect(compartmentFromEnv({ [COMPARTMENT_ENV]: COMPARTMENT })).toBe(COMPARTMENT);
    expect(compartmentFromEnv({ [COMPARTMENT_ENV]: 'ocid1.tenancy.oc1..aaaaroot' })).toBe(
      'ocid1.tenancy.oc1..aaaaroot',
    );
  });
});
