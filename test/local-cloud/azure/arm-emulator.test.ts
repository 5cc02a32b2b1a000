import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ArmState,
  type AzureEmulator,
  MIRROR,
  PUBLIC_IP_ID,
  SUBNET_ID,
  seedMirrorSubscription,
  startAzureEmulator,
} from '../../../local-cloud/azure/index.ts';
import { sdkNetworkApi } from '../../../shared/providers/azure/arm-sdk.ts';
import { apiCodeOf } from '../../../shared/providers/azure/azure-errors.ts';
import type { NetworkApi, NicEdit } from '../../../shared/providers/azure/network-api.ts';

let emu: AzureEmulator;
let api: NetworkApi;
const o = () => ({ signal: AbortSignal.timeout(5000) });
const ref = (name: string) => ({ resourceGroup: MIRROR.resourceGroup, name });
const rt = { resourceGroup: MIRROR.resourceGroup, table: 'rt-app-1', name: MIRROR.routeName };

async function put(nicName: string, edit: NicEdit) {
  const lro = await api.putNic(await api.getNic(ref(nicName), o()), edit, o());
  while (!lro.done) await lro.poll(o());
}
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => apiCodeOf(e) ?? String(e),
  );

beforeAll(async () => {
  emu = await startAzureEmulator({ state: new ArmState() });
  api = sdkNetworkApi(
    { getToken: async () => ({ token: emu.issueToken(), expiresOnTimestamp: Date.now() + 3_600_000 }) },
    MIRROR.subscriptionId,
    { endpoint: emu.url, ca: emu.ca },
  );
});
afterAll(async () => emu.close());
beforeEach(() => {
  for (const m of [emu.state.nics, emu.state.routeTables, emu.state.subnets, emu.state.publicIps]) m.clear();
  seedMirrorSubscription(emu.state, { routes: true });
  emu.reset();
});

describe('ARM emulator: NIC ip-configuration rules, through @azure/arm-network', () => {
  it('refuses to remove the primary ip-configuration', async () => {
    expect(await codeOf(put('iris-a-nic', { kind: 'remove-ip-config', name: 'ipconfig1' }))).toBe(
      'IpConfigDeleteNotSupported',
    );
  });
  it('refuses a private IP outside the subnet, and one of the five Azure reserves', async () => {
    const add = (ip: string) =>
      put('iris-b-nic', { kind: 'add-ip-config', name: 'x', privateIp: ip, subnetId: SUBNET_ID, publicIpId: null });
    expect(await codeOf(add('10.1.0.9'))).toBe('PrivateIPAddressNotInSubnet');
    expect(await codeOf(add('10.0.0.3'))).toBe('PrivateIPAddressInReservedRange');
    expect(await codeOf(add('10.0.0.255'))).toBe('PrivateIPAddressInReservedRange');
  });
  it('refuses an address already allocated on another NIC (PrivateIPAddressIsAllocated)', async () => {
    const add = put('iris-b-nic', {
      kind: 'add-ip-config',
      name: 'vip',
      privateIp: MIRROR.vip,
      subnetId: SUBNET_ID,
      publicIpId: null,
    });
    expect(await codeOf(add)).toBe('PrivateIPAddressIsAllocated');
  });
  it('refuses a public IP already referenced by another ip-configuration (PublicIPAddressInUse)', async () => {
    const add = put('iris-b-nic', {
      kind: 'add-ip-config',
      name: 'vip2',
      privateIp: '10.0.0.200',
      subnetId: SUBNET_ID,
      publicIpId: PUBLIC_IP_ID,
    });
    expect(await codeOf(add)).toBe('PublicIPAddressInUse');
  });
  it('a PUT resets what it leaves out: the ip-configuration list is replaced wholesale', async () => {
    await put('iris-a-nic', { kind: 'remove-ip-config', name: 'vip' });
    expect(emu.state.nicByName('iris-a-nic')?.ipConfigurations.map((c) => c.name)).toEqual(['ipconfig1']);
    expect(emu.transitions.map((t) => t.kind)).toEqual(['ip-config-removed', 'public-ip-detached']);
  });
  it('a stale If-Match is 412 PreconditionFailed and changes nothing', async () => {
    const nic = await api.getNic(ref('iris-a-nic'), o());
    await put('iris-a-nic', { kind: 'set-public-ip', name: 'vip', publicIpId: null });
    expect(await codeOf(api.putNic(nic, { kind: 'remove-ip-config', name: 'vip' }, o()))).toBe('PreconditionFailed');
    expect(emu.state.nicByName('iris-a-nic')?.ipConfigurations.map((c) => c.name)).toEqual(['ipconfig1', 'vip']);
  });
  it('a write while the previous one still runs is 409 AnotherOperationInProgress', async () => {
    emu.faults.operationDelayMs = 10_000;
    const nic = await api.getNic(ref('iris-a-nic'), o());
    await api.putNic(nic, { kind: 'set-public-ip', name: 'vip', publicIpId: null }, o());
    const again = await api.getNic(ref('iris-a-nic'), o());
    expect(await codeOf(api.putNic(again, { kind: 'remove-ip-config', name: 'vip' }, o()))).toBe(
      'AnotherOperationInProgress',
    );
  });
  it('answers every write with Azure-AsyncOperation and Retry-After, InProgress until the operation ends', async () => {
    emu.faults.operationDelayMs = 30;
    const lro = await api.putNic(
      await api.getNic(ref('iris-a-nic'), o()),
      { kind: 'remove-ip-config', name: 'vip' },
      o(),
    );
    expect(lro.done).toBe(false);
    while (!lro.done) await lro.poll(o());
    expect(emu.calls.filter((c) => c.op === 'operations.get').length).toBeGreaterThanOrEqual(1);
  });
});

describe('ARM emulator: routes, auth, throttling', () => {
  it('creates with If-None-Match: * (412 when it exists) and replaces with If-Match', async () => {
    expect(
      await codeOf(api.putRoute(rt, { addressPrefix: MIRROR.routeVip, nextHopIpAddress: '10.0.0.5' }, null, o())),
    ).toBe('PreconditionFailed');
    const r = await api.getRoute(rt, o());
    const lro = await api.putRoute(
      rt,
      { addressPrefix: MIRROR.routeVip, nextHopIpAddress: '10.0.0.5' },
      r?.etag ?? '',
      o(),
    );
    while (!lro.done) await lro.poll(o());
    expect((await api.getRoute(rt, o()))?.nextHopIpAddress).toBe('10.0.0.5');
    expect(await api.getRoute({ ...rt, name: 'absent' }, o())).toBeNull();
  });
  it('throttles with 429 and Retry-After, and answers 5xx when told to', async () => {
    emu.faults.throttle = { remaining: 1, retryAfterSeconds: 7 };
    const e = await api.getNic(ref('iris-a-nic'), o()).catch((x: unknown) => x as { detail: Record<string, unknown> });
    expect(e).toMatchObject({ name: 'TransientError', detail: { apiCode: 'TooManyRequests', retryAfterMs: 7000 } });
    emu.faults.unavailable = { remaining: 1 };
    expect(await codeOf(api.getNic(ref('iris-a-nic'), o()))).toBe('ServiceUnavailable');
  });
  it('refuses plain-trust TLS and an unknown bearer token, and records every call', async () => {
    const plain = await fetch(
      `${emu.url}/subscriptions/${MIRROR.subscriptionId}/resourceGroups/${MIRROR.resourceGroup}/providers/Microsoft.Network/networkInterfaces/iris-a-nic?api-version=2026-01-01`,
    ).catch((e: unknown) => e);
    // node's fetch does not trust the self-signed certificate: the emulator is HTTPS only
    expect(plain).toBeInstanceOf(Error);
    const noAuth = await codeOf(
      sdkNetworkApi(
        { getToken: async () => ({ token: 'forged', expiresOnTimestamp: Date.now() + 60_000 }) },
        MIRROR.subscriptionId,
        { endpoint: emu.url, ca: emu.ca },
      ).getNic(ref('iris-a-nic'), o()),
    );
    expect(noAuth).toBe('InvalidAuthenticationToken');
    expect(emu.calls.map((c) => [c.op, c.status])).toContainEqual(['networkInterfaces.get', 401]);
  });
});
