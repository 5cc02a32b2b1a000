import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { signedParts } from '../../local-cloud/worlds/signed.ts';
import { PAUSE_SECRETS_ENV, PAUSED_ENV } from '../../shared/config/paused.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles } from '../support/operator-keys.ts';

// `mirror-vip pause | resume` through the bundled OCI Function (real FDK, API Gateway emulator): the pause is one Vault
// secret per mirror, written with UpdateSecret (oci-vault) and read with GetSecretBundle (oci-secrets).
const MIRROR = 'IRISMIRROR';
const { keyFile, operatorSecret, operatorKey, wrongKey } = operatorKeyFiles('oci-pause');

let world: OciWorld;
let fn: Awaited<ReturnType<typeof serveFdkBundle>>;
let gateway: Awaited<ReturnType<typeof serveApiGateway>>;

/** The world's function config with an operator key and the pause secret (as terraform/oci sets both). */
function functionEnv(env: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const config = JSON.parse(env.MIRROR_VIP_CONFIG as string) as { mirrors: Record<string, unknown>[] };
  return {
    ...env,
    ...extra,
    MIRROR_VIP_CONFIG: JSON.stringify({
      ...config,
      // a loaded machine must not turn a slow probe answer into "down"
      mirrors: config.mirrors.map((m) => ({ ...m, health: { ...(m.health as object), timeoutMs: 5000 } })),
      operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }],
    }),
    MIRROR_VIP_OPERATOR_KEY: operatorSecret,
  };
}

const op = (action: string, o: { keyId?: string; key?: string; extra?: string[]; url?: string } = {}) =>
  runCli(
    [
      action,
      ...['--url', o.url ?? gateway.url, '--mirror', MIRROR, '--cloud', 'oci'],
      ...['--key-id', o.keyId ?? 'ops-2026', '--key-file', o.key ?? operatorKey, '--json'],
      ...(o.extra ?? []),
    ],
    {},
  );

/** A became-primary event from a member, signed with its key, through the gateway. */
async function event(member: 'iris-a' | 'iris-b', url = gateway.url) {
  const { body, headers } = signedParts(world.secrets, member);
  const res = await fetch(url, { method: 'POST', headers, body });
  return (await res.json()) as Record<string, unknown>;
}

const versions = () => world.pauseVersions().map((t) => JSON.parse(t) as Record<string, unknown>);
const vaultCalls = (op: string) => world.emu.calls.filter((c) => c.op === op);
const vcnCalls = () => world.emu.calls.filter((c) => c.path.startsWith('/20160918/')).length;
const logLines = () =>
  fn
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  world = await startOciWorld({ assigningMs: 10 });
  fn = await serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), functionEnv(world.env, world.pauseEnv()));
  gateway = await serveApiGateway(() => fn.socket);
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await fn?.stop();
  await world?.close();
});
beforeEach(() => {
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
});

describe('the OCI pause secret, through the bundled function', () => {
  it('starts as terraform creates it: one CURRENT version {"paused":false,"by":"terraform"}; inspect says not paused', async () => {
    expect(versions()).toEqual([{ paused: false, by: 'terraform', since: expect.any(String) }]);
    const r = await op('inspect');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, holder: world.privateIpHolder(), paused: null });
  });

  it('pause → a new CURRENT version; events and reconciles answer paused with zero VCN writes; resume → the VIP moves', async () => {
    const holder = world.privateIpHolder() as 'iris-a' | 'iris-b';
    const other = holder === 'iris-a' ? 'iris-b' : 'iris-a';
    const before = versions().length;
    const paused = await op('pause', { extra: ['--reason', 'kernel patching'] });
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({
      ok: true,
      paused: { by: 'ops-2026', reason: 'kernel patching' },
    });
    expect(versions()).toHaveLength(before + 1);
    expect(versions().at(-1)).toEqual({
      paused: true,
      by: 'ops-2026',
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reason: 'kernel patching',
      generation: expect.any(Number),
    });
    // the new version is the one GetSecretBundle serves (CURRENT), written by the function's own identity
    const current = world.emu.secrets.bundle(world.seed.pauseSecretId, new URLSearchParams());
    expect([current.versionNumber, current.stages]).toEqual([before + 1, ['CURRENT', 'LATEST']]);
    const update = vaultCalls('UpdateSecret').at(-1);
    expect(update).toMatchObject({ method: 'PUT', path: `/20180608/secrets/${world.seed.pauseSecretId}`, status: 200 });
    expect(update?.keyId).toBe(world.env.MIRROR_VIP_OCI_KEY_ID);

    const seen = await op('inspect');
    expect(JSON.parse(seen.stdout)).toMatchObject({ paused: { by: 'ops-2026', reason: 'kernel patching' } });

    world.members.set(holder, 'down');
    world.members.set(other, 'primary');
    const writes = world.writes();
    const [reads, vcn] = [vaultCalls('GetSecretBundle').length, vcnCalls()];
    expect(await event(other)).toMatchObject({ outcome: 'paused' });
    // one GetSecretBundle of the pause secret per event, and no VCN call at all
    expect([vaultCalls('GetSecretBundle').length - reads, vcnCalls() - vcn]).toEqual([1, 0]);
    const reconcile = await op('reconcile');
    expect(JSON.parse(reconcile.stdout)).toMatchObject({ ok: true, result: { outcome: 'paused' } });
    expect(world.writes()).toBe(writes);
    expect(world.privateIpHolder()).toBe(holder);

    const resumed = await op('resume');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true, paused: null });
    expect(versions()).toHaveLength(before + 2);
    expect(versions().at(-1)).toEqual({
      paused: false,
      by: 'ops-2026',
      since: expect.any(String),
      generation: expect.any(Number),
    });
    const moved = await op('reconcile');
    expect(JSON.parse(moved.stdout)).toMatchObject({ ok: true, result: { outcome: 'moved', to: other } });
    expect(world.privateIpHolder()).toBe(other);
    expect(world.writes()).toBeGreaterThan(writes);
  }, 90_000);

  it.each([
    ["a member's key", 'iris-a-k1', 'member', 'HTTP 403 not_an_operator_key'],
    ['the operator key id with a forged secret', 'ops-2026', 'wrong', 'HTTP 401 bad_signature'],
  ])(
    'pause and resume are refused with %s, and no version is written',
    async (_n, keyId, which, answer) => {
      const key = which === 'member' ? keyFile('iris-a.key', world.secrets['iris-a']) : wrongKey;
      const [before, updates] = [world.pauseVersions().length, vaultCalls('UpdateSecret').length];
      for (const action of ['pause', 'resume']) {
        const r = await op(action, { keyId, key, extra: ['--reason', 'x'] });
        expect({ action, code: r.code }).toEqual({ action, code: 1 });
        expect(r.stderr).toContain(answer);
      }
      expect(world.pauseVersions()).toHaveLength(before);
      expect(vaultCalls('UpdateSecret')).toHaveLength(updates);
    },
    60_000,
  );

  it('garbage in the pause secret: events converge (logged, not paused), inspect reports it unreadable, pause repairs it', async () => {
    world.emu.secrets.set(world.seed.pauseSecretId, 'not a pause record');
    const holder = world.privateIpHolder() as 'iris-a' | 'iris-b';
    const other = holder === 'iris-a' ? 'iris-b' : 'iris-a';
    world.members.set(holder, 'down');
    world.members.set(other, 'primary');
    expect(await event(other)).toMatchObject({ outcome: 'moved', to: other });
    expect(world.privateIpHolder()).toBe(other);
    expect(logLines()).toContainEqual(
      expect.objectContaining({ msg: 'mirror-vip pause store unreadable: not paused', mirror: MIRROR }),
    );
    const seen = JSON.parse((await op('inspect')).stdout);
    expect(seen.paused.unreadable).toContain(`pause secret ${world.seed.pauseSecretId} does not hold JSON`);
    // pause writes a whole record: the garbage is no longer CURRENT
    expect((await op('pause')).code).toBe(0);
    expect(JSON.parse(world.pauseVersions().at(-1) ?? '')).toMatchObject({ paused: true, by: 'ops-2026' });
    expect((await op('resume')).code).toBe(0);
  }, 90_000);

  it('Vault failing: events converge (not paused), inspect reports it, pause and resume exit 1 naming the call; nothing written', async () => {
    const failing = ['GetSecretBundle', 'UpdateSecret'];
    world.emu.faults.failures = { remaining: 100, ops: failing };
    try {
      const holder = world.privateIpHolder() as 'iris-a' | 'iris-b';
      const other = holder === 'iris-a' ? 'iris-b' : 'iris-a';
      world.members.set(holder, 'down');
      world.members.set(other, 'primary');
      const before = world.pauseVersions().length;
      expect(await event(other)).toMatchObject({ outcome: 'moved', to: other });
      const seen = JSON.parse((await op('inspect')).stdout);
      expect(seen.paused.unreadable).toMatch(/GetSecretBundle .* failed: 500 InternalServerError/);
      for (const action of ['pause', 'resume']) {
        const r = await op(action);
        expect({ action, code: r.code }).toEqual({ action, code: 1 });
        // the pause generation is read before any write: the failing read refuses the request, nothing is written
        expect(r.stderr).toMatch(
          /HTTP 502 provider_transient \(GetSecretBundle ocid1\.vaultsecret\.\S+ failed: 500 InternalServerError/,
        );
      }
      expect(world.pauseVersions()).toHaveLength(before);
      expect(vaultCalls('UpdateSecret').filter((c) => c.status === 500)).toHaveLength(0);
    } finally {
      world.emu.faults.failures = { remaining: 0 };
    }
  }, 90_000);
});

describe('the pause configuration at cold start', () => {
  it.each([
    ['not JSON', '{', `${PAUSE_SECRETS_ENV} is not JSON`],
    ['an unknown mirror', JSON.stringify({ OTHER: 'x' }), `${PAUSE_SECRETS_ENV} names OTHER, not a configured mirror`],
    [
      'a reference that is not a secret OCID',
      JSON.stringify({ [MIRROR]: 'ocid1.vault.oc1.eu-frankfurt-1.aaaa' }),
      `${PAUSE_SECRETS_ENV}.${MIRROR} must be ocid1.vaultsecret.<realm>.<region>.<unique id>`,
    ],
  ])('%s in %s stops the function, naming the field', async (_n, value, message) => {
    const bad = serveFdkBundle(
      await ensureBundle('dist/oci/func.mjs'),
      functionEnv(world.env, { ...world.pauseEnv(), [PAUSE_SECRETS_ENV]: value }),
    );
    await expect(bad).rejects.toThrow(message);
  });

  it(`${PAUSED_ENV} still holds (break-glass) and cannot be resumed through the function (409), no version written`, async () => {
    const held = await serveFdkBundle(
      await ensureBundle('dist/oci/func.mjs'),
      functionEnv(world.env, { ...world.pauseEnv(), [PAUSED_ENV]: MIRROR }),
    );
    const front = await serveApiGateway(() => held.socket);
    try {
      const before = world.pauseVersions().length;
      const seen = JSON.parse((await op('inspect', { url: front.url })).stdout);
      expect(seen).toMatchObject({ ok: true, paused: { by: PAUSED_ENV } });
      const r = await op('resume', { url: front.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('HTTP 409 paused_in_configuration');
      expect(world.pauseVersions()).toHaveLength(before);
    } finally {
      await front.close();
      await held.stop();
    }
  }, 60_000);
});
