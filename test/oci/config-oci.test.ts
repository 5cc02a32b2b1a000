import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOciEngine } from '../../functions/oci/oci-runtime.ts';
import { testKeyPair } from '../../local-cloud/oci/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { OCI_DEFAULT_DEADLINE_MS } from '../../shared/config/schema-oci.ts';
import { resolveKeys } from '../../shared/config/secrets.ts';
import { ConfigError } from '../../shared/errors.ts';
import { configErrorOf } from '../support/expect-error.ts';

const id = (type: string, u: string) => `ocid1.${type}.oc1.eu-frankfurt-1.${u}`;
const good = () => ({
  mirrors: [
    {
      name: 'IRISMIRROR',
      cloud: 'oci',
      region: 'eu-frankfurt-1',
      members: [
        { name: 'iris-a', healthUrl: 'http://10.0.0.2/m', vnicId: id('vnic', 'a'), privateIpId: id('privateip', 'a') },
        { name: 'iris-b', healthUrl: 'http://10.0.0.3/m', vnicId: id('vnic', 'b'), privateIpId: id('privateip', 'b') },
      ],
      vips: [
        {
          mode: 'private-ip',
          address: '10.0.0.4',
          privateIpId: id('privateip', 'vip'),
          publicIpId: id('publicip', 'p'),
        },
        { mode: 'route', cidr: '10.10.10.10/32', routeTableIds: [id('routetable', 'r')] },
      ],
      keys: [
        { id: 'iris-a-k1', member: 'iris-a', secret: 'env:KEY_A' },
        { id: 'iris-b-k1', member: 'iris-b', secret: `oci-vault:${id('vaultsecret', 's')}` },
      ],
    } as Record<string, unknown>,
  ],
});
const parse = (doc: unknown) => parseConfig(JSON.stringify(doc));
const mirror0 = (doc: ReturnType<typeof good>) => doc.mirrors[0] as Record<string, unknown>;

describe('OCI configuration', () => {
  it('accepts both modes, with the optional per-mirror deadline', () => {
    const doc = good();
    mirror0(doc).deadlineMs = 60_000;
    expect(parse(doc).mirrors[0]).toMatchObject({ cloud: 'oci', deadlineMs: 60_000 });
  });

  it.each([
    [
      'an OCID of the wrong type',
      (m: Record<string, unknown>) => {
        (m.members as Record<string, unknown>[])[0] = {
          name: 'iris-a',
          healthUrl: 'http://x/m',
          vnicId: id('subnet', 'a'),
        };
      },
      'mirrors[0].members[0].vnicId: must be an OCID such as ocid1.vnic',
    ],
    [
      'a private-ip VIP with neither privateIpId nor subnetId',
      (m: Record<string, unknown>) => {
        m.vips = [{ mode: 'private-ip', address: '10.0.0.4' }];
      },
      'mirrors[0].vips[0].privateIpId: give privateIpId, or subnetId',
    ],
    [
      'a route VIP with a member lacking privateIpId',
      (m: Record<string, unknown>) => {
        (m.members as Record<string, unknown>[])[1] = {
          name: 'iris-b',
          healthUrl: 'http://x/m',
          vnicId: id('vnic', 'b'),
        };
      },
      'mirrors[0].members: a route VIP needs every member privateIpId',
    ],
    [
      'a Vault reference that is not a secret OCID',
      (m: Record<string, unknown>) => {
        (m.keys as Record<string, unknown>[])[1] = { id: 'iris-b-k1', member: 'iris-b', secret: 'oci-vault:my-secret' };
      },
      'mirrors[0].keys[1].secret: must reference the secret as env:NAME, file:/path or oci-vault:',
    ],
    [
      'a region that is not one',
      (m: Record<string, unknown>) => {
        m.region = 'Frankfurt';
      },
      'mirrors[0].region: must be an OCI region',
    ],
  ])('refuses %s, naming the field', (_what, change, message) => {
    const doc = good();
    change(mirror0(doc));
    expect(configErrorOf(() => parse(doc)).message).toContain(message);
  });

  it('reads oci-vault keys through the oci-vault store only', async () => {
    const config = parse(good());
    const reads: string[] = [];
    const keys = await resolveKeys(
      config,
      { KEY_A: 'a'.repeat(43) },
      {
        'oci-vault': async (s) => {
          reads.push(s);
          return `${'b'.repeat(43)}\n`;
        },
      },
    );
    expect(reads).toEqual([id('vaultsecret', 's')]);
    expect(keys.get('iris-b-k1')?.secret).toBe('b'.repeat(43));
    await expect(resolveKeys(config, { KEY_A: 'a'.repeat(43) })).rejects.toThrow(
      /keys\[1\]\.secret .*no oci-vault client/,
    );
  });

  it('at cold start: a missing or wrong identity is a ConfigError naming what to set; the OCI default deadline', async () => {
    const doc = good();
    (mirror0(doc).keys as unknown[]).splice(1, 1);
    const env = { MIRROR_VIP_CONFIG: JSON.stringify(doc), KEY_A: 'a'.repeat(43) };
    await expect(createOciEngine(env, { log: () => {} })).rejects.toThrow(
      /OCI_RESOURCE_PRINCIPAL_VERSION is not set: run as an OCI Function in a dynamic group, or set MIRROR_VIP_OCI_KEY_ID/,
    );
    await expect(createOciEngine({ ...env, MIRROR_VIP_OCI_KEY_ID: 'a/b' }, { log: () => {} })).rejects.toThrow(
      /MIRROR_VIP_OCI_KEY_ID: must be tenancy\/user\/fingerprint/,
    );
    const withKey = { ...env, MIRROR_VIP_OCI_KEY_ID: 't/u/f', MIRROR_VIP_OCI_KEY_FILE: '/nonexistent/key.pem' };
    await expect(createOciEngine(withKey, { log: () => {} })).rejects.toBeInstanceOf(ConfigError);
    const key = testKeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-oci-cfg-'));
    writeFileSync(join(dir, 'k.pem'), key.privateKey, { mode: 0o600 });
    const { config } = await createOciEngine(
      { ...withKey, MIRROR_VIP_OCI_KEY_FILE: join(dir, 'k.pem') },
      { log: () => {} },
    );
    expect(config.deadlineMs).toBe(OCI_DEFAULT_DEADLINE_MS);
  });
});
