import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeAzureBundle } from '../../local-cloud/azure/bundle.ts';
import { azureRequest, callAzureHttp, serveAzureHttp } from '../../local-cloud/azure-http.ts';
import { ensureBundle, serveFunctionsFramework } from '../../local-cloud/bundles.ts';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { signedParts } from '../../local-cloud/worlds/signed.ts';
import { PAUSED_ENV } from '../../shared/config/paused.ts';
import { operatorRequest } from '../../shared/protocol/operator.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles, randomSecret } from '../support/operator-keys.ts';

// Operating through the deployed function on GCP, Azure and OCI: the bundles as deployed, against the emulators.
const MIRROR = 'IRISMIRROR';
const { keyFile, operatorSecret, operatorKey, wrongKey } = operatorKeyFiles('operator-clouds');

/**
 * The world's function environment with an operator key configured (by default from the environment; `operatorRef`
 * names another store) and either the mirror paused in the deployment or `more` (the world's pause secret).
 */
function withOperator(
  env: Record<string, string>,
  paused = false,
  more: Record<string, string> = {},
  operatorRef = 'env:MIRROR_VIP_OPERATOR_KEY',
): Record<string, string> {
  const config = JSON.parse(env.MIRROR_VIP_CONFIG as string) as Record<string, unknown>;
  const mirrors = (config.mirrors as Record<string, unknown>[]).map((m) => ({
    ...m,
    // a loaded machine must not turn a slow probe answer into "down"
    health: { ...(m.health as object), timeoutMs: 5000 },
  }));
  return {
    ...env,
    MIRROR_VIP_CONFIG: JSON.stringify({
      ...config,
      mirrors,
      operatorKeys: [{ id: 'ops-2026', secret: operatorRef }],
    }),
    ...(operatorRef.startsWith('env:') ? { MIRROR_VIP_OPERATOR_KEY: operatorSecret } : {}),
    ...(paused ? { [PAUSED_ENV]: MIRROR } : more),
  };
}

const op = (url: string, action: string, o: { keyId?: string; key?: string; extra?: string[] } = {}) =>
  runCli(
    [
      action,
      '--url',
      url,
      '--mirror',
      MIRROR,
      '--key-id',
      o.keyId ?? 'ops-2026',
      '--key-file',
      o.key ?? operatorKey,
      '--json',
      ...(o.extra ?? []),
    ],
    {},
  );

/** A signed operator request, kept so that the very same bytes can be sent again (a replay). */
const captured = (action: 'inspect' | 'pause' | 'resume', generation?: number) =>
  operatorRequest(
    { requestId: randomUUID(), action, mirror: MIRROR, ...(generation === undefined ? {} : { generation }) },
    'ops-2026',
    operatorSecret,
  );
const post = async (url: string, req: { body: string; headers: Record<string, string> }) => {
  const res = await fetch(`${url}/operator`, { method: 'POST', headers: req.headers, body: req.body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The operator checks every cloud passes, through `mirror-vip inspect|reconcile|pause` against a function URL. */
function operatorSuite(
  name: string,
  ctx: () => {
    url: string;
    pausedUrl: string;
    writes: () => number;
    holder: () => string | null;
    member: (m: 'iris-a' | 'iris-b', role: 'primary' | 'backup' | 'down') => void;
    memberKey: string;
    /** A signed event of the member that does not hold the VIP, to the function at `url`. */
    event: (url: string) => Promise<{ status: number; body: Record<string, unknown> }>;
    /** The texts of the mirror's pause secret versions, oldest first. */
    pauseVersions: () => string[];
    /** Hold the next health probe of a member until released. */
    hold: (m: 'iris-a' | 'iris-b') => { reached: Promise<void>; release: () => void };
  },
) {
  describe(`${name}: inspect, reconcile and pause through the bundled function`, () => {
    it('inspect shows the bindings and probes as the function sees them, and writes nothing', async () => {
      const c = ctx();
      c.member('iris-a', 'primary');
      c.member('iris-b', 'backup');
      const before = c.writes();
      const r = await op(c.url, 'inspect');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const a = JSON.parse(r.stdout);
      expect(a).toMatchObject({
        ok: true,
        action: 'inspect',
        holder: 'iris-a',
        paused: null,
        probes: { 'iris-a': { role: 'primary' }, 'iris-b': { role: 'backup' } },
      });
      expect(a.bindings.length).toBeGreaterThan(0);
      expect(c.writes()).toBe(before);
    });

    it.each([
      ["a member's key", 'iris-a-k1', 'member', 'not_an_operator_key', 403],
      ['the operator key id with a wrong secret', 'ops-2026', 'wrong', 'bad_signature', 401],
    ])(
      'is refused with %s (exit 1, typed), for every action, and nothing is written',
      async (_n, keyId, which, code, status) => {
        const c = ctx();
        c.member('iris-a', 'down');
        c.member('iris-b', 'primary');
        const before = c.writes();
        for (const action of ['inspect', 'reconcile', 'pause', 'resume']) {
          const r = await op(c.url, action, { keyId, key: which === 'member' ? c.memberKey : wrongKey });
          expect({ action, code: r.code }).toEqual({ action, code: 1 });
          expect(r.stderr).toContain(`HTTP ${status} ${code}`);
        }
        expect(c.writes()).toBe(before);
        expect(c.holder()).toBe('iris-a');
      },
      90_000,
    );

    it('pause through the function: a version in the pause secret, events answer paused with zero writes; resume, then reconcile moves', async () => {
      const c = ctx();
      const from = c.holder() as 'iris-a' | 'iris-b';
      const to = from === 'iris-a' ? 'iris-b' : 'iris-a';
      c.member(from, 'down');
      c.member(to, 'primary');
      const before = c.writes();
      const versions = c.pauseVersions().length;
      const paused = await op(c.url, 'pause', { extra: ['--reason', 'kernel patching'] });
      expect([paused.code, paused.stderr]).toEqual([0, '']);
      expect(JSON.parse(paused.stdout)).toMatchObject({
        ok: true,
        paused: { by: 'ops-2026', reason: 'kernel patching' },
      });
      expect(JSON.parse(c.pauseVersions().at(-1) ?? '{}')).toMatchObject({ paused: true, by: 'ops-2026' });
      const seen = await op(c.url, 'inspect');
      expect(JSON.parse(seen.stdout)).toMatchObject({
        ok: true,
        paused: { by: 'ops-2026', reason: 'kernel patching' },
      });
      expect((await c.event(c.url)).body).toMatchObject({ outcome: 'paused' });
      const held = await op(c.url, 'reconcile');
      expect(JSON.parse(held.stdout)).toMatchObject({ ok: true, result: { outcome: 'paused' } });
      expect([c.writes(), c.holder()]).toEqual([before, from]);
      const resumed = await op(c.url, 'resume');
      expect(resumed.code).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true, paused: null });
      expect(
        c
          .pauseVersions()
          .slice(versions)
          .map((t) => JSON.parse(t).paused),
      ).toEqual([true, false]);
      const r = await op(c.url, 'reconcile');
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, result: { outcome: 'moved', to } });
      expect(c.holder()).toBe(to);
    }, 90_000);

    it('a captured pause replayed after a resume, to another instance, is refused (409 stale_generation); so is an old resume', async () => {
      const c = ctx();
      const g = (await post(c.url, captured('inspect'))).body.generation as number;
      const versions = c.pauseVersions().length;
      const pause = captured('pause', g);
      expect(await post(c.url, pause)).toMatchObject({ status: 200, body: { generation: g + 1 } });
      const resume = captured('resume', g + 1);
      expect((await post(c.url, resume)).status).toBe(200);
      // the other instance shares the pause secret but never saw the request: only the generation can refuse it
      expect((await post(c.pausedUrl, pause)).body).toMatchObject({ error: { code: 'stale_generation' } });
      expect((await post(c.url, pause)).status).toBe(409);
      expect((await post(c.url, captured('pause', g + 2))).status).toBe(200);
      expect((await post(c.url, resume)).status).toBe(409);
      expect(c.pauseVersions().length - versions).toBe(3);
      expect(JSON.parse(c.pauseVersions().at(-1) ?? '{}')).toMatchObject({ paused: true, generation: g + 3 });
      expect((await post(c.url, captured('resume', g + 3))).status).toBe(200);
    }, 90_000);

    it('a pause acknowledged while a move is under way stops it before its write round: 0 writes after the 200', async () => {
      const c = ctx();
      const from = c.holder() as 'iris-a' | 'iris-b';
      const to = from === 'iris-a' ? 'iris-b' : 'iris-a';
      c.member(from, 'down');
      c.member(to, 'primary');
      const g = (await post(c.url, captured('inspect'))).body.generation as number;
      const held = c.hold(to);
      const moving = c.event(c.url);
      await held.reached; // converging: past its first pause check, before any write
      const paused = await post(c.url, captured('pause', g));
      const writesAtAck = c.writes();
      held.release();
      expect(paused.body).toMatchObject({ ok: true, moveInProgress: true });
      expect((await moving).body).toMatchObject({ ok: true, outcome: 'paused' });
      expect(c.writes() - writesAtAck).toBe(0);
      expect(c.holder()).toBe(from);
      expect((await post(c.url, captured('resume', g + 1))).status).toBe(200);
    }, 90_000);

    it(`a mirror in ${PAUSED_ENV}: inspect reports it; events and reconciles answer paused, writing nothing; resume is refused (409)`, async () => {
      const c = ctx();
      c.member('iris-a', 'primary');
      c.member('iris-b', 'backup');
      const holder = c.holder();
      const target = holder === 'iris-a' ? 'iris-b' : 'iris-a';
      c.member(target, 'primary');
      c.member(holder as 'iris-a' | 'iris-b', 'down');
      const before = c.writes();
      const seen = await op(c.pausedUrl, 'inspect');
      expect(JSON.parse(seen.stdout)).toMatchObject({ ok: true, paused: { by: PAUSED_ENV } });
      const reconcile = await op(c.pausedUrl, 'reconcile');
      expect(JSON.parse(reconcile.stdout)).toMatchObject({ ok: true, result: { outcome: 'paused' } });
      const event = await c.event(c.pausedUrl);
      expect(event.body).toMatchObject({ outcome: 'paused' });
      // the deployment's pause is not the function's to lift
      const resume = await op(c.pausedUrl, 'resume');
      expect([resume.code, resume.stderr.includes('HTTP 409 paused_in_configuration')]).toEqual([1, true]);
      expect(c.writes()).toBe(before);
      expect(c.holder()).toBe(holder);
    }, 90_000);
  });
}

// ---------- GCP: dist/gcp/index.mjs under the Functions Framework, <function URL>/operator
let gcp: GcpWorld;
const children: ChildProcess[] = [];
const gcpUrls = { url: '', paused: '' };
// ---------- OCI: dist/oci/func.mjs under the real FDK, behind the API Gateway emulator (/mirror-vip/event/operator)
let oci: OciWorld;
const OCI_OPERATOR_SECRET = 'ocid1.vaultsecret.oc1.iad.operatorkey2026';
const ociFns: Awaited<ReturnType<typeof serveFdkBundle>>[] = [];
const gateways: Awaited<ReturnType<typeof serveApiGateway>>[] = [];

beforeAll(async () => {
  const [gcpBundle, ociBundle] = [await ensureBundle('dist/gcp/index.mjs'), await ensureBundle('dist/oci/func.mjs')];
  gcp = await startGcpWorld();
  for (const paused of [false, true]) {
    const env = withOperator(gcp.env, paused, gcp.pauseEnv());
    const fn = await serveFunctionsFramework(gcpBundle, 'mirrorVip', env, [], (ch) => children.push(ch));
    gcpUrls[paused ? 'paused' : 'url'] = fn.url.replace(/\/$/, '');
  }
  oci = await startOciWorld({ assigningMs: 10 });
  for (const paused of [false, true]) {
    // the operator key from Vault, as terraform's member keys are (oci-vault:), read once at cold start
    oci.emu.secrets.set(OCI_OPERATOR_SECRET, operatorSecret);
    const env = withOperator(oci.env, paused, oci.pauseEnv(), `oci-vault:${OCI_OPERATOR_SECRET}`);
    const fn = await serveFdkBundle(ociBundle, env);
    ociFns.push(fn);
    gateways.push(await serveApiGateway(() => fn.socket));
  }
}, 180_000);
afterAll(async () => {
  for (const c of children) c.kill();
  for (const g of gateways) await g.close();
  for (const f of ociFns) await f.stop();
  await gcp?.close();
  await oci?.close();
});

operatorSuite('GCP', () => ({
  url: gcpUrls.url,
  pausedUrl: gcpUrls.paused,
  writes: () => gcp.writes(),
  holder: () => gcp.aliasHolders()[0] ?? null,
  member: (m, r) => gcp.members.set(m, r),
  memberKey: keyFile(`gcp-iris-a-${randomUUID()}.key`, gcp.secrets['iris-a']),
  pauseVersions: () => gcp.pauseVersions(),
  hold: (m) => gcp.members.hold(m),
  event: async (url) => {
    const holder = gcp.aliasHolders()[0] === 'iris-a' ? 'iris-b' : 'iris-a';
    const { body, headers } = signedParts(gcp.secrets, holder);
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  },
}));

operatorSuite('OCI', () => ({
  url: gateways[0]?.url ?? '',
  pausedUrl: gateways[1]?.url ?? '',
  writes: () => oci.writes(),
  holder: () => oci.privateIpHolder() ?? null,
  member: (m, r) => oci.members.set(m, r),
  memberKey: keyFile(`oci-iris-a-${randomUUID()}.key`, oci.secrets['iris-a']),
  pauseVersions: () => oci.pauseVersions(),
  hold: (m) => oci.members.hold(m),
  event: async (url) => {
    const holder = oci.privateIpHolder() === 'iris-a' ? 'iris-b' : 'iris-a';
    const { body, headers } = signedParts(oci.secrets, holder);
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  },
}));

describe('GCP: --cloud gcp sends the operator ID token a function that requires an invoker needs', () => {
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJvcGVyYXRvciJ9.c2lnbmF0dXJl';
  let front: Server;
  let frontUrl = '';
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    // Cloud Run's IAM front, as far as the caller sees it: 403 without a bearer token it accepts, else passed on
    front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        seen.push(req.headers.authorization);
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Error: Forbidden</h1>');
          return;
        }
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k.startsWith('x-mirror-vip') || k === 'content-type'),
        ) as Record<string, string>;
        const r = await fetch(`${gcpUrls.url}${req.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) });
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => front.close(() => r())));

  it('inspect --cloud gcp carries MIRROR_VIP_ID_TOKEN and passes the front; without --cloud gcp the front refuses', async () => {
    const args = ['inspect', '--url', frontUrl, '--mirror', MIRROR, '--key-id', 'ops-2026', '--key-file', operatorKey];
    const withToken = await runCli([...args, '--cloud', 'gcp', '--json'], { MIRROR_VIP_ID_TOKEN: TOKEN });
    expect(withToken.code).toBe(0);
    expect(JSON.parse(withToken.stdout)).toMatchObject({ ok: true, action: 'inspect' });
    const without = await runCli([...args, '--json'], { MIRROR_VIP_ID_TOKEN: TOKEN });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('HTTP 403');
    expect(seen).toEqual([`Bearer ${TOKEN}`, undefined]);
  });
});

// ---------- Azure: dist/azure/index.mjs, its mirrorVipOperator export (route mirrorVip/operator), one request each
describe('Azure: the bundled mirrorVipOperator trigger', () => {
  let azure: AzureWorld;
  let bundle: string;
  beforeAll(async () => {
    bundle = await ensureBundle('dist/azure/index.mjs');
    azure = await startAzureWorld({ operationDelayMs: 10 });
  }, 120_000);
  afterAll(async () => azure?.close());
  const ask = (action: string, env: Record<string, string>, keyId = 'ops-2026', secret = operatorSecret) => {
    const generation = action === 'pause' || action === 'resume' ? { generation: 0 } : {};
    const { body, headers } = operatorRequest(
      { requestId: randomUUID(), action: action as never, mirror: MIRROR, ...generation },
      keyId,
      secret,
    );
    return invokeAzureBundle(bundle, { body, headers }, env, 'mirrorVipOperator');
  };

  it('inspect reads without writing; reconcile moves; refused without the operator key (typed, nothing written)', async () => {
    azure.members.set('iris-a', 'down');
    azure.members.set('iris-b', 'primary');
    const env = withOperator(azure.env);
    const before = azure.writes();
    const seen = await ask('inspect', env);
    expect(seen.out.status).toBe(200);
    expect(seen.out.jsonBody).toMatchObject({ ok: true, holder: 'iris-a', probes: { 'iris-b': { role: 'primary' } } });
    expect(azure.writes()).toBe(before);
    const member = await ask('reconcile', env, 'iris-a-k1', azure.secrets['iris-a']);
    expect([member.out.status, (member.out.jsonBody as { error: { code: string } }).error.code]).toEqual([
      403,
      'not_an_operator_key',
    ]);
    const forged = await ask('reconcile', env, 'ops-2026', randomSecret());
    expect([forged.out.status, (forged.out.jsonBody as { error: { code: string } }).error.code]).toEqual([
      401,
      'bad_signature',
    ]);
    const pause = await ask('pause', env);
    expect([pause.out.status, (pause.out.jsonBody as { error: { code: string } }).error.code]).toEqual([
      501,
      'pause_store_not_configured',
    ]);
    expect(azure.writes()).toBe(before);
    const moved = await ask('reconcile', env);
    expect(moved.out.jsonBody).toMatchObject({ ok: true, result: { outcome: 'moved', to: 'iris-b' } });
    expect(azure.ipConfigHolders()).toEqual(['iris-b']);
  }, 120_000);

  it('mirror-vip inspect|pause|resume --cloud azure reach the operator trigger (route mirrorVip/operator), the pause in Key Vault', async () => {
    // an instance of the world's app with the operator key and the pause secret; in process, @azure/identity reads the
    // platform's managed identity variables from process.env, as in the host
    process.env.IDENTITY_ENDPOINT = azure.emu.identity.endpoint;
    process.env.IDENTITY_HEADER = azure.emu.identity.header;
    const fns = await azure.makeInstance(withOperator(azure.env, false, azure.pauseEnv()));
    // the host's route /api/mirrorVip/operator → mirrorVipOperator (this server answers every path with that trigger)
    const host = await serveAzureHttp(fns.mirrorVipOperator, 'mirrorVipOperator');
    try {
      const url = host.url.replace(/mirrorVipOperator$/, 'mirrorVip');
      const before = azure.writes();
      const seen = await op(url, 'inspect', { extra: ['--cloud', 'azure'] });
      expect(seen.code).toBe(0);
      expect(JSON.parse(seen.stdout)).toMatchObject({ ok: true, action: 'inspect', paused: null });
      const versions = azure.pauseVersions().length;
      const pause = await op(url, 'pause', { extra: ['--cloud', 'azure', '--reason', 'kernel patching'] });
      expect([pause.code, JSON.parse(pause.stdout).paused?.by]).toEqual([0, 'ops-2026']);
      const paused = await op(url, 'inspect', { extra: ['--cloud', 'azure'] });
      expect(JSON.parse(paused.stdout)).toMatchObject({ paused: { by: 'ops-2026', reason: 'kernel patching' } });
      const resume = await op(url, 'resume', { extra: ['--cloud', 'azure'] });
      expect([resume.code, JSON.parse(resume.stdout).paused]).toEqual([0, null]);
      expect(
        azure
          .pauseVersions()
          .slice(versions)
          .map((t) => JSON.parse(t).paused),
      ).toEqual([true, false]);
      const member = await op(url, 'inspect', {
        keyId: 'iris-a-k1',
        key: keyFile('az-a.key', azure.secrets['iris-a']),
      });
      expect([member.code, member.stderr.includes('HTTP 403 not_an_operator_key')]).toEqual([1, true]);
      expect(azure.writes()).toBe(before);
    } finally {
      await host.close();
      delete process.env.IDENTITY_ENDPOINT;
      delete process.env.IDENTITY_HEADER;
    }
  }, 120_000);

  it('two instances sharing the Key Vault pause: a replayed pause and an old resume are refused (409); a pause during a move stops it before its write round', async () => {
    process.env.IDENTITY_ENDPOINT = azure.emu.identity.endpoint;
    process.env.IDENTITY_HEADER = azure.emu.identity.header;
    try {
      const env = withOperator(azure.env, false, azure.pauseEnv());
      const [one, two] = [await azure.makeInstance(env), await azure.makeInstance(env)];
      const operate = async (fns: typeof one, req: { body: string; headers: Record<string, string> }) => {
        const url = 'https://mirror-vip.azurewebsites.net/api/mirrorVip/operator';
        const out = await callAzureHttp(
          fns.mirrorVipOperator,
          'mirrorVipOperator',
          azureRequest(url, 'POST', req.headers, req.body),
        );
        return { status: out.status, body: out.body as Record<string, unknown> };
      };
      const g = (await operate(one, captured('inspect'))).body.generation as number;
      const pause = captured('pause', g);
      expect((await operate(one, pause)).status).toBe(200);
      const resume = captured('resume', g + 1);
      expect((await operate(one, resume)).status).toBe(200);
      expect((await operate(two, pause)).body).toMatchObject({ error: { code: 'stale_generation' } });
      expect((await operate(two, captured('pause', g + 2))).status).toBe(200);
      expect((await operate(two, resume)).body).toMatchObject({ error: { code: 'stale_generation' } });
      expect((await operate(one, captured('inspect'))).body).toMatchObject({
        paused: { by: 'ops-2026' },
        generation: g + 3,
      });
      expect((await operate(one, captured('resume', g + 3))).status).toBe(200);
      // a move under way in instance one; the pause through instance two lands before its write round
      const from = azure.ipConfigHolders()[0] as 'iris-a' | 'iris-b';
      const to = from === 'iris-a' ? 'iris-b' : 'iris-a';
      azure.members.set(from, 'down');
      azure.members.set(to, 'primary');
      const held = azure.members.hold(to);
      const moving = azure.post(azure.signedRequest(to), 'POST', one);
      await held.reached;
      const paused = await operate(two, captured('pause', g + 4));
      const writesAtAck = azure.writes();
      held.release();
      expect(paused.body).toMatchObject({ ok: true, moveInProgress: false });
      expect((await moving).result).toMatchObject({ ok: true, outcome: 'paused' });
      expect(azure.writes() - writesAtAck).toBe(0);
      expect(azure.ipConfigHolders()).toEqual([from]);
      expect((await operate(two, captured('resume', g + 5))).status).toBe(200);
    } finally {
      delete process.env.IDENTITY_ENDPOINT;
      delete process.env.IDENTITY_HEADER;
    }
  }, 120_000);

  it(`a mirror in ${PAUSED_ENV}: inspect reports it, reconcile and events answer paused, nothing written`, async () => {
    const holder = azure.ipConfigHolders()[0] as 'iris-a' | 'iris-b';
    const other = holder === 'iris-a' ? 'iris-b' : 'iris-a';
    azure.members.set(holder, 'down');
    azure.members.set(other, 'primary');
    const env = withOperator(azure.env, true);
    const before = azure.writes();
    expect((await ask('inspect', env)).out.jsonBody).toMatchObject({ ok: true, paused: { by: PAUSED_ENV } });
    expect((await ask('reconcile', env)).out.jsonBody).toMatchObject({ result: { outcome: 'paused' } });
    const event = await invokeAzureBundle(bundle, azure.signedRequest(other), env);
    expect(event.out.jsonBody).toMatchObject({ outcome: 'paused' });
    expect(azure.writes()).toBe(before);
    expect(azure.ipConfigHolders()).toEqual([holder]);
  }, 120_000);
});
