import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, requireCloud } from '../../shared/config/load.ts';
import { resolveKeys } from '../../shared/config/secrets.ts';
import { configErrorOf } from '../support/expect-error.ts';

const good = () => ({
  mirrors: [
    {
      name: 'IRISMIRROR',
      cloud: 'aws',
      region: 'us-east-1',
      members: [
        {
          name: 'iris-a',
          instanceId: 'i-0aaaaaaaaaaaaaaa1',
          eniId: 'eni-0aaaaaaaaaaaaaaa1',
          healthUrl: 'http://10.0.1.10:52773/csp/bin/mirror_status.cxw',
        },
        {
          name: 'iris-b',
          instanceId: 'i-0bbbbbbbbbbbbbbb2',
          eniId: 'eni-0bbbbbbbbbbbbbbb2',
          healthUrl: 'http://10.0.2.10:52773/csp/bin/mirror_status.cxw',
        },
      ],
      vips: [
        { mode: 'route', cidr: '10.109.11.254/32', routeTableIds: ['rtb-0123456789abcdef0'] },
        { mode: 'eip', allocationId: 'eipalloc-0123456789abcdef0' },
      ],
      keys: [
        { id: 'iris-a-1', member: 'iris-a', secret: 'env:KEY_A' },
        { id: 'iris-b-1', member: 'iris-b', secret: 'ssm:/mirror-vip/iris-b-1' },
      ],
    },
  ],
});

describe('configuration', () => {
  it('accepts a valid document and fills the defaults', () => {
    const c = parseConfig(JSON.stringify(good()));
    expect(c.toleranceSeconds).toBe(300);
    expect(c.deadlineMs).toBe(25_000);
    expect(c.mirrors[0]?.health).toEqual({
      enabled: true,
      timeoutMs: 1500,
      confirmWindowMs: 3000,
      probe: { kind: 'iris' },
    });
  });

  it.each([
    [
      'a bad ENI id',
      (d: ReturnType<typeof good>) => Object.assign(d.mirrors[0]!.members[1]!, { eniId: 'eni-xyz' }),
      'mirrors[0].members[1].eniId',
    ],
    [
      'a VIP that is not /32',
      (d: ReturnType<typeof good>) => Object.assign(d.mirrors[0]!.vips[0]!, { cidr: '10.109.10.0/24' }),
      'mirrors[0].vips[0].cidr',
    ],
    [
      'an inline secret',
      (d: ReturnType<typeof good>) =>
        Object.assign(d.mirrors[0]!.keys[0]!, { secret: 'hunter2hunter2hunter2hunter2hunter2' }),
      'mirrors[0].keys[0].secret',
    ],
    ['a misspelt field', (d: ReturnType<typeof good>) => Object.assign(d.mirrors[0]!, { regoin: 'x' }), 'mirrors[0]'],
    [
      'both route tables and a VPC',
      (d: ReturnType<typeof good>) => Object.assign(d.mirrors[0]!.vips[0]!, { vpcId: 'vpc-0123456789abcdef0' }),
      'mirrors[0].vips[0].routeTableIds',
    ],
    [
      'a key for a stranger',
      (d: ReturnType<typeof good>) => Object.assign(d.mirrors[0]!.keys[1]!, { member: 'iris-c' }),
      'mirrors[0].keys[1].member',
    ],
    ['one member only', (d: ReturnType<typeof good>) => d.mirrors[0]!.members.pop(), 'mirrors[0].members'],
    [
      'an unknown cloud',
      (d: ReturnType<typeof good>) => Object.assign(d.mirrors[0]!, { cloud: 'ibm' }),
      'mirrors[0].cloud',
    ],
  ])('refuses %s, naming the field', (_what, mutate, field) => {
    const doc = good();
    mutate(doc);
    const e = configErrorOf(() => parseConfig(JSON.stringify(doc)));
    expect(e.code).toBe('config_invalid');
    expect(e.message).toContain(field);
  });

  it('names the variable when neither source is set, and when the file cannot be read', () => {
    expect(configErrorOf(() => loadConfig({})).message).toContain('MIRROR_VIP_CONFIG');
    expect(configErrorOf(() => loadConfig({ MIRROR_VIP_CONFIG_FILE: '/nonexistent/x.json' })).message).toContain(
      'MIRROR_VIP_CONFIG_FILE',
    );
    expect(configErrorOf(() => loadConfig({ MIRROR_VIP_CONFIG: '{' })).message).toContain('not valid JSON');
  });
});

describe('cloud of a function', () => {
  it('refuses at cold start a mirror of another cloud, naming it', () => {
    const config = parseConfig(JSON.stringify(good()));
    expect(requireCloud(config, 'aws')).toHaveLength(1);
    expect(configErrorOf(() => requireCloud(config, 'gcp')).message).toMatch(
      /mirrors\[0\]\.cloud: IRISMIRROR is a aws mirror/,
    );
  });
});

describe('key resolution', () => {
  const config = parseConfig(JSON.stringify(good()));
  const secretA = 'a'.repeat(43);

  it('reads env and store references once and binds each key to its member', async () => {
    const asked: string[] = [];
    const keys = await resolveKeys(
      config,
      { KEY_A: secretA },
      {
        ssm: async (n) => {
          asked.push(n);
          return 'b'.repeat(43);
        },
      },
    );
    expect(asked).toEqual(['/mirror-vip/iris-b-1']);
    expect(keys.get('iris-a-1')).toMatchObject({ secret: secretA, mirror: 'IRISMIRROR', member: 'iris-a' });
    expect(keys.get('iris-b-1')?.member).toBe('iris-b');
  });

  it('names the field when a secret is missing or too short, without printing it', async () => {
    await expect(resolveKeys(config, {}, { ssm: async () => 'b'.repeat(43) })).rejects.toThrow(
      /keys\[0\]\.secret.*KEY_A is not set/,
    );
    const short = resolveKeys(config, { KEY_A: secretA }, { ssm: async () => 'shortsecret' });
    await expect(short).rejects.toThrow(/keys\[1\]\.secret.*shorter than 32/);
    await expect(short).rejects.not.toThrow(/shortsecret/);
  });
});
