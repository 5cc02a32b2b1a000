import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GcpEmulator, MIRROR, startGcpEmulator } from '../../local-cloud/gcp/index.ts';
import { gcloudRunner, requireGcloud } from './references.ts';

/**
 * The GCP emulator answering the real gcloud CLI (an independent client: apitools, its own serialisation and
 * operation polling) for every Compute call the provider makes, and gcloud accepting every answer.
 */
let emu: GcpEmulator;
let config: string;

beforeAll(async () => {
  requireGcloud();
  emu = await startGcpEmulator({ operationDelayMs: 50 });
  config = mkdtempSync(join(tmpdir(), 'mirror-vip-gcloud-'));
}, 60_000);
afterAll(async () => {
  await emu?.close();
  if (config) rmSync(config, { recursive: true, force: true });
});

const compute = gcloudRunner({
  config: () => config,
  project: MIRROR.project,
  overrides: () => ({ CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${emu.url}/compute/v1/` }),
});
const gcloud = (args: string[]) => compute(['compute', ...args]);
const { primary: a, backup: b } = MIRROR;
/** The emulator's answers to the calls since `from`, as `op status` pairs. */
const answered = (from: number) => emu.calls.slice(from).map((c) => `${c.op} ${c.status}`);

describe('gcloud compute against the GCP emulator', () => {
  it('instances describe (instances.get): gcloud reads the NIC, its fingerprint, aliases and access config', async () => {
    const r = await gcloud(['instances', 'describe', a.name, '--zone', a.zone, '--format=json']);
    expect(r.code, r.stderr).toBe(0);
    const nic = (JSON.parse(r.stdout) as { networkInterfaces: Record<string, unknown>[] }).networkInterfaces[0];
    expect(nic).toMatchObject({ name: 'nic0', aliasIpRanges: [{ ipCidrRange: MIRROR.vip }] });
    expect(nic?.accessConfigs).toMatchObject([{ natIP: MIRROR.externalIp, networkTier: 'PREMIUM' }]);
    expect(String(nic?.fingerprint)).toMatch(/^[A-Za-z0-9_=+/-]+$/);
  }, 90_000);

  it('instances list (instances.aggregatedList): gcloud shows each instance in its zone, with its internal IP', async () => {
    const from = emu.calls.length;
    const r = await gcloud(['instances', 'list', '--format=json(name,zone.basename(),networkInterfaces[0].networkIP)']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; zone: string; networkInterfaces: { networkIP: string }[] }[];
    expect(rows.map((i) => [i.name, i.zone, i.networkInterfaces[0]?.networkIP])).toEqual([
      [a.name, a.zone, a.networkIP],
      [b.name, b.zone, b.networkIP],
    ]);
    expect(answered(from)).toEqual(['instances.aggregatedList 200']);
    const table = await gcloud(['instances', 'list', `--filter=name=${b.name}`]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${b.name}\\s+${b.zone}\\s`, 'm'));
    expect(table.stdout).not.toContain(a.name);
  }, 90_000);

  it('addresses list (addresses.aggregatedList) and --regions (addresses.list): the reserved address, IN_USE', async () => {
    const from = emu.calls.length;
    const all = await gcloud(['addresses', 'list', '--format=value(name,address,status,region.basename())']);
    expect(all.code, all.stderr).toBe(0);
    const row = [MIRROR.externalAddressName, MIRROR.externalIp, 'IN_USE', MIRROR.region].join('\t');
    expect(all.stdout.trim()).toBe(row);
    const regional = await gcloud([
      'addresses',
      'list',
      `--regions=${MIRROR.region}`,
      '--format=value(name,address,status,region.basename())',
    ]);
    expect(regional.code, regional.stderr).toBe(0);
    expect(regional.stdout.trim()).toBe(row);
    const one = await gcloud([
      'addresses',
      'describe',
      MIRROR.externalAddressName,
      `--region=${MIRROR.region}`,
      '--format=value(users[0].basename())',
    ]);
    expect(one.stdout.trim()).toBe(a.name);
    expect(answered(from)).toEqual(['addresses.aggregatedList 200', 'addresses.list 200', 'addresses.get 200']);
  }, 120_000);

  it('network-interfaces update --aliases "" (get, updateNetworkInterface with [] and the fingerprint gcloud re-encodes, zoneOperations.wait)', async () => {
    const from = emu.calls.length;
    const r = await gcloud(['instances', 'network-interfaces', 'update', a.name, '--zone', a.zone, '--aliases', '']);
    expect(r.code, r.stderr).toBe(0);
    expect(answered(from)).toEqual(
      expect.arrayContaining(['instances.updateNetworkInterface 200', 'zoneOperations.wait 200']),
    );
    expect(emu.state.instance(a.zone, a.name)?.networkInterfaces[0]?.aliasIpRanges).toEqual([]);
  }, 90_000);

  it('delete-access-config then add-access-config with the tier (deleteAccessConfig, addAccessConfig, waits)', async () => {
    const from = emu.calls.length;
    const del = await gcloud([
      'instances',
      'delete-access-config',
      a.name,
      '--zone',
      a.zone,
      '--access-config-name',
      'vip',
    ]);
    expect(del.code, del.stderr).toBe(0);
    const add = await gcloud([
      'instances',
      'add-access-config',
      b.name,
      '--zone',
      b.zone,
      '--access-config-name',
      'vip',
      '--address',
      MIRROR.externalIp,
      '--network-tier',
      'PREMIUM',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(answered(from)).toEqual(
      expect.arrayContaining([
        'instances.deleteAccessConfig 200',
        'instances.addAccessConfig 200',
        'zoneOperations.wait 200',
      ]),
    );
    expect(emu.state.instance(b.zone, b.name)?.networkInterfaces[0]?.accessConfigs).toMatchObject([
      { name: 'vip', natIP: MIRROR.externalIp, networkTier: 'PREMIUM' },
    ]);
  }, 120_000);

  it('network-interfaces update with a secondary-range alias: gcloud sends subnetworkRangeName and reads it back', async () => {
    const r = await gcloud([
      'instances',
      'network-interfaces',
      'update',
      b.name,
      '--zone',
      b.zone,
      '--aliases',
      `pods:10.4.0.0/24;${MIRROR.vip}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(emu.state.instance(b.zone, b.name)?.networkInterfaces[0]?.aliasIpRanges).toEqual([
      { ipCidrRange: '10.4.0.0/24', subnetworkRangeName: 'pods' },
      { ipCidrRange: MIRROR.vip },
    ]);
  }, 90_000);

  it('a second access config is refused, and gcloud shows the API’s own message', async () => {
    const r = await gcloud(['instances', 'add-access-config', b.name, '--zone', b.zone, '--access-config-name', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/At most one access config currently supported/);
  }, 90_000);

  it('routes create / list --filter / describe / delete (routes.insert, list, get, delete, globalOperations.wait)', async () => {
    const from = emu.calls.length;
    const create = await gcloud([
      'routes',
      'create',
      'mirror-vip-conformance',
      '--network',
      'default',
      '--destination-range',
      MIRROR.routeVip,
      '--next-hop-instance',
      b.name,
      '--next-hop-instance-zone',
      b.zone,
      '--priority',
      '999',
    ]);
    expect(create.code, create.stderr).toBe(0);
    const list = await gcloud([
      'routes',
      'list',
      `--filter=destRange="${MIRROR.routeVip}"`,
      '--format=value(name,priority)',
    ]);
    expect(list.stdout.trim()).toBe('mirror-vip-conformance\t999');
    const got = await gcloud(['routes', 'describe', 'mirror-vip-conformance', '--format=value(nextHopInstance)']);
    expect(got.stdout.trim()).toMatch(/zones\/us-east1-c\/instances\/iris-b$/);
    const del = await gcloud(['routes', 'delete', 'mirror-vip-conformance']);
    expect(del.code, del.stderr).toBe(0);
    expect(answered(from)).toEqual(
      expect.arrayContaining([
        'routes.insert 200',
        'routes.list 200',
        'routes.get 200',
        'routes.delete 200',
        'globalOperations.wait 200',
      ]),
    );
    expect(emu.state.routes.size).toBe(0);
  }, 180_000);

  it('a route overlapping the subnet is refused, with the reason gcloud prints', async () => {
    const r = await gcloud([
      'routes',
      'create',
      'inside',
      '--network',
      'default',
      '--destination-range',
      MIRROR.vip,
      '--next-hop-instance',
      a.name,
      '--next-hop-instance-zone',
      a.zone,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/overlaps the primary range 10\.0\.0\.0\/16/);
  }, 90_000);
});
