import { randomUUID } from 'node:crypto';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client.js';
import { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GcpEmulator, MIRROR, startGcpEmulator } from '../../../local-cloud/gcp/index.ts';

// gRPC codes the 7.x client puts in `e.code` for HTTP statuses
const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;
const FAILED_PRECONDITION = 9;

const { project, primary: a, backup: b } = MIRROR;
let emu: GcpEmulator;
let instances: InstancesClient;
let routes: RoutesClient;
let zoneOps: ZoneOperationsClient;

beforeAll(async () => {
  emu = await startGcpEmulator();
  const opts = { apiEndpoint: '127.0.0.1', port: emu.port, protocol: 'http', authClient: new PassThroughClient() };
  instances = new InstancesClient(opts);
  routes = new RoutesClient(opts);
  zoneOps = new ZoneOperationsClient(opts);
});
afterEach(() => emu.reset());
afterAll(async () => {
  await Promise.all([instances.close(), routes.close(), zoneOps.close()]);
  await emu.close();
});

const nic0 = async (who: { name: string; zone: string }) => {
  const [inst] = await instances.get({ project, zone: who.zone, instance: who.name });
  const nic = inst.networkInterfaces?.[0];
  if (!nic) throw new Error('no nic0');
  return nic;
};
type Range = { ipCidrRange: string; subnetworkRangeName?: string };
const update = (
  who: { name: string; zone: string },
  fingerprint: string | undefined,
  aliasIpRanges: Range[],
  requestId?: string,
) =>
  instances.updateNetworkInterface({
    project,
    zone: who.zone,
    instance: who.name,
    networkInterface: 'nic0',
    networkInterfaceResource: { ...(fingerprint === undefined ? {} : { fingerprint }), aliasIpRanges },
    ...(requestId ? { requestId } : {}),
  });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code: number; message: string },
  );
const opName = (op: [{ latestResponse?: unknown }, ...unknown[]]) => (op[0].latestResponse as { name: string }).name;

describe('rule 1: rate limits answer 403 rateLimitExceeded', () => {
  it('a throttled call is a 403 with reason rateLimitExceeded in domain usageLimits', async () => {
    emu.faults.throttle = { remaining: 1, ops: ['instances.get'] };
    const e = await failure(nic0(a));
    expect(e).toMatchObject({ code: PERMISSION_DENIED });
    expect(emu.calls.map((c) => [c.status, c.errorReason])).toEqual([[403, 'rateLimitExceeded']]);
  });
});

describe('rule 2: alias ranges come from the subnet', () => {
  it('refuses a range outside the primary range, an unknown secondary range, and a range outside the named one', async () => {
    const fp = (await nic0(b)).fingerprint ?? '';
    const outside = await failure(update(b, fp, [{ ipCidrRange: '10.4.0.5/32' }]));
    expect(outside).toMatchObject({ code: INVALID_ARGUMENT });
    expect(outside?.message).toMatch(/within the primary range \(10\.0\.0\.0\/16\)/);
    const unknown = await failure(update(b, fp, [{ ipCidrRange: '10.4.0.5/32', subnetworkRangeName: 'nope' }]));
    expect(unknown?.message).toMatch(/Secondary range 'nope' does not exist/);
    const wrong = await failure(update(b, fp, [{ ipCidrRange: '10.0.0.5/32', subnetworkRangeName: 'pods' }]));
    expect(wrong?.message).toMatch(/within secondary range 'pods'/);
    expect(emu.transitions).toEqual([]);
  });

  it('accepts a range from the named secondary range and keeps its name', async () => {
    const fp = (await nic0(b)).fingerprint ?? '';
    const op = await update(b, fp, [{ ipCidrRange: '10.4.0.0/24', subnetworkRangeName: 'pods' }]);
    await zoneOps.wait({ project, zone: b.zone, operation: opName(op) });
    expect((await nic0(b)).aliasIpRanges).toMatchObject([{ ipCidrRange: '10.4.0.0/24', subnetworkRangeName: 'pods' }]);
  });
});

describe('rule 3: one operation at a time per instance', () => {
  it('a write while the instance has an operation running is refused with 400 resourceNotReady', async () => {
    // the operation's timer runs on the test's clock (only setTimeout is faked): it is still running, however loaded
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      emu.faults.operationDelayMs = 200;
      const fp = (await nic0(a)).fingerprint ?? '';
      const first = await update(a, fp, []);
      const removeAccessConfig = () =>
        instances.deleteAccessConfig({
          project,
          zone: a.zone,
          instance: a.name,
          networkInterface: 'nic0',
          accessConfig: MIRROR.accessConfigName,
        });
      const e = await failure(removeAccessConfig());
      expect(e).toMatchObject({ code: INVALID_ARGUMENT });
      expect(e?.message).toMatch(/is not ready/);
      expect(emu.calls.at(-1)).toMatchObject({ status: 400, errorReason: 'resourceNotReady' });
      // the same instance is free again once the operation is DONE
      vi.advanceTimersByTime(200);
      const done = await zoneOps.get({ project, zone: a.zone, operation: opName(first) });
      expect(done[0].status).toBe('DONE');
      expect(opName(await removeAccessConfig())).toMatch(/^operation-/);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('rule 5: an access config carries the address network tier', () => {
  it('refuses a Premium access config for a Standard-tier address', async () => {
    const addr = emu.state.addresses.get(MIRROR.externalAddressName);
    if (addr) addr.networkTier = 'STANDARD';
    emu.state.instance(a.zone, a.name)?.networkInterfaces[0]?.accessConfigs.splice(0);
    const add = (networkTier?: string) =>
      instances.addAccessConfig({
        project,
        zone: b.zone,
        instance: b.name,
        networkInterface: 'nic0',
        accessConfigResource: {
          name: 'vip',
          natIP: MIRROR.externalIp,
          type: 'ONE_TO_ONE_NAT',
          ...(networkTier ? { networkTier } : {}),
        },
      });
    const e = await failure(add());
    expect(e?.message).toMatch(/network tier .* must match .*STANDARD/);
    await zoneOps.wait({ project, zone: b.zone, operation: opName(await add('STANDARD')) });
    expect((await nic0(b)).accessConfigs).toMatchObject([{ natIP: MIRROR.externalIp, networkTier: 'STANDARD' }]);
  });
});

describe('rule 6: a static route may not overlap a subnet range', () => {
  it('refuses a route to an address inside the subnet, accepts one outside', async () => {
    const route = (destRange: string, name: string) => ({
      project,
      routeResource: {
        name,
        network: `projects/${project}/global/networks/default`,
        destRange,
        nextHopInstance: `projects/${project}/zones/${a.zone}/instances/${a.name}`,
      },
    });
    const e = await failure(routes.insert(route('10.0.0.250/32', 'inside')));
    expect(e).toMatchObject({ code: INVALID_ARGUMENT });
    expect(e?.message).toMatch(/overlaps the primary range 10\.0\.0\.0\/16/);
    expect(await failure(routes.insert(route('10.4.0.9/32', 'in-pods')))).toMatchObject({ code: INVALID_ARGUMENT });
    await routes.insert(route(MIRROR.routeVip, 'outside'));
    expect(emu.state.routes.has('outside')).toBe(true);
  });
});

describe('rule 7: requestId', () => {
  it('must be a UUID other than the zero UUID', async () => {
    const fp = (await nic0(a)).fingerprint ?? '';
    for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const e = await failure(update(a, fp, [], id));
      expect(e?.message).toMatch(/requestId.*valid UUID/);
    }
    expect(emu.transitions).toEqual([]);
  });

  it('a replay returns the original operation and applies nothing again', async () => {
    const fp = (await nic0(a)).fingerprint ?? '';
    const id = randomUUID();
    const moved = [{ ipCidrRange: '10.0.0.251/32' }];
    const first = await update(a, fp, moved, id);
    // the fingerprint is stale now: only a replay can answer 200
    const replay = await update(a, fp, moved, id);
    expect(opName(replay)).toBe(opName(first));
    expect(emu.transitions.map((t) => t.kind)).toEqual(['alias-removed', 'alias-added']);
    expect(await failure(update(a, fp, moved, randomUUID()))).toMatchObject({ code: FAILED_PRECONDITION });
  });
});

describe('rule 8: fingerprints are base64 bytes', () => {
  it('a missing fingerprint is a 400, not a 412', async () => {
    const e = await failure(update(a, undefined, []));
    expect(e).toMatchObject({ code: INVALID_ARGUMENT });
    expect(e?.message).toMatch(/fingerprint/);
  });

  it('the same bytes in URL-safe, unpadded base64 match; other bytes are 412; non-base64 is 400', async () => {
    const nic = emu.state.instance(a.zone, a.name)?.networkInterfaces[0];
    if (!nic) throw new Error('no nic');
    nic.fingerprint = Buffer.from([0xfb, 0xff, 0xbf, 0x01, 0x02, 0x03, 0x04, 0x05]).toString('base64'); // "+/+/AQIDBAU="
    const urlSafe = nic.fingerprint.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    expect(await failure(update(a, 'AAAAAAAAAAA=', []))).toMatchObject({ code: FAILED_PRECONDITION });
    expect(await failure(update(a, 'not base64!', []))).toMatchObject({ code: INVALID_ARGUMENT });
    const op = await update(a, urlSafe, []);
    expect(opName(op)).toMatch(/^operation-/);
  });
});
