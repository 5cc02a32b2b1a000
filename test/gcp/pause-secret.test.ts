import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcpEngine } from '../../functions/gcp/gcp-runtime.ts';
import { ensureBundle, serveFunctionsFramework } from '../../local-cloud/bundles.ts';
import { type GcpWorld, pauseSecretName, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { signedParts } from '../../local-cloud/worlds/signed.ts';
import { PAUSE_SECRETS_ENV, PAUSED_ENV } from '../../shared/config/paused.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles, randomSecret } from '../support/operator-keys.ts';

// mirror-vip pause|resume through the bundled GCP function (dist/gcp/index.mjs under the Functions Framework), the
// pause kept as versions of the mirror's Secret Manager secret on the emulator, Compute on the Compute emulator.
const MIRROR = 'IRISMIRROR';
const { keyFile, operatorSecret, operatorKey } = operatorKeyFiles('gcp-pause');

/** The world's function environment with an operator key and the pause secret (and optionally MIRROR_VIP_PAUSED). */
function operatorEnv(world: GcpWorld, extra: Record<string, string> = {}): Record<string, string> {
  const config = JSON.parse(world.env.MIRROR_VIP_CONFIG) as { mirrors: Record<string, unknown>[] };
  // a loaded machine must not turn a slow probe answer into "down"
  const mirrors = config.mirrors.map((m) => ({ ...m, health: { ...(m.health as object), timeoutMs: 5000 } }));
  const withKey = { ...config, mirrors, operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }] };
  return {
    ...world.env,
    ...world.pauseEnv(),
    MIRROR_VIP_CONFIG: JSON.stringify(withKey),
    MIRROR_VIP_OPERATOR_KEY: operatorSecret,
    ...extra,
  };
}

let world: GcpWorld;
let url = '';
let pausedUrl = '';
let fnOutput: () => string = () => '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  const bundle = await ensureBundle('dist/gcp/index.mjs');
  world = await startGcpWorld();
  const fn = await serveFunctionsFramework(bundle, 'mirrorVip', operatorEnv(world), [], (c) => children.push(c));
  url = fn.url.replace(/\/$/, '');
  fnOutput = fn.output;
  const held = operatorEnv(world, { [PAUSED_ENV]: MIRROR });
  pausedUrl = (await serveFunctionsFramework(bundle, 'mirrorVip', held, [], (c) => children.push(c))).url.replace(
    /\/$/,
    '',
  );
}, 180_000);
afterAll(async () => {
  for (const c of children) c.kill();
  await world?.close();
});

const op = (action: string, o: { keyId?: string; key?: string; extra?: string[]; to?: string } = {}) =>
  runCli(
    [
      action,
      ...['--url', o.to ?? url, '--mirror', MIRROR, '--key-id', o.keyId ?? 'ops-2026'],
      ...['--key-file', o.key ?? operatorKey, '--json', ...(o.extra ?? [])],
    ],
    {},
  );
const holder = () => world.aliasHolders()[0] as 'iris-a' | 'iris-b';
const other = () => (holder() === 'iris-a' ? 'iris-b' : 'iris-a');
/** The holder goes down and the other member answers primary: a move is due. */
const moveDue = () => {
  const to = other();
  world.members.set(holder(), 'down');
  world.members.set(to, 'primary');
  return to;
};
/** The signed became-primary event of `member`, to the function's URL. */
const event = async (member: 'iris-a' | 'iris-b', to = url) => {
  const { body, headers } = signedParts(world.secrets, member);
  const res = await fetch(to, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const versions = () => world.pauseVersions().map((t) => JSON.parse(t) as Record<string, unknown>);
const fnLog = () =>
  fnOutput()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('GCP: mirror-vip pause and resume through the bundled function, kept in Secret Manager', () => {
  it('pause adds a version; inspect reports it; an event and a reconcile answer paused with no Compute write', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    const before = versions().length;
    const paused = await op('pause', { extra: ['--reason', 'kernel patching'] });
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ ok: true, action: 'pause', paused: { by: 'ops-2026' } });
    expect(versions().slice(before)).toEqual([
      {
        paused: true,
        by: 'ops-2026',
        since: expect.any(String),
        reason: 'kernel patching',
        generation: expect.any(Number),
      },
    ]);
    const seen = await op('inspect');
    expect(JSON.parse(seen.stdout)).toMatchObject({ paused: { by: 'ops-2026', reason: 'kernel patching' } });
    const from = holder();
    const to = moveDue();
    const writes = world.writes();
    const smFrom = world.secretManager.calls.length;
    expect((await event(to)).body).toMatchObject({ outcome: 'paused' });
    // the pause costs an event one Secret Manager call: the latest version of its mirror's secret
    expect(world.secretManager.calls.slice(smFrom).map((c) => `${c.op} ${c.path} ${c.status}`)).toEqual([
      `versions.access /v1/${pauseSecretName()}/versions/latest:access 200`,
    ]);
    const reconcile = await op('reconcile');
    expect(JSON.parse(reconcile.stdout)).toMatchObject({ ok: true, result: { outcome: 'paused' } });
    expect(world.writes()).toBe(writes);
    expect(holder()).toBe(from);
  }, 90_000);

  it('resume adds a paused:false version; the next reconcile moves the VIP', async () => {
    const to = moveDue();
    const before = versions().length;
    const resumed = await op('resume');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true, action: 'resume', paused: null });
    expect(versions().slice(before)).toEqual([
      { paused: false, by: 'ops-2026', since: expect.any(String), generation: expect.any(Number) },
    ]);
    expect(JSON.parse((await op('inspect')).stdout)).toMatchObject({ paused: null });
    const moved = await op('reconcile');
    expect(JSON.parse(moved.stdout)).toMatchObject({ ok: true, result: { outcome: 'moved', to } });
    expect(world.aliasHolders()).toEqual([to]);
  }, 90_000);

  it.each([
    ["a member's key", 'iris-a-k1', 'member', 'not_an_operator_key', 403],
    ['the operator key id with a wrong secret', 'ops-2026', 'forged', 'bad_signature', 401],
  ])(
    'pause and resume are refused with %s (exit 1, typed); nothing is written to the secret',
    async (_n, keyId, which, code, status) => {
      const key =
        which === 'member' ? keyFile('iris-a.key', world.secrets['iris-a']) : keyFile('forged.key', randomSecret());
      const before = world.pauseVersions();
      for (const action of ['pause', 'resume']) {
        const r = await op(action, { keyId, key });
        expect({ action, code: r.code }).toEqual({ action, code: 1 });
        expect(r.stderr).toContain(`HTTP ${status} ${code}`);
      }
      expect(world.pauseVersions()).toEqual(before);
    },
    90_000,
  );

  it('a secret holding garbage: events still converge (logged, not paused), inspect reports it unreadable', async () => {
    world.secretManager.addVersion(pauseSecretName(), 'not a pause record');
    const to = moveDue();
    expect((await event(to)).body).toMatchObject({ outcome: 'moved', to });
    expect(world.aliasHolders()).toEqual([to]);
    const seen = JSON.parse((await op('inspect')).stdout) as { paused: { unreadable: string } };
    expect(seen.paused.unreadable).toContain(`pause secret ${pauseSecretName()} does not hold JSON`);
    expect(fnLog().filter((l) => l.message === 'mirror-vip pause store unreadable: not paused').length).toBeGreaterThan(
      0,
    );
    for (const secret of [operatorSecret, world.secrets['iris-a'], world.secrets['iris-b']])
      expect(fnOutput()).not.toContain(secret);
    // a pause over the garbage is a new version: the latest decides again
    expect((await op('pause')).code).toBe(0);
    expect(JSON.parse((await op('inspect')).stdout)).toMatchObject({ paused: { by: 'ops-2026' } });
    expect((await op('resume')).code).toBe(0);
  }, 90_000);

  it('Secret Manager down: events still converge and inspect reports it; pause and resume exit 1 saying so', async () => {
    world.secretManager.faults.unavailable = true;
    try {
      const before = world.pauseVersions();
      const to = moveDue();
      expect((await event(to)).body).toMatchObject({ outcome: 'moved', to });
      const seen = JSON.parse((await op('inspect')).stdout) as { paused: { unreadable: string } };
      expect(seen.paused.unreadable).toContain('HTTP 503');
      for (const action of ['pause', 'resume']) {
        const r = await op(action, { extra: ['--reason', 'x'] });
        expect({ action, code: r.code }).toEqual({ action, code: 1 });
        expect(r.stderr).toContain('HTTP 502 provider_transient');
        // the pause generation is read from the store before any write: the read is the call that fails
        expect(r.stderr).toContain(`Secret Manager read of ${pauseSecretName()} failed: HTTP 503`);
      }
      expect(world.pauseVersions()).toEqual(before);
    } finally {
      world.secretManager.faults.unavailable = false;
    }
  }, 90_000);

  it(`${PAUSED_ENV} stays the deployment's break-glass: read first, resume refused (409), no version written`, async () => {
    const from = holder();
    moveDue();
    const before = world.pauseVersions();
    const writes = world.writes();
    expect(JSON.parse((await op('inspect', { to: pausedUrl })).stdout)).toMatchObject({ paused: { by: PAUSED_ENV } });
    expect((await event(other(), pausedUrl)).body).toMatchObject({ outcome: 'paused' });
    const r = await op('resume', { to: pausedUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HTTP 409 paused_in_configuration');
    expect(world.pauseVersions()).toEqual(before);
    expect([world.writes(), holder()]).toEqual([writes, from]);
  }, 90_000);

  it(`a bad ${PAUSE_SECRETS_ENV} fails the cold start naming the field, before any Secret Manager call`, async () => {
    const reads = world.secretManager.reads.length;
    for (const [value, message] of [
      ['{"IRISMIRROR":"projects/demo-project/secrets/s/versions/1"}', `${PAUSE_SECRETS_ENV}.IRISMIRROR must be`],
      ['{"NOPE":"projects/demo-project/secrets/s"}', `${PAUSE_SECRETS_ENV} names NOPE`],
      ['projects/demo-project/secrets/s', `${PAUSE_SECRETS_ENV} is not JSON`],
    ] as const) {
      await expect(createGcpEngine({ ...operatorEnv(world), [PAUSE_SECRETS_ENV]: value })).rejects.toThrow(message);
    }
    expect(world.secretManager.reads.length).toBe(reads);
  });
});
