import * as common from 'oci-common';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type OciEmulator,
  OciState,
  MIRROR as SEED,
  seedOciMirrors,
  startOciEmulator,
  testKeyPair,
} from '../../local-cloud/oci/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { FailoverEngine } from '../../shared/core/engine.ts';
import type { Probe } from '../../shared/core/health.ts';
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
  /** Done to the emulator before the reconcile. */
  prepare?: (e: OciEmulator) => void;
}

/** `n` mirrors in one subnet, each VIP held by `holder`; iris-a answers primary. */
async function reconcileAll(n: number, holder: 'a' | 'b', o: Options = {}) {
  common.CircuitBreaker.EnableGlobalCircuitBreaker = false;
  const state = new OciState();
  const seeded = seedOciMirrors(state, n, holder, o.publicIp);
  emu = await startOciEmulator({ state, keys: { [key.keyId]: key.publicKey } });
  const mirrors = seeded.map((s, i) => ({
    name: `M${i}`,
    cloud: 'oci',
    region: SEED.region,
    members: s.members.map((m) => ({ ...m, healthUrl: `http://127.0.0.1:1/${i}/${m.name.slice(-1)}` })),
    vips: [
      {
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
  const provider = ociProvider(api, { pollMs: 5 });
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => provider, probe, retry });
  o.prepare?.(emu);
  emu.calls.length = 0;
  const replies = await engine.reconcile('schedule');
  const count = (op: string) => emu?.calls.filter((c) => c.op === op).length ?? 0;
  const reads = Object.fromEntries(['ListPrivateIps', 'GetPrivateIp', 'GetPublicIp'].map((op) => [op, count(op)]));
  const holders = seeded.map((s) => emu?.state.privateIps.get(s.privateIpId)?.vnicId);
  return { reads, outcomes: replies.map((r) => r.result.outcome), seeded, holders, emu };
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
    // ListPublicIps needs a compartment and scope the configuration does not name: one GetPublicIp per public IP
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
