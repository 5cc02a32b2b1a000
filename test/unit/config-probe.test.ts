import { describe, expect, it } from 'vitest';
import { withMemberShape } from '../../local-cloud/member-pages.ts';
import type { FakeMembers } from '../../local-cloud/members.ts';
import { azureConfigFor } from '../../local-cloud/worlds/azure-world.ts';
import { gcpConfigFor } from '../../local-cloud/worlds/gcp-world.ts';
import { ociConfigFor } from '../../local-cloud/worlds/oci-world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { configErrorOf } from '../support/expect-error.ts';

const urls = {
  'iris-a': 'http://10.0.1.10:52773/csp/bin/mirror_status.cxw',
  'iris-b': 'http://10.0.2.10:52773/csp/bin/mirror_status.cxw',
};
const members = { urls } as unknown as FakeMembers;
const aws = {
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
          healthUrl: urls['iris-a'],
        },
        {
          name: 'iris-b',
          instanceId: 'i-0bbbbbbbbbbbbbbb2',
          eniId: 'eni-0bbbbbbbbbbbbbbb2',
          healthUrl: urls['iris-b'],
        },
      ],
      vips: [{ mode: 'route', cidr: '10.109.11.254/32', routeTableIds: ['rtb-0123456789abcdef0'] }],
      keys: [{ id: 'iris-a-1', member: 'iris-a', secret: 'env:KEY_A' }],
    },
  ],
};

type Edit = (m: Doc['mirrors'][number]) => void;
type Doc = { mirrors: { health?: Record<string, unknown>; members: { healthUrl: string }[] }[] };
const CLOUDS: [string, () => Doc][] = [
  ['aws', () => structuredClone(aws) as Doc],
  ['gcp', () => gcpConfigFor(members) as Doc],
  ['azure', () => azureConfigFor(members) as Doc],
  ['oci', () => ociConfigFor(members) as Doc],
];

/** The cloud's document with its members read as Patroni, then `edit` applied to the first mirror. */
function patroni(make: () => Doc, edit: (m: Doc['mirrors'][number]) => void = () => undefined): string {
  const doc = withMemberShape(make(), 'patroni');
  const m = doc.mirrors[0];
  if (m) edit(m);
  return JSON.stringify(doc);
}
const probeOf = (m: Doc['mirrors'][number]) => m.health?.probe as Record<string, unknown>;

describe.each(CLOUDS)('health.probe on %s (one shared schema part)', (_cloud, make) => {
  it('defaults to iris and accepts patroni and http', () => {
    expect(parseConfig(JSON.stringify(make())).mirrors[0]?.health.probe).toEqual({ kind: 'iris' });
    expect(parseConfig(patroni(make)).mirrors[0]?.health.probe).toEqual({ kind: 'patroni' });
    const http = withMemberShape(make(), 'http');
    expect(parseConfig(JSON.stringify(http)).mirrors[0]?.health.probe).toMatchObject({ kind: 'http', maxBytes: 1024 });
  });

  it.each([
    [
      'an unknown kind',
      ((m) => {
        probeOf(m).kind = 'mysql';
      }) as Edit,
      /health\.probe\.kind/,
    ],
    [
      'a password held inline',
      ((m) => {
        probeOf(m).auth = { username: 'u', password: 'hunter22' };
      }) as Edit,
      /health\.probe\.auth\.password: must reference the secret/,
    ],
    [
      'an unknown field',
      ((m) => {
        probeOf(m).path = '/leader';
      }) as Edit,
      /health\.probe: Unrecognized key/,
    ],
    [
      'a quantified group in a pattern',
      (m: Doc['mirrors'][number]) => {
        if (m.health) m.health.probe = { kind: 'http', primary: { status: 200, pattern: '(a+)+$' } };
      },
      /health\.probe\.primary\.pattern: must not quantify a group/,
    ],
    [
      'primary and backup that cannot be told apart',
      (m: Doc['mirrors'][number]) => {
        if (m.health) m.health.probe = { kind: 'http', primary: { status: 200 }, backup: { status: 200 } };
      },
      /health\.probe\.backup: primary and backup with the same status/,
    ],
    [
      'a patroni URL that is not GET /primary',
      (m: Doc['mirrors'][number]) => {
        const first = m.members[0];
        if (first) first.healthUrl = first.healthUrl.replace('/primary', '/leader');
      },
      /members\[0\]\.healthUrl: a patroni probe reads Patroni's GET \/primary/,
    ],
    [
      'a password over plain http',
      ((m) => {
        probeOf(m).auth = { username: 'u', password: 'env:PG_PW' };
      }) as Edit,
      /members\[0\]\.healthUrl: health\.probe sets a password or TLS material, so the URL must be https/,
    ],
  ] as const)('refuses %s, naming the field', (_what, edit, message) => {
    expect(configErrorOf(() => parseConfig(patroni(make, edit))).message).toMatch(message);
  });
});
