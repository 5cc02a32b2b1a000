import { AddressesClient } from '@google-cloud/compute/build/src/v1/addresses_client.js';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GcpEmulator, MIRROR, startGcpEmulator } from '../../../local-cloud/gcp/index.ts';

// instances.aggregatedList, addresses.list/get/aggregatedList through the real @google-cloud/compute client (REST).
const { project, region, primary: a, backup: b } = MIRROR;
let emu: GcpEmulator;
let instances: InstancesClient;
let addresses: AddressesClient;

beforeAll(async () => {
  emu = await startGcpEmulator();
  const opts = { apiEndpoint: '127.0.0.1', port: emu.port, protocol: 'http', authClient: new PassThroughClient() };
  instances = new InstancesClient(opts);
  addresses = new AddressesClient(opts);
});
afterAll(async () => emu.close());

const NO_RETRY = { timeout: 10_000, maxRetries: 0 };

describe('GCP emulator: the list calls an operator or gcloud makes', () => {
  it('instances.aggregatedList: each instance under its zone scope, as instances.list has it', async () => {
    const scopes: Record<string, string[]> = {};
    for await (const [scope, list] of instances.aggregatedListAsync({ project }, NO_RETRY)) {
      scopes[scope] = (list.instances ?? []).map((i) => String(i.name));
    }
    expect(scopes).toEqual({ [`zones/${a.zone}`]: [a.name], [`zones/${b.zone}`]: [b.name] });
    const [listed] = await instances.list({ project, zone: a.zone }, NO_RETRY);
    const aggregated = [];
    for await (const [, list] of instances.aggregatedListAsync({ project }, NO_RETRY))
      aggregated.push(...(list.instances ?? []));
    expect(aggregated.find((i) => i.name === a.name)).toEqual(listed[0]);
  });

  it('pages by maxResults (0–500) and nextPageToken, which the client follows to the end', async () => {
    emu.calls.length = 0;
    const names: string[] = [];
    for await (const [, list] of instances.aggregatedListAsync({ project, maxResults: 1 }, NO_RETRY)) {
      names.push(...(list.instances ?? []).map((i) => String(i.name)));
    }
    expect(names.sort()).toEqual([a.name, b.name].sort());
    expect(emu.calls.filter((c) => c.op === 'instances.aggregatedList')).toHaveLength(2);
    expect(emu.calls[1]?.path).toContain('pageToken=');
    const tooMany = instances.aggregatedListAsync({ project, maxResults: 501 }, NO_RETRY)[Symbol.asyncIterator]();
    await expect(tooMany.next()).rejects.toMatchObject({ message: expect.stringContaining('maxResults') });
    const [first] = await instances.list(
      { project, zone: a.zone, maxResults: 1 },
      { ...NO_RETRY, autoPaginate: false },
    );
    expect(first).toHaveLength(1);
  });

  it('instances.aggregatedList honours filter', async () => {
    const names: string[] = [];
    const request = { project, filter: `name = "${b.name}"` };
    for await (const [, list] of instances.aggregatedListAsync(request, NO_RETRY)) {
      names.push(...(list.instances ?? []).map((i) => String(i.name)));
    }
    expect(names).toEqual([b.name]);
  });

  it('addresses.list and get: the reserved external address, IN_USE by the instance that holds it', async () => {
    const [list] = await addresses.list({ project, region }, NO_RETRY);
    expect(list).toMatchObject([
      {
        name: MIRROR.externalAddressName,
        address: MIRROR.externalIp,
        addressType: 'EXTERNAL',
        networkTier: 'PREMIUM',
        status: 'IN_USE',
        users: [expect.stringMatching(new RegExp(`/zones/${a.zone}/instances/${a.name}$`))],
        region: expect.stringMatching(new RegExp(`/regions/${region}$`)),
      },
    ]);
    const [one] = await addresses.get({ project, region, address: MIRROR.externalAddressName }, NO_RETRY);
    expect(one).toEqual(list[0]);
    const [elsewhere] = await addresses.list({ project, region: 'europe-west1' }, NO_RETRY);
    expect(elsewhere).toEqual([]);
  });

  it('an address nobody holds is RESERVED with no users; an unknown one is 404', async () => {
    const nic = emu.state.instance(a.zone, a.name)?.networkInterfaces[0];
    const saved = nic?.accessConfigs.splice(0);
    try {
      const [one] = await addresses.get({ project, region, address: MIRROR.externalAddressName }, NO_RETRY);
      expect([one.status, one.users]).toEqual(['RESERVED', []]);
    } finally {
      nic?.accessConfigs.push(...(saved ?? []));
    }
    await expect(addresses.get({ project, region, address: 'nope' }, NO_RETRY)).rejects.toMatchObject({ code: 5 });
  });

  it('addresses.aggregatedList: the address under its region scope', async () => {
    const scopes: Record<string, string[]> = {};
    for await (const [scope, list] of addresses.aggregatedListAsync({ project }, NO_RETRY)) {
      scopes[scope] = (list.addresses ?? []).map((x) => String(x.name));
    }
    expect(scopes).toEqual({ [`regions/${region}`]: [MIRROR.externalAddressName] });
    expect(emu.calls.every((c) => !c.write)).toBe(true);
  });
});
