import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveKeys } from '../../shared/config/secrets.ts';
import { configErrorOf } from '../support/expect-error.ts';

const good = () => ({
  mirrors: [
    {
      name: 'IRISMIRROR',
      cloud: 'gcp',
      project: 'iris-prod-123',
      members: [
        {
          name: 'iris-a',
          instance: 'isc-primary-001',
          zone: 'us-west1-a',
          healthUrl: 'http://10.0.0.3:52773/csp/bin/mirror_status.cxw',
        },
        {
          name: 'iris-b',
          instance: 'isc-backup-001',
          zone: 'us-west1-b',
          healthUrl: 'http://10.0.0.4:52773/csp/bin/mirror_status.cxw',
          instanceId: '4412345678901234567',
        },
      ],
      vips: [
        { mode: 'alias-ip', cidr: '10.0.0.250/32', accessConfig: { name: 'isc-mirror', natIP: '34.83.10.20' } },
        { mode: 'route', cidr: '192.168.100.250/32', network: 'isc-vpc' },
      ],
      keys: [
        { id: 'iris-a-1', member: 'iris-a', secret: 'env:KEY_A' },
        {
          id: 'iris-b-1',
          member: 'iris-b',
          secret: 'gcp-sm:projects/iris-prod-123/secrets/mirror-vip-iris-b-1/versions/latest',
        },
      ],
    },
  ],
});
type Doc = ReturnType<typeof good>;
const mirror = (d: Doc) => d.mirrors[0] as Doc['mirrors'][number];

describe('GCP configuration', () => {
  it('accepts a valid document, derives the region from the zones and fills the defaults', () => {
    const m = parseConfig(JSON.stringify(good())).mirrors[0];
    if (m?.cloud !== 'gcp') throw new Error('expected a GCP mirror');
    expect(m.region).toBe('us-west1');
    expect(m.vips[1]).toMatchObject({ mode: 'route', priority: 1000 });
    expect(m.health).toEqual({ enabled: true, timeoutMs: 1500, confirmWindowMs: 3000, probe: { kind: 'iris' } });
  });

  it('keeps an explicit region and defaults the access config name', () => {
    const doc = good();
    Object.assign(mirror(doc), { region: 'us-west1' });
    Object.assign(mirror(doc).vips[0] as object, { accessConfig: { natIP: '34.83.10.20' } });
    const m = parseConfig(JSON.stringify(doc)).mirrors[0];
    expect(m?.region).toBe('us-west1');
    expect(m?.vips[0]).toMatchObject({ accessConfig: { name: 'vip', natIP: '34.83.10.20' } });
  });

  it.each([
    [
      'an instance name with capitals',
      (d: Doc) => Object.assign(mirror(d).members[0] as object, { instance: 'Primary' }),
      'mirrors[0].members[0].instance',
    ],
    [
      'a zone without its letter',
      (d: Doc) => Object.assign(mirror(d).members[1] as object, { zone: 'us-west1' }),
      'mirrors[0].members[1].zone',
    ],
    [
      'a VIP that is not /32',
      (d: Doc) => Object.assign(mirror(d).vips[0] as object, { cidr: '10.0.0.0/24' }),
      'mirrors[0].vips[0].cidr',
    ],
    [
      'a natIP with a prefix',
      (d: Doc) => Object.assign(mirror(d).vips[0] as object, { accessConfig: { natIP: '34.83.10.20/32' } }),
      'mirrors[0].vips[0].accessConfig.natIP',
    ],
    [
      'a route without its network',
      (d: Doc) => Object.assign(mirror(d).vips[1] as object, { network: undefined }),
      'mirrors[0].vips[1].network',
    ],
    [
      'a route priority out of range',
      (d: Doc) => Object.assign(mirror(d).vips[1] as object, { priority: 0 }),
      'mirrors[0].vips[1].priority',
    ],
    [
      'an unknown VIP mode',
      (d: Doc) => Object.assign(mirror(d).vips[1] as object, { mode: 'eip' }),
      'mirrors[0].vips[1].mode',
    ],
    [
      'a project id that is not one',
      (d: Doc) => Object.assign(mirror(d), { project: 'My Project' }),
      'mirrors[0].project',
    ],
    [
      'an AWS field on a GCP mirror',
      (d: Doc) => Object.assign(mirror(d).members[0] as object, { eniId: 'eni-0123456789abcdef0' }),
      'mirrors[0].members[0]',
    ],
    [
      'an ssm: secret (AWS only)',
      (d: Doc) => Object.assign(mirror(d).keys[0] as object, { secret: 'ssm:/mirror-vip/k' }),
      'mirrors[0].keys[0].secret',
    ],
    [
      'a gcp-sm secret that is not a version',
      (d: Doc) => Object.assign(mirror(d).keys[1] as object, { secret: 'gcp-sm:projects/p/secrets/s' }),
      'mirrors[0].keys[1].secret',
    ],
    [
      'an inline secret',
      (d: Doc) => Object.assign(mirror(d).keys[0] as object, { secret: 'hunter2hunter2hunter2hunter2hunter2' }),
      'mirrors[0].keys[0].secret',
    ],
    [
      'alias-ip members in two regions',
      (d: Doc) => Object.assign(mirror(d).members[1] as object, { zone: 'us-east1-b' }),
      'mirrors[0].members',
    ],
    ['one member only', (d: Doc) => mirror(d).members.pop(), 'mirrors[0].members'],
  ])('refuses %s, naming the field', (_what, mutate, field) => {
    const doc = good();
    mutate(doc);
    const e = configErrorOf(() => parseConfig(JSON.stringify(doc)));
    expect(e.code).toBe('config_invalid');
    expect(e.message).toContain(field);
  });

  it('allows route-mode members in different regions (routes are global)', () => {
    const doc = good();
    mirror(doc).vips.shift();
    Object.assign(mirror(doc).members[1] as object, { zone: 'us-east1-b' });
    expect(parseConfig(JSON.stringify(doc)).mirrors[0]?.region).toBe('us-west1');
  });

  it('accepts AWS and GCP mirrors side by side', () => {
    const aws = {
      name: 'OTHER',
      cloud: 'aws',
      region: 'us-east-1',
      members: [
        { name: 'a', instanceId: 'i-0aaaaaaaaaaaaaaa1', eniId: 'eni-0aaaaaaaaaaaaaaa1', healthUrl: 'http://10.1.0.1/' },
        { name: 'b', instanceId: 'i-0bbbbbbbbbbbbbbb2', eniId: 'eni-0bbbbbbbbbbbbbbb2', healthUrl: 'http://10.1.0.2/' },
      ],
      vips: [{ mode: 'eip', allocationId: 'eipalloc-0123456789abcdef0' }],
      keys: [{ id: 'a-1', member: 'a', secret: 'env:KEY_OTHER' }],
    };
    const c = parseConfig(JSON.stringify({ mirrors: [...good().mirrors, aws] }));
    expect(c.mirrors.map((m) => m.cloud)).toEqual(['gcp', 'aws']);
  });
});

describe('GCP key resolution', () => {
  it('reads gcp-sm references through the Secret Manager store, once each', async () => {
    const asked: string[] = [];
    const keys = await resolveKeys(
      parseConfig(JSON.stringify(good())),
      { KEY_A: 'a'.repeat(43) },
      {
        'gcp-sm': async (name) => {
          asked.push(name);
          return 'b'.repeat(43);
        },
      },
    );
    expect(asked).toEqual(['projects/iris-prod-123/secrets/mirror-vip-iris-b-1/versions/latest']);
    expect(keys.get('iris-b-1')).toMatchObject({ member: 'iris-b', mirror: 'IRISMIRROR' });
  });

  it('names the field when no Secret Manager client is available', async () => {
    await expect(resolveKeys(parseConfig(JSON.stringify(good())), { KEY_A: 'a'.repeat(43) })).rejects.toThrow(
      /keys\[1\]\.secret .*no gcp-sm client/,
    );
  });
});
