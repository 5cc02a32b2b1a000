import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../local-cloud/azure/cert.ts';
import { patroniPage } from '../../local-cloud/member-pages.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveProbeSecrets } from '../../shared/config/probe-secrets.ts';
import { probeMember } from '../../shared/core/health.ts';
import { MAX_PATRONI_BYTES, type ProbeSpec, patroniVerdict } from '../../shared/core/probe-kinds.ts';
import { PROBE_KINDS, probeAbuse } from '../race/probe-abuse.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const pages = new Map<string, { status: number; body: string }>();
let base = '';
const server = createHttp((req, res) => {
  const page = pages.get(req.url ?? '');
  if (!page) return void res.writeHead(404).end();
  res.writeHead(page.status, { 'content-type': 'application/json' }).end(page.body);
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const PATRONI: ProbeSpec = { kind: 'patroni' };
const primaryDoc = () => JSON.parse(patroniPage('pg-a', 'primary').body) as Record<string, unknown>;
const replicaDoc = () => JSON.parse(patroniPage('pg-b', 'backup').body) as Record<string, unknown>;

/** Serve `body` with `status` at a fresh path and probe it as `spec`. */
async function probeOf(status: number, body: unknown, spec: ProbeSpec = PATRONI) {
  const path = `/p${pages.size}/primary`;
  pages.set(path, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return probeMember(`${base}${path}`, 2000, spec);
}

describe('patroni probe: GET /primary as Patroni documents it (docs/patroni.md#what-the-probe-reads)', () => {
  it.each([
    ['the leader running as primary', 200, primaryDoc(), 'primary'],
    ['a Patroni 2 leader (role master)', 200, { ...primaryDoc(), role: 'master' }, 'primary'],
    ['a paused cluster, the leader still holding the lock', 200, { ...primaryDoc(), pause: true }, 'primary'],
    [
      'the leader in DCS failsafe mode (all members confirmed it)',
      200,
      { ...primaryDoc(), failsafe_mode_is_active: true },
      'primary',
    ],
    ['a replica', 503, replicaDoc(), 'backup'],
    ['a replica of a paused cluster', 503, { ...replicaDoc(), pause: true }, 'backup'],
    ['a replica that lost the DCS', 503, { ...replicaDoc(), cluster_unlocked: true }, 'backup'],
    ['the leader of a standby cluster', 503, { ...replicaDoc(), role: 'standby_leader' }, 'backup'],
    [
      'a paused node without the DCS (200 from the PostgreSQL role alone)',
      200,
      { ...primaryDoc(), pause: true, cluster_unlocked: true },
      'unknown',
    ],
    [
      'a primary that lost the leader lock or the DCS, still demoting',
      503,
      { ...primaryDoc(), cluster_unlocked: true },
      'unknown',
    ],
    ['a primary whose PostgreSQL is starting', 200, { ...primaryDoc(), state: 'starting' }, 'unknown'],
    ['a stopped node', 503, { state: 'stopped', role: 'uninitialized' }, 'unknown'],
    ['a 200 whose JSON says replica', 200, replicaDoc(), 'unknown'],
    ['a 200 that is not JSON', 200, 'OK', 'unknown'],
    ['a 200 whose JSON is an array', 200, [primaryDoc()], 'unknown'],
    ['401 from verify_client or a proxy', 401, 'no auth header received', 'unknown'],
    ['a 500', 500, primaryDoc(), 'unknown'],
  ] as const)('%s → %s', async (_what, status, body, role) => {
    expect((await probeOf(status, body)).role).toBe(role);
  });

  it('reads a primary answer up to MAX_PATRONI_BYTES and refuses a longer one', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ application_name: `pg-${i}`, state: 'streaming' }));
    const big = { ...primaryDoc(), replication: many };
    expect(JSON.stringify(big).length).toBeLessThan(MAX_PATRONI_BYTES);
    expect((await probeOf(200, big)).role).toBe('primary');
    const padded = JSON.stringify(primaryDoc()) + ' '.repeat(MAX_PATRONI_BYTES);
    expect(await probeOf(200, padded)).toMatchObject({ role: 'unknown', detail: 'body too long' });
  });

  it('is pure over the answer: the same verdicts without a network', () => {
    expect(patroniVerdict(200, JSON.stringify(primaryDoc()))).toEqual({ role: 'primary' });
    expect(patroniVerdict(503, JSON.stringify(replicaDoc()))).toEqual({ role: 'backup' });
    expect(patroniVerdict(200, 'null').role).toBe('unknown');
  });
});

describe('http probe: a generic page', () => {
  const spec = (primary: object, backup?: object): ProbeSpec =>
    ({ kind: 'http', primary, backup, maxBytes: 64 }) as ProbeSpec;

  it('maps status and exact body; everything else is unknown', async () => {
    const keepalived = spec({ status: 200, body: 'MASTER' }, { status: 200, body: 'BACKUP' });
    expect((await probeOf(200, 'MASTER\n', keepalived)).role).toBe('primary');
    expect((await probeOf(200, 'BACKUP', keepalived)).role).toBe('backup');
    expect((await probeOf(200, 'FAULT', keepalived)).role).toBe('unknown');
    expect((await probeOf(503, 'MASTER', keepalived)).role).toBe('unknown');
    expect((await probeOf(200, 'MASTERFUL', keepalived)).role).toBe('unknown');
    expect((await probeOf(200, `MASTER${' '.repeat(64)}`, keepalived)).detail).toBe('body too long');
  });

  it('maps a status alone and a bounded pattern', async () => {
    const pattern = spec({ status: 200, pattern: '"role":\\s*"leader"' }, { status: 503 });
    expect((await probeOf(200, '{"role": "leader"}', pattern)).role).toBe('primary');
    expect((await probeOf(200, '{"role": "follower"}', pattern)).role).toBe('unknown');
    expect((await probeOf(503, 'anything', pattern)).role).toBe('backup');
  });
});

describe('hostile pages, read by every probe kind', () => {
  it.each(PROBE_KINDS)(
    '%s: no hostile page reads primary (endless, huge, gzip bombs, slow, redirects, near misses)',
    async (kind) => {
      const figures = await probeAbuse(300, 1, kind);
      expect(figures.length).toBeGreaterThanOrEqual(9);
      for (const f of figures) expect(f.role, f.path).not.toContain('primary');
    },
    20_000,
  );
});

describe('patroni over https with a CA bundle and basic auth', () => {
  const { cert, key } = selfSignedCert();
  const seen: (string | undefined)[] = [];
  const handler: Handler = (req, res) => {
    seen.push(req.headers.authorization);
    const ok = req.headers.authorization === `Basic ${Buffer.from('mirror-vip:s3cret-pw').toString('base64')}`;
    const page = ok ? patroniPage('pg-a', 'primary') : { status: 401, body: 'no auth header received' };
    res.writeHead(page.status).end(page.body);
  };
  const tls = createHttps({ cert, key }, handler);
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/primary`;
  });
  afterAll(() => new Promise<void>((r) => tls.close(() => r())));

  const doc = (probe: object) =>
    JSON.stringify({
      mirrors: [
        {
          name: 'PG',
          cloud: 'aws',
          region: 'us-east-1',
          health: { probe },
          members: ['a', 'b'].map((m, i) => ({
            name: `pg-${m}`,
            instanceId: `i-0${m.repeat(15)}${i}`,
            eniId: `eni-0${m.repeat(15)}${i}`,
            healthUrl: url,
          })),
          vips: [{ mode: 'route', cidr: '10.9.0.1/32', routeTableIds: ['rtb-0123456789abcdef0'] }],
          keys: [{ id: 'k1', member: 'pg-a', secret: 'env:K' }],
        },
      ],
    });

  it('resolves the CA and password at cold start and probes with them; the secret is in no result', async () => {
    const probe = { kind: 'patroni', ca: 'env:PG_CA', auth: { username: 'mirror-vip', password: 'env:PG_PW' } };
    const config = await resolveProbeSecrets(parseConfig(doc(probe)), { PG_CA: cert, PG_PW: 's3cret-pw' });
    const mirror = config.mirrors[0];
    const r = await probeMember(url, 2000, mirror?.health.probe);
    expect(r.role).toBe('primary');
    expect(JSON.stringify(r)).not.toContain('s3cret');
  });

  it('without the CA the certificate is refused (down), without resolution it does not probe (unknown)', async () => {
    expect((await probeMember(url, 2000, PATRONI)).role).toBe('down');
    const unresolved = parseConfig(doc({ kind: 'patroni', ca: 'env:PG_CA' })).mirrors[0]?.health.probe;
    const before = seen.length;
    expect(await probeMember(url, 2000, unresolved)).toMatchObject({
      role: 'unknown',
      detail: 'probe secrets not resolved',
    });
    expect(seen.length).toBe(before);
  });

  it('a wrong password reads unknown (401); an unreadable secret fails the cold start naming the field', async () => {
    const probe = { kind: 'patroni', ca: 'env:PG_CA', auth: { username: 'mirror-vip', password: 'env:PG_PW' } };
    const wrong = await resolveProbeSecrets(parseConfig(doc(probe)), { PG_CA: cert, PG_PW: 'other-password' });
    expect((await probeMember(url, 2000, wrong.mirrors[0]?.health.probe)).role).toBe('unknown');
    await expect(resolveProbeSecrets(parseConfig(doc(probe)), { PG_CA: cert })).rejects.toThrow(
      /^mirrors\[0\]\.health\.probe\.auth\.password \(env:PG_PW\): cannot read the secret/,
    );
  });
});
