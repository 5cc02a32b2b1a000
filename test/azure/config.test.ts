import { describe, expect, it } from 'vitest';
import { azureDeadlineMs } from '../../functions/azure/azure-runtime.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { AZURE_DEFAULT_DEADLINE_MS } from '../../shared/config/schema-azure.ts';

const mirror = (o: Record<string, unknown> = {}) => ({
  name: 'M',
  cloud: 'azure',
  subscriptionId: '6d6f6b65-0000-4000-8000-00000000a2e1',
  region: 'eastus2',
  resourceGroup: 'mirror-rg',
  members: [
    { name: 'a', nic: 'a-nic', healthUrl: 'https://10.0.0.4/csp/bin/mirror_status.cxw' },
    { name: 'b', nic: 'b-nic', healthUrl: 'https://10.0.0.5/csp/bin/mirror_status.cxw' },
  ],
  vips: [{ mode: 'ip-config', privateIp: '10.0.0.254' }],
  keys: [{ id: 'a-k1', member: 'a', secret: 'env:K' }],
  ...o,
});
const parse = (m: unknown) => parseConfig(JSON.stringify({ mirrors: [m] }));

describe('Azure mirror configuration', () => {
  it('defaults: ip-config named vip, 1 s polling, the Azure deadline', () => {
    const c = parse(mirror());
    expect(c.mirrors[0]).toMatchObject({ vips: [{ ipConfigName: 'vip' }], pollIntervalMs: 1000 });
    expect(azureDeadlineMs(c)).toBe(AZURE_DEFAULT_DEADLINE_MS);
    expect(azureDeadlineMs(parse(mirror({ deadlineMs: 30_000 })))).toBe(30_000);
  });

  it.each([
    ['subscriptionId', { subscriptionId: 'nope' }, /subscriptionId: must be a subscription id/],
    [
      'a route VIP without /32',
      { vips: [{ mode: 'route', cidr: '10.9.0.1', routeTables: [{ name: 'rt' }] }] },
      /vips\[0\]\.cidr: must be an IPv4 address with \/32/,
    ],
    ['a route VIP with no table', { vips: [{ mode: 'route', cidr: '10.9.0.1/32', routeTables: [] }] }, /routeTables/],
    [
      'a key held in the document',
      { keys: [{ id: 'a-k1', member: 'a', secret: 'hunter2-hunter2' }] },
      /keys\[0\]\.secret: must reference the secret/,
    ],
    [
      'a bad NIC name',
      {
        members: [
          { name: 'a', nic: 'bad name', healthUrl: 'https://x/' },
          { name: 'b', nic: 'b', healthUrl: 'https://y/' },
        ],
      },
      /members\[0\]\.nic/,
    ],
  ])('refuses %s, naming the field', (_w, o, re) => {
    expect(() => parse(mirror(o))).toThrow(re);
  });
});
