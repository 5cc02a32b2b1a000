import { afterEach, describe, expect, it } from 'vitest';
import { newEtag } from '../../local-cloud/azure/arm-state.ts';
import {
  ArmState,
  type AzureEmulator,
  MIRROR,
  seedMirrors,
  startAzureEmulator,
} from '../../local-cloud/azure/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { FailoverEngine } from '../../shared/core/engine.ts';
import type { Probe } from '../../shared/core/health.ts';
import { sdkNetworkApi } from '../../shared/providers/azure/arm-sdk.ts';
import { azureProvider } from '../../shared/providers/azure/azure-provider.ts';
import type { NetworkApi } from '../../shared/providers/azure/network-api.ts';

/** Members answer by the last letter of their health URL: a = primary, b = backup (no network in this count). */
const probe: Probe = async (url) => ({ role: url.endsWith('a') ? 'primary' : 'backup', ms: 0 });

/** Short pauses between retries: the fallback test retries a failing list a few times. */
const retry = { baseMs: 5, maxMs: 50, maxAttempts: 3 };

let emu: AzureEmulator | undefined;
afterEach(async () => emu?.close());

/** `n` mirrors in one resource group, each with an ip-config VIP and a route VIP held by `holder`; iris-a is primary. */
async function reconcileAll(
  n: number,
  holder: 'a' | 'b',
  wrap: (api: NetworkApi, e: AzureEmulator) => NetworkApi = (a) => a,
) {
  const state = new ArmState();
  const seeded = seedMirrors(state, n, holder);
  emu = await startAzureEmulator({ state, lroRetryAfterSeconds: 0 });
  const mirrors = seeded.map((s, i) => ({
    name: `M${i}`,
    cloud: 'azure',
    subscriptionId: MIRROR.subscriptionId,
    region: MIRROR.location,
    resourceGroup: MIRROR.resourceGroup,
    pollIntervalMs: 10,
    members: s.members.map((m) => ({ ...m, healthUrl: `http://127.0.0.1:1/${i}/${m.name.slice(-1)}` })),
    vips: [
      { mode: 'ip-config', privateIp: s.vip },
      { mode: 'route', cidr: s.routeVip, routeTables: [{ name: s.table }] },
    ],
    keys: [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }],
  }));
  const config = parseConfig(JSON.stringify({ mirrors }));
  const token = emu.issueToken();
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const api = sdkNetworkApi(credential, MIRROR.subscriptionId, { endpoint: emu.url, ca: emu.ca });
  const provider = azureProvider(wrap(api, emu));
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => provider, probe, retry });
  emu.calls.length = 0;
  const replies = await engine.reconcile('schedule');
  const count = (op: string) => emu?.calls.filter((c) => c.op === op).length ?? 0;
  const ops = ['networkInterfaces.list', 'routeTables.list', 'networkInterfaces.get', 'routes.get'];
  const reads = Object.fromEntries(ops.map((op) => [op, count(op)]));
  const refused = emu.calls.filter((c) => c.write && c.status === 412).length;
  return { replies, reads, refused, outcomes: replies.map((r) => r.result.outcome) };
}

describe('a scheduled reconcile of many Azure mirrors in one resource group', () => {
  it('lists NICs and route tables once for 20 mirrors as for 2, and reads no NIC or route on its own', async () => {
    const two = await reconcileAll(2, 'a');
    const twenty = await reconcileAll(20, 'a');
    expect(two.outcomes).toEqual(['unchanged', 'unchanged']);
    expect(twenty.outcomes).toEqual(Array(20).fill('unchanged'));
    expect(twenty.reads).toEqual(two.reads);
    expect(twenty.reads).toEqual({
      'networkInterfaces.list': 1,
      'routeTables.list': 1,
      'networkInterfaces.get': 0,
      'routes.get': 0,
    });
  });

  it('follows nextLink: 60 mirrors (120 NICs) take two pages of NICs', async () => {
    const sixty = await reconcileAll(60, 'a');
    expect(sixty.outcomes).toEqual(Array(60).fill('unchanged'));
    expect(sixty.reads).toEqual({
      'networkInterfaces.list': 2,
      'routeTables.list': 1,
      'networkInterfaces.get': 0,
      'routes.get': 0,
    });
  });

  it('still moves every mirror whose VIP is off its primary', async () => {
    const ten = await reconcileAll(10, 'b');
    expect(ten.outcomes).toEqual(Array(10).fill('moved'));
    for (let i = 0; i < 10; i++) {
      const a = emu?.state.nics.get(
        `/subscriptions/${MIRROR.subscriptionId}/resourcegroups/mirror-rg/providers/microsoft.network/networkinterfaces/m${i}-a-nic`,
      );
      expect(a?.ipConfigurations.map((c) => c.name)).toContain('vip');
    }
    expect(ten.reads['networkInterfaces.list']).toBe(1);
  });

  it('an ETag that changed after the list is refused (412) and the write succeeds after a re-read', async () => {
    // another writer touches every NIC and route between the snapshot and the writes: the listed ETags are stale
    const stale = (api: NetworkApi, e: AzureEmulator): NetworkApi => ({
      ...api,
      listRouteTablesPage: async (rg, next, o) => {
        const page = await (api.listRouteTablesPage as NonNullable<NetworkApi['listRouteTablesPage']>)(rg, next, o);
        for (const nic of e.state.nics.values()) nic.etag = newEtag();
        for (const t of e.state.routeTables.values()) for (const r of t.routes.values()) r.etag = newEtag();
        return page;
      },
    });
    const r = await reconcileAll(3, 'b', stale);
    expect(r.outcomes).toEqual(['moved', 'moved', 'moved']);
    // per mirror: the holder's NIC removal, the target's NIC add and the route quoted a listed ETag once each
    expect(r.refused).toBe(3 * 3);
    expect(r.reads['networkInterfaces.get']).toBeGreaterThanOrEqual(3 * 2);
  });

  it('a list that is refused falls back to per-mirror reads, and the reconcile still converges', async () => {
    const failing = (api: NetworkApi, e: AzureEmulator): NetworkApi => {
      e.faults.unavailable = { remaining: 1000, ops: ['networkInterfaces.list', 'routeTables.list'] };
      return api;
    };
    const r = await reconcileAll(4, 'b', failing);
    expect(r.outcomes).toEqual(Array(4).fill('moved'));
    expect(r.reads['networkInterfaces.get']).toBeGreaterThanOrEqual(4 * 2);
    expect(r.reads['routes.get']).toBeGreaterThanOrEqual(4);
  });
});
