import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAzureFunctions, FUNCTION_NAMES } from '../../functions/azure/app.ts';
import { invokeAzureBundle } from '../../local-cloud/azure/bundle.ts';
import { startKeyVaultEmulator } from '../../local-cloud/azure/key-vault.ts';
import { azureRequest, callAzureHttp, serveAzureHttp } from '../../local-cloud/azure-http.ts';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { type AzureWorld, MIRROR, pauseSecretName, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { PAUSE_SECRETS_ENV, PAUSED_ENV } from '../../shared/config/paused.ts';
import { operatorRequest } from '../../shared/protocol/operator.ts';
import { AZURE_ENV } from '../../shared/providers/azure/endpoint.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles, randomSecret } from '../support/operator-keys.ts';

// `mirror-vip pause|resume` through the Azure Function: one Key Vault secret per mirror, a version per pause/resume.
const { keyFile, operatorSecret, operatorKey } = operatorKeyFiles('azure-pause');

let world: AzureWorld;
type Fns = Awaited<ReturnType<typeof createAzureFunctions>>;
let fns: Fns;
let host: Awaited<ReturnType<typeof serveAzureHttp>>;
let url = '';

/** The world's app settings with an operator key and the pause secret (and more settings on top). */
function settings(more: Record<string, string> = {}): Record<string, string> {
  const config = JSON.parse(world.env.MIRROR_VIP_CONFIG as string) as Record<string, unknown>;
  return {
    ...world.env,
    ...world.pauseEnv(),
    MIRROR_VIP_CONFIG: JSON.stringify({
      ...config,
      operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }],
    }),
    MIRROR_VIP_OPERATOR_KEY: operatorSecret,
    ...more,
  };
}
const cli = (action: string, extra: string[] = [], at = url) =>
  runCli(
    [action, '--url', at, '--mirror', MIRROR, '--key-id', 'ops-2026', '--key-file', operatorKey, '--json', ...extra],
    {},
  );
/** One operator request straight to an instance's trigger (as the host hands it over). */
async function ask(
  instance: Fns,
  action: string,
  keyId = 'ops-2026',
  secret = operatorSecret,
): Promise<{ status: number; body: { error?: { code?: string; message?: string } } & Record<string, unknown> }> {
  // pause and resume name the pause generation, read first with inspect as the CLI does
  const generation =
    action === 'pause' || action === 'resume'
      ? { generation: ((await ask(instance, 'inspect', keyId, secret)).body.generation as number | undefined) ?? 0 }
      : {};
  const { body, headers } = operatorRequest(
    { requestId: randomUUID(), action: action as never, mirror: MIRROR, ...generation },
    keyId,
    secret,
  );
  const out = await callAzureHttp(
    instance.mirrorVipOperator,
    FUNCTION_NAMES.operator,
    azureRequest('https://mirror-vip.azurewebsites.net/api/mirrorVip/operator', 'POST', headers, body),
  );
  return {
    status: out.status,
    body: out.body as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}
const holder = () => world.ipConfigHolders()[0] as 'iris-a' | 'iris-b';
const other = () => (holder() === 'iris-a' ? 'iris-b' : 'iris-a');
/** The primary fails over: the holder is down, the other member answers primary. */
const failOver = () => {
  world.members.set(holder(), 'down');
  world.members.set(other(), 'primary');
};
const sets = () => world.vault.calls.filter((c) => c.op === 'SetSecret' && c.status === 200).length;
const name = () => pauseSecretName(MIRROR);

beforeAll(async () => {
  world = await startAzureWorld({ operationDelayMs: 10 });
  // in process, @azure/identity reads the platform's managed identity variables from process.env (as in the host)
  process.env.IDENTITY_ENDPOINT = world.emu.identity.endpoint;
  process.env.IDENTITY_HEADER = world.emu.identity.header;
  fns = await world.makeInstance(settings());
  host = await serveAzureHttp(fns.mirrorVipOperator, 'mirrorVipOperator');
  url = host.url.replace(/mirrorVipOperator$/, 'mirrorVip');
}, 60_000);
afterAll(async () => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  await host?.close();
  await world?.close();
});
beforeEach(() => {
  world.members.set(holder(), 'primary');
  world.members.set(other(), 'backup');
});

describe('Azure: the pause in a Key Vault secret', () => {
  it('pause writes a version, inspect reports it, an event and a reconcile answer paused with zero ARM writes; resume writes another and reconcile moves', async () => {
    const from = holder();
    const to = other();
    const paused = await cli('pause', ['--reason', 'kernel patching']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(world.pauseVersions().map((t) => JSON.parse(t))).toEqual([
      {
        paused: true,
        by: 'ops-2026',
        since: expect.any(String),
        reason: 'kernel patching',
        generation: expect.any(Number),
      },
    ]);
    // written by the function's managed identity, with a Key Vault token from the identity endpoint
    expect(world.vault.calls.filter((c) => c.write && c.status === 200).map((c) => c.principal)).toEqual([
      world.emu.identity.principalId,
    ]);
    const seen = await cli('inspect');
    expect(JSON.parse(seen.stdout)).toMatchObject({ ok: true, paused: { by: 'ops-2026', reason: 'kernel patching' } });

    failOver();
    const writes = world.writes();
    const event = await world.post(world.signedRequest(other()), 'POST', fns);
    expect(event.result).toMatchObject({ outcome: 'paused' });
    expect((await ask(fns, 'reconcile')).body).toMatchObject({ ok: true, result: { outcome: 'paused' } });
    expect(world.writes()).toBe(writes);
    expect(holder()).toBe(from);

    const resumed = await cli('resume');
    expect(resumed.code).toBe(0);
    expect(world.pauseVersions().map((t) => JSON.parse(t))).toEqual([
      expect.objectContaining({ paused: true }),
      { paused: false, by: 'ops-2026', since: expect.any(String), generation: expect.any(Number) },
    ]);
    const moved = await ask(fns, 'reconcile');
    expect(moved.body).toMatchObject({ ok: true, result: { outcome: 'moved', from, to } });
    expect(holder()).toBe(to);
    expect(world.writes()).toBeGreaterThan(writes);
  }, 90_000);

  it.each([
    ["a member's key", 'iris-a-k1', 'member', 'not_an_operator_key', 403],
    ['the operator key id with a forged secret', 'ops-2026', 'forged', 'bad_signature', 401],
  ])(
    'pause and resume are refused with %s (typed), and nothing is written to the vault',
    async (_n, keyId, which, code, status) => {
      const before = [sets(), world.pauseVersions().length];
      const secret = which === 'member' ? world.secrets['iris-a'] : randomSecret();
      for (const action of ['pause', 'resume']) {
        const r = await ask(fns, action, keyId, secret);
        expect({ action, status: r.status, code: r.body.error?.code }).toEqual({ action, status, code });
      }
      const viaCli = await runCli(
        ['pause', '--url', url, '--mirror', MIRROR, '--key-id', keyId, '--key-file', keyFile(`${which}.key`, secret)],
        {},
      );
      expect([viaCli.code, viaCli.stderr.includes(`HTTP ${status} ${code}`)]).toEqual([1, true]);
      expect([sets(), world.pauseVersions().length]).toEqual(before);
    },
  );

  it('garbage in the secret: events still converge (logged, not paused), inspect reports it unreadable; pause overwrites it', async () => {
    world.vault.seed(name(), 'not a pause record');
    const [from, to] = [holder(), other()];
    const seen = await ask(fns, 'inspect');
    expect(seen.body).toMatchObject({
      ok: true,
      paused: { unreadable: expect.stringContaining('does not hold JSON') },
    });
    failOver();
    const lines = world.lines.length;
    const event = await world.post(world.signedRequest(other()), 'POST', fns);
    expect(event.result).toMatchObject({ outcome: 'moved', from, to });
    expect(holder()).toBe(to);
    expect(world.lines.slice(lines).some((l) => String(l.msg).includes('unreadable'))).toBe(true);
    // pause writes a new version over it (set does not read); resume leaves the mirror unpaused again
    expect((await cli('pause', ['--reason', 'after garbage'])).code).toBe(0);
    expect((await cli('resume')).code).toBe(0);
    expect(JSON.parse(world.pauseVersions().at(-1) as string)).toMatchObject({ paused: false });
  }, 90_000);

  it('the vault refuses (403, role removed): events converge, inspect reports unreadable, pause and resume exit 1 naming Key Vault', async () => {
    world.vault.revokeAll();
    try {
      const before = world.pauseVersions().length;
      const seen = await ask(fns, 'inspect');
      expect(seen.body).toMatchObject({
        ok: true,
        paused: { unreadable: expect.stringContaining('HTTP 403 Forbidden') },
      });
      const from = holder();
      failOver();
      expect((await world.post(world.signedRequest(other()), 'POST', fns)).result).toMatchObject({ outcome: 'moved' });
      expect(holder()).not.toBe(from);
      for (const action of ['pause', 'resume']) {
        const r = await cli(action);
        expect({ action, code: r.code }).toEqual({ action, code: 1 });
        expect(r.stderr).toContain('HTTP 502 provider_error');
        expect(r.stderr).toContain(`Key Vault getSecret ${world.vault.secretRef(name())} failed: HTTP 403 Forbidden`);
      }
      expect(world.pauseVersions().length).toBe(before);
    } finally {
      world.vault.grant(world.emu.identity.principalId, world.vault.scopeOf(name()), [
        'Microsoft.KeyVault/vaults/secrets/getSecret/action',
        'Microsoft.KeyVault/vaults/secrets/setSecret/action',
      ]);
    }
  }, 90_000);

  it('the vault is unreachable: events converge, inspect reports unreadable, pause and resume are refused 502', async () => {
    const gone = await startKeyVaultEmulator({
      name: 'gone',
      resourceGroupId: world.vault.vaultId,
      issuer: world.emu.issuer,
    });
    await gone.close();
    const cut = await world.makeInstance(settings({ [AZURE_ENV.keyVaultEndpoint]: gone.url }));
    const seen = await ask(cut, 'inspect');
    expect(seen.body).toMatchObject({
      ok: true,
      paused: { unreadable: expect.stringContaining('Key Vault getSecret') },
    });
    const from = holder();
    failOver();
    expect((await world.post(world.signedRequest(other()), 'POST', cut)).result).toMatchObject({ outcome: 'moved' });
    expect(holder()).not.toBe(from);
    for (const action of ['pause', 'resume']) {
      const r = await ask(cut, action);
      expect({ action, status: r.status, code: r.body.error?.code }).toEqual({
        action,
        status: 502,
        code: 'provider_error',
      });
      // the generation is read from the store first: the store's error names the call that failed
      expect(r.body.error?.message).toMatch(/Key Vault (getSecret|setSecret)/);
    }
  }, 90_000);

  it(`${PAUSED_ENV} stays break-glass: reported first, resume refused 409 paused_in_configuration, nothing written`, async () => {
    const glass = await world.makeInstance(settings({ [PAUSED_ENV]: MIRROR }));
    const before = sets();
    expect((await ask(glass, 'inspect')).body).toMatchObject({ paused: { by: PAUSED_ENV } });
    const r = await ask(glass, 'resume');
    expect([r.status, r.body.error?.code]).toEqual([409, 'paused_in_configuration']);
    expect(sets()).toBe(before);
  });

  it(`a bad ${PAUSE_SECRETS_ENV} or Key Vault endpoint stops the function at cold start, naming the setting`, async () => {
    const start = (more: Record<string, string>) => createAzureFunctions(settings(more));
    await expect(start({ [PAUSE_SECRETS_ENV]: '{"IRISMIRROR":"https://evil.example/secrets/x"}' })).rejects.toThrow(
      `${PAUSE_SECRETS_ENV}.IRISMIRROR must be https://<vault>.vault.azure.net/secrets/<name>`,
    );
    await expect(
      start({ [PAUSE_SECRETS_ENV]: '{"IRISMIRROR":"https://kv.vault.azure.net/secrets/a/0123456789abcdef"}' }),
    ).rejects.toThrow(`${PAUSE_SECRETS_ENV}.IRISMIRROR`);
    await expect(start({ [PAUSE_SECRETS_ENV]: '{"NOPE":"https://kv1.vault.azure.net/secrets/a"}' })).rejects.toThrow(
      `${PAUSE_SECRETS_ENV} names NOPE`,
    );
    await expect(start({ [PAUSE_SECRETS_ENV]: 'nope' })).rejects.toThrow(`${PAUSE_SECRETS_ENV} is not JSON`);
    await expect(start({ [AZURE_ENV.keyVaultEndpoint]: 'http://127.0.0.1:1' })).rejects.toThrow(
      `${AZURE_ENV.keyVaultEndpoint}: use https://`,
    );
  });

  it('the bundled mirrorVipOperator (dist/azure/index.mjs) pauses and resumes through Key Vault with its managed identity', async () => {
    const bundle = await ensureBundle('dist/azure/index.mjs');
    let generation = 0;
    const send = (action: string) => {
      const g = action === 'inspect' ? {} : { generation: generation++ };
      const { body, headers } = operatorRequest(
        { requestId: randomUUID(), action: action as never, mirror: MIRROR, ...g },
        'ops-2026',
        operatorSecret,
      );
      return invokeAzureBundle(bundle, { body, headers }, settings(), 'mirrorVipOperator');
    };
    const before = world.pauseVersions().length;
    generation = ((await send('inspect')).out.jsonBody as { generation: number }).generation;
    const tokens = world.emu.identityTokens;
    const paused = await send('pause');
    expect(paused.out).toMatchObject({ status: 200, jsonBody: { ok: true, paused: { by: 'ops-2026' } } });
    expect((await send('inspect')).out.jsonBody).toMatchObject({ ok: true, paused: { by: 'ops-2026' } });
    expect((await send('resume')).out).toMatchObject({ status: 200, jsonBody: { ok: true, paused: null } });
    expect(
      world
        .pauseVersions()
        .slice(before)
        .map((t) => JSON.parse(t).paused),
    ).toEqual([true, false]);
    // each cold process fetched its own Key Vault token from the identity endpoint
    expect(world.emu.identityTokens - tokens).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
