import { afterEach, describe, expect, it } from 'vitest';
import { newFingerprint } from '../../local-cloud/gcp/compute-state.ts';
import { ComputeState, type GcpEmulator, seedMirrors, startGcpEmulator } from '../../local-cloud/gcp/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { FailoverEngine } from '../../shared/core/engine.ts';
import type { Probe } from '../../shared/core/health.ts';
import type { ComputeApi } from '../../shared/providers/gcp/compute-api.ts';
import { sdkComputeApi } from '../../shared/providers/gcp/compute-sdk.ts';
import { gcpProvider } from '../../shared/providers/gcp/gcp-provider.ts';

/** Members answer by the last letter of their health URL: a = primary, b = backup (no network in this count). */
const probe: Probe = async (url) => ({ role: url.endsWith('a') ? 'primary' : 'backup', ms: 0 });

/** Short pauses between retries: the fallback test retries a failing list a few times. */
const retry = { baseMs: 5, maxMs: 50, maxAttempts: 3 };

let emu: GcpEmulator | undefined;
afterEach(async () => emu?.close());

/** `n` mirrors in one project, each with an alias VIP and a route VIP held by `holder`; iris-a answers primary. */
async function reconcileAll(
  n: number,
  holder: 'a' | 'b',
  wrap: (api: ComputeApi, e: GcpEmulator) => ComputeApi = (a) => a,
) {
  const state = new ComputeState();
  const seeded = seedMirrors(state, n, holder, true);
  emu = await startGcpEmulator({ state });
  const mirrors = seeded.map((s, i) => ({
    name: `M${i}`,
    cloud: 'gcp',
    project: state.project,
    members: s.members.map((m) => ({ ...m, healthUrl: `http://127.0.0.1:1/${i}/${m.name.slice(-1)}` })),
    vips: [
      { mode: 'alias-ip', cidr: s.vip },
      { mode: 'route', cidr: s.routeVip, network: 'default', priority: 1000 },
    ],
    keys: [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }],
  }));
  const config = parseConfig(JSON.stringify({ mirrors }));
  const api = await sdkComputeApi({ endpoint: { apiEndpoint: '127.0.0.1', port: emu.port, protocol: 'http' } });
  const provider = gcpProvider(wrap(api, emu));
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => provider, probe, retry });
  emu.calls.length = 0;
  const replies = await engine.reconcile('schedule');
  const count = (op: string) => emu?.calls.filter((c) => c.op === op).length ?? 0;
  const reads = Object.fromEntries(
    ['instances.aggregatedList', 'routes.list', 'instances.get'].map((op) => [op, count(op)]),
  );
  const refused = emu.calls.filter((c) => c.op === 'instances.updateNetworkInterface' && c.status === 412).length;
  return { replies, reads, refused, outcomes: replies.map((r) => r.result.outcome) };
}

describe('a scheduled reconcile of many GCP mirrors in one project', () => {
  it('lists instances and routes once for 20 mirrors as for 2, and reads no instance on its own', async () => {
    const two = await reconcileAll(2, 'a');
    const twenty = await reconcileAll(20, 'a');
    expect(two.outcomes).toEqual(['unchanged', 'unchanged']);
    expect(twenty.outcomes).toEqual(Array(20).fill('unchanged'));
    expect(twenty.reads).toEqual(two.reads);
    expect(twenty.reads).toEqual({ 'instances.aggregatedList': 1, 'routes.list': 1, 'instances.get': 0 });
  });

  it('still moves every mirror whose VIP is off its primary', async () => {
    const twenty = await reconcileAll(20, 'b');
    expect(twenty.outcomes).toEqual(Array(20).fill('moved'));
    const moved = emu?.state.instances;
    const holders = [...(moved?.values() ?? [])].filter((i) => i.networkInterfaces[0]?.aliasIpRanges.length);
    expect(holders.map((i) => i.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}-a`).sort());
    expect(twenty.reads['instances.aggregatedList']).toBe(1);
  });

  it('a fingerprint that changed after the list is refused (412) and the write succeeds after a re-read', async () => {
    // another writer touches every member NIC between the snapshot and the writes: the listed fingerprints are stale
    const stale = (api: ComputeApi, e: GcpEmulator): ComputeApi => ({
      ...api,
      listNicsPage: async (a, o) => {
        const page = await (api.listNicsPage as NonNullable<ComputeApi['listNicsPage']>)(a, o);
        for (const i of e.state.instances.values())
          for (const n of i.networkInterfaces) n.fingerprint = newFingerprint();
        return page;
      },
    });
    const r = await reconcileAll(3, 'b', stale);
    expect(r.outcomes).toEqual(['moved', 'moved', 'moved']);
    // both writes of each move (the holder's removal, the target's add) quoted a listed fingerprint once, were
    // refused, read the NIC again and went through
    expect(r.refused).toBe(6);
    expect(r.reads['instances.get']).toBeGreaterThanOrEqual(6);
  });

  it('a list that fails falls back to per-mirror reads, and the reconcile still converges', async () => {
    const failing = (api: ComputeApi, e: GcpEmulator): ComputeApi => {
      e.faults.unavailable = { remaining: 1000, ops: ['instances.aggregatedList'] };
      return api;
    };
    const r = await reconcileAll(4, 'b', failing);
    expect(r.outcomes).toEqual(Array(4).fill('moved'));
    expect(r.reads['instances.get']).toBeGreaterThanOrEqual(4 * 2);
    expect(r.reads['routes.list']).toBeGreaterThanOrEqual(1);
  });
});
