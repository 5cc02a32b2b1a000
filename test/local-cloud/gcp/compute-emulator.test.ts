import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client.js';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client.js';
import { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';
import { type AuthClient, PassThroughClient } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ComputeState,
  type GcpEmulator,
  MIRROR,
  seedMirrorProject,
  serialRounds,
  startGcpEmulator,
} from '../../../local-cloud/gcp/index.ts';

// gRPC codes the 7.x client puts in `e.code` for HTTP statuses
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const FAILED_PRECONDITION = 9;
const ABORTED = 10; // 409
const UNAVAILABLE = 14;

/**
 * The client drops empty repeated fields from request bodies, so `aliasIpRanges: []` reaches the API as
 * "absent" = "leave unchanged". This gaxios request interceptor puts back, as `[]`, each field named in
 * the per-call header — the same trick as gcloud's `IncludeFields` and Go's `ForceSendFields`.
 */
const SEND_EMPTY = 'x-mirror-vip-send-empty';
function sendEmptyFieldsOnRequest(auth: AuthClient): void {
  auth.transporter.interceptors.request.add({
    resolved: async (config) => {
      const fields = config.headers.get(SEND_EMPTY);
      if (!fields || typeof config.body !== 'string') return config;
      config.headers.delete(SEND_EMPTY);
      const body = JSON.parse(config.body) as Record<string, unknown>;
      for (const field of fields.split(',')) body[field.trim()] ??= [];
      config.body = JSON.stringify(body);
      return config;
    },
  });
}

const { project, primary: a, backup: b } = MIRROR;
let emu: GcpEmulator;
let instances: InstancesClient;
let routes: RoutesClient;
let zoneOps: ZoneOperationsClient;
let globalOps: GlobalOperationsClient;

beforeAll(async () => {
  emu = await startGcpEmulator();
  const authClient = new PassThroughClient();
  sendEmptyFieldsOnRequest(authClient);
  const opts = { apiEndpoint: '127.0.0.1', port: emu.port, protocol: 'http', authClient };
  instances = new InstancesClient(opts);
  routes = new RoutesClient(opts);
  zoneOps = new ZoneOperationsClient(opts);
  globalOps = new GlobalOperationsClient(opts);
});
afterEach(() => emu.reset());
afterAll(async () => {
  await Promise.all([instances.close(), routes.close(), zoneOps.close(), globalOps.close()]);
  await emu.close();
});

const getNic = async (who: { name: string; zone: string }) => {
  const [inst] = await instances.get({ project, zone: who.zone, instance: who.name });
  const nic = inst.networkInterfaces?.[0];
  if (!nic) throw new Error('no nic0');
  return nic;
};
/** Alias ranges as strings: the decoded messages also carry `_ipCidrRange` oneof markers. */
const ranges = (nic: { aliasIpRanges?: { ipCidrRange?: string | null }[] | null }) =>
  (nic.aliasIpRanges ?? []).map((r) => r.ipCidrRange);
const waitZone = async (zone: string, op: { latestResponse: unknown }) => {
  const name = (op.latestResponse as { name: string }).name;
  const [done] = await zoneOps.wait({ project, zone, operation: name });
  return done;
};
const setAliases = (who: { name: string; zone: string }, fingerprint: string, cidrs: string[], clear = false) =>
  instances.updateNetworkInterface(
    {
      project,
      zone: who.zone,
      instance: who.name,
      networkInterface: 'nic0',
      networkInterfaceResource: { fingerprint, aliasIpRanges: cidrs.map((ipCidrRange) => ({ ipCidrRange })) },
    },
    clear ? { otherArgs: { headers: { [SEND_EMPTY]: 'aliasIpRanges' } } } : {},
  );
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );

describe('instances.get', () => {
  it('returns the seeded instance with the real resource shape', async () => {
    const [inst] = await instances.get({ project, zone: a.zone, instance: a.name });
    expect(inst).toMatchObject({ kind: 'compute#instance', name: 'iris-a', status: 'RUNNING' });
    expect(inst.id).toMatch(/^\d+$/);
    expect(inst.selfLink).toBe(
      `https://www.googleapis.com/compute/v1/projects/${project}/zones/${a.zone}/instances/iris-a`,
    );
    const nic = inst.networkInterfaces?.[0];
    expect(nic).toMatchObject({ name: 'nic0', networkIP: '10.0.1.10', aliasIpRanges: [{ ipCidrRange: MIRROR.vip }] });
    expect(nic?.accessConfigs?.[0]).toMatchObject({ name: 'vip', natIP: MIRROR.externalIp, type: 'ONE_TO_ONE_NAT' });
    expect(nic?.fingerprint).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(emu.calls).toMatchObject([{ method: 'GET', op: 'instances.get', write: false, status: 200 }]);
  });

  it('lists the instances of a zone, with a name filter', async () => {
    const [all] = await instances.list({ project, zone: b.zone });
    expect(all.map((i) => i.name)).toEqual(['iris-b']);
    const [none] = await instances.list({ project, zone: b.zone, filter: 'name = "iris-a"' });
    expect(none).toEqual([]);
  });

  it('answers 404 notFound for a missing instance', async () => {
    const e = await rejection(instances.get({ project, zone: a.zone, instance: 'nope' }));
    expect(e).toMatchObject({ code: NOT_FOUND });
    expect(emu.calls[0]).toMatchObject({ status: 404, errorReason: 'notFound' });
  });
});

describe('instances.updateNetworkInterface', () => {
  it('moves the alias with fresh fingerprints and records the transitions', async () => {
    const before = await getNic(a);
    await waitZone(a.zone, (await setAliases(a, before.fingerprint ?? '', [], true))[0]);
    const nicB = await getNic(b);
    const [op] = await setAliases(b, nicB.fingerprint ?? '', [MIRROR.vip]);
    expect((await waitZone(b.zone, op)).status).toBe('DONE');
    const afterA = await getNic(a);
    expect(ranges(afterA)).toEqual([]);
    expect(afterA.fingerprint).not.toBe(before.fingerprint);
    expect(ranges(await getNic(b))).toEqual([MIRROR.vip]);
    expect(emu.transitions.map((t) => `${t.kind}:${t.detail.instance}`)).toEqual([
      'alias-removed:iris-a',
      'alias-added:iris-b',
    ]);
  });

  it('keeps the aliases when the client drops an empty aliasIpRanges (absent = unchanged)', async () => {
    const { fingerprint } = await getNic(a);
    const [op] = await setAliases(a, fingerprint ?? '', []);
    expect((await waitZone(a.zone, op)).error).toBeFalsy();
    expect(ranges(await getNic(a))).toEqual([MIRROR.vip]);
    expect(emu.transitions).toEqual([]);
  });

  it('refuses a stale fingerprint with 412 conditionNotMet', async () => {
    const e = await rejection(setAliases(b, 'c3RhbGUxMjM=', [MIRROR.vip]));
    expect(e).toMatchObject({ code: FAILED_PRECONDITION, message: expect.stringContaining('Invalid fingerprint') });
    expect(emu.calls.at(-1)).toMatchObject({ status: 412, errorReason: 'conditionNotMet', write: true });
  });

  it('staleFingerprint fault: a concurrent writer changes the NIC between read and write', async () => {
    emu.faults.staleFingerprint = { remaining: 1 };
    const { fingerprint } = await getNic(b);
    expect(await rejection(setAliases(b, fingerprint ?? '', ['10.0.0.251/32']))).toMatchObject({
      code: FAILED_PRECONDITION,
    });
    const fresh = await getNic(b);
    await waitZone(b.zone, (await setAliases(b, fresh.fingerprint ?? '', ['10.0.0.251/32']))[0]);
    expect(ranges(await getNic(b))).toEqual(['10.0.0.251/32']);
  });

  it('fails the operation with IP_IN_USE_BY_ANOTHER_RESOURCE when another NIC holds the range', async () => {
    const { fingerprint } = await getNic(b);
    const done = await waitZone(b.zone, (await setAliases(b, fingerprint ?? '', ['10.0.0.250']))[0]);
    expect(done).toMatchObject({ status: 'DONE', httpErrorStatusCode: 409 });
    expect(done.error?.errors?.[0]?.code).toBe('IP_IN_USE_BY_ANOTHER_RESOURCE');
    expect(ranges(await getNic(b))).toEqual([]);
    expect((await getNic(b)).fingerprint).toBe(fingerprint);
  });
});

describe('access configs', () => {
  const nicArgs = (who: { name: string; zone: string }) => ({
    project,
    zone: who.zone,
    instance: who.name,
    networkInterface: 'nic0',
  });
  const addVip = (who: { name: string; zone: string }) =>
    instances.addAccessConfig({
      ...nicArgs(who),
      accessConfigResource: { name: 'vip', natIP: MIRROR.externalIp, type: 'ONE_TO_ONE_NAT' },
    });

  it('moves the external IP: delete on iris-a, add on iris-b', async () => {
    const before = await getNic(a);
    await waitZone(a.zone, (await instances.deleteAccessConfig({ ...nicArgs(a), accessConfig: 'vip' }))[0]);
    await waitZone(b.zone, (await addVip(b))[0]);
    const afterA = await getNic(a);
    expect(afterA.accessConfigs).toEqual([]);
    expect(afterA.fingerprint).not.toBe(before.fingerprint);
    expect((await getNic(b)).accessConfigs?.[0]).toMatchObject({ name: 'vip', natIP: MIRROR.externalIp });
    expect(emu.transitions.map((t) => t.kind)).toEqual(['access-config-removed', 'access-config-added']);
  });

  it('refuses a second access config on nic0 with 400 badRequest', async () => {
    expect(await rejection(addVip(a))).toMatchObject({
      code: INVALID_ARGUMENT,
      message: expect.stringContaining('At most one'),
    });
  });

  it('fails the operation when the external IP is held by another instance', async () => {
    const done = await waitZone(b.zone, (await addVip(b))[0]);
    expect(done.error?.errors?.[0]?.code).toBe('IP_IN_USE_BY_ANOTHER_RESOURCE');
    expect((await getNic(b)).accessConfigs).toEqual([]);
  });

  it('refuses to delete a missing access config with 400 invalid', async () => {
    const e = await rejection(instances.deleteAccessConfig({ ...nicArgs(b), accessConfig: 'vip' }));
    expect(e).toMatchObject({ code: INVALID_ARGUMENT });
    expect(emu.calls.at(-1)?.errorReason).toBe('invalid');
  });
});

describe('routes', () => {
  const routeResource = (name: string) => ({
    name,
    network: 'global/networks/default',
    destRange: MIRROR.routeVip,
    nextHopInstance: `zones/${b.zone}/instances/${b.name}`,
    priority: 100,
  });
  const waitGlobal = async (op: { latestResponse: unknown }) =>
    (await globalOps.wait({ project, operation: (op.latestResponse as { name: string }).name }))[0];

  it('inserts, lists with a filter, gets and deletes', async () => {
    expect(
      (await waitGlobal((await routes.insert({ project, routeResource: routeResource('mirror-vip-b') }))[0])).status,
    ).toBe('DONE');
    const [listed] = await routes.list({ project, filter: 'name = "mirror-vip-b"' });
    expect(listed.map((r) => r.name)).toEqual(['mirror-vip-b']);
    const [route] = await routes.get({ project, route: 'mirror-vip-b' });
    expect(route.nextHopInstance).toBe(
      `https://www.googleapis.com/compute/v1/projects/${project}/zones/${b.zone}/instances/iris-b`,
    );
    await waitGlobal((await routes.delete({ project, route: 'mirror-vip-b' }))[0]);
    expect(emu.state.routes.size).toBe(0);
    expect(emu.transitions.map((t) => t.kind)).toEqual(['route-added', 'route-removed']);
  });

  it('answers 409 alreadyExists for a duplicate name and 404 for a missing route', async () => {
    await waitGlobal((await routes.insert({ project, routeResource: routeResource('r1') }))[0]);
    expect(await rejection(routes.insert({ project, routeResource: routeResource('r1') }))).toMatchObject({
      code: ABORTED,
    });
    expect(await rejection(routes.delete({ project, route: 'r2' }))).toMatchObject({ code: NOT_FOUND });
    expect(emu.calls.filter((c) => c.status >= 400).map((c) => c.errorReason)).toEqual(['alreadyExists', 'notFound']);
  });
});

describe('operations', () => {
  it('stays RUNNING for operationDelayMs and applies the change only at DONE', async () => {
    // the operation's timer runs on the test's clock (only setTimeout is faked): no load can make it DONE early or late
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      emu.faults.operationDelayMs = 40;
      const { fingerprint } = await getNic(a);
      const [op] = await setAliases(a, fingerprint ?? '', [], true);
      const name = (op.latestResponse as { name: string }).name;
      const status = async () => (await zoneOps.get({ project, zone: a.zone, operation: name }))[0].status;
      expect(op.latestResponse).toMatchObject({ status: 'RUNNING', operationType: 'updateNetworkInterface' });
      vi.advanceTimersByTime(39);
      expect(await status()).toBe('RUNNING');
      expect((await getNic(a)).aliasIpRanges).toHaveLength(1);
      expect(emu.transitions).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(await status()).toBe('DONE');
      expect(ranges(await getNic(a))).toEqual([]);
      expect((await zoneOps.wait({ project, zone: a.zone, operation: name }))[0].status).toBe('DONE');
      expect(emu.transitions).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('failOperation: the operation resolves DONE with an error and nothing changes', async () => {
    emu.faults.failOperation = { remaining: 1, ops: ['instances.deleteAccessConfig'] };
    const [op] = await instances.deleteAccessConfig({
      project,
      zone: a.zone,
      instance: a.name,
      networkInterface: 'nic0',
      accessConfig: 'vip',
    });
    const done = await waitZone(a.zone, op);
    expect(done).toMatchObject({
      status: 'DONE',
      httpErrorStatusCode: 500,
      error: { errors: [{ code: 'INTERNAL_ERROR' }] },
    });
    expect((await getNic(a)).accessConfigs).toHaveLength(1);
    expect(emu.transitions).toEqual([]);
  });
});

describe('fault injection', () => {
  it('403 rateLimitExceeded (what Compute answers when rate-limited) is not retried by the client and changes nothing', async () => {
    emu.faults.throttle = { remaining: 1, ops: ['routes.delete'] };
    emu.state.routes.clear();
    const e = await rejection(routes.delete({ project, route: 'x' }));
    expect(e).toMatchObject({ code: PERMISSION_DENIED });
    expect(emu.calls.map((c) => [c.status, c.errorReason])).toEqual([[403, 'rateLimitExceeded']]);
  });

  it('503 backendError: a mutation fails at once, a get is retried', async () => {
    emu.faults.unavailable = { remaining: 2 };
    expect(await rejection(routes.delete({ project, route: 'x' }))).toMatchObject({ code: UNAVAILABLE });
    const [inst] = await instances.get({ project, zone: b.zone, instance: b.name });
    expect(inst.name).toBe('iris-b');
    expect(emu.calls.map((c) => c.status)).toEqual([503, 503, 200]);
  });
});

describe('call log', () => {
  it('serialRounds counts parallel calls as one round and sequential ones as several', async () => {
    emu.faults.latencyMs = 50;
    await Promise.all([getNic(a), getNic(b)]);
    expect(serialRounds(emu.calls)).toBe(1);
    await getNic(a);
    expect(serialRounds(emu.calls)).toBe(2);
    expect(serialRounds([])).toBe(0);
  });

  it('records unknown paths and caps request bodies', async () => {
    const unknown = await fetch(`${emu.url}/compute/v1/projects/${project}/global/firewalls`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason).toBe(
      'notFound',
    );
    const big = await fetch(`${emu.url}/compute/v1/projects/${project}/global/routes`, {
      method: 'POST',
      body: 'x'.repeat(2 << 20),
    });
    expect(big.status).toBe(413);
    expect(emu.calls.map((c) => c.op)).toEqual(['unknown', 'routes.insert']);
  });

  it('reset restores the seeded state', async () => {
    emu.state.instances.clear();
    emu.reset();
    expect(ranges(await getNic(a))).toEqual([MIRROR.vip]);
  });
});

describe('seedMirrorProject', () => {
  it('route mode: a given state with the static route is served as is', async () => {
    const state = new ComputeState();
    seedMirrorProject(state, { route: true, alias: false });
    const routeEmu = await startGcpEmulator({ state, operationDelayMs: 5 });
    const client = new RoutesClient({
      apiEndpoint: '127.0.0.1',
      port: routeEmu.port,
      protocol: 'http',
      authClient: new PassThroughClient(),
    });
    try {
      const [listed] = await client.list({ project });
      expect(listed.map((r) => [r.name, r.destRange, r.nextHopInstance?.endsWith('/iris-a')])).toEqual([
        [MIRROR.routeName, MIRROR.routeVip, true],
      ]);
      expect(state.instance(a.zone, a.name)?.networkInterfaces[0]?.aliasIpRanges).toEqual([]);
      expect(routeEmu.faults.operationDelayMs).toBe(5);
    } finally {
      await client.close();
      await routeEmu.close();
    }
  });
});
