import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { invokeDirect, viaGateway } from '../../local-cloud/oci/fn-invoke.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';

let world: OciWorld;
let fn: Awaited<ReturnType<typeof serveFdkBundle>>;
let coldStartVaultReads: string[] = [];
beforeAll(async () => {
  world = await startOciWorld({ assigningMs: 10 });
  fn = await serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), world.env);
  coldStartVaultReads = world.emu.calls.filter((c) => c.op === 'GetSecretBundle').map((c) => `${c.status} ${c.path}`);
  world.emu.reset();
}, 120_000);
afterAll(async () => {
  await fn?.stop();
  await world?.close();
});

describe('the bundled OCI Function under the real FDK, called over its unix socket as Fn calls it', () => {
  it('reads the Vault secret once at cold start, and the API Gateway request moves the VIP and its public IP', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    // iris-b's key lives only in the Vault secret: this request verifies only if the bundle read it
    const r = await viaGateway(fn.socket, world.signedRequest('iris-b'));
    expect(r.status).toBe(200);
    expect(r.headers['fn-fdk-version']).toMatch(/^fdk-node\//);
    expect(JSON.parse(r.text)).toMatchObject({ ok: true, outcome: 'moved', to: 'iris-b' });
    expect(world.privateIpHolder()).toBe('iris-b');
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
    expect(coldStartVaultReads).toEqual([`200 /20190301/secretbundles/${world.seed.secretId}`]);
    expect(world.emu.calls.filter((c) => c.op === 'GetSecretBundle')).toHaveLength(0);
    // the decision is one JSON line on stdout (the function's log)
    const line = fn
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'mirror-vip decision');
    expect(line).toMatchObject({ outcome: 'moved', to: 'iris-b' });
  });

  it('a forged request is refused with the gateway status 401 and no write; a schedule invocation reconciles', async () => {
    const writes = world.writes();
    const forged = await viaGateway(fn.socket, world.signedRequest('iris-b', { secret: 'x'.repeat(43) }));
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.text).error.code).toBe('bad_signature');
    const scheduled = await invokeDirect(fn.socket, JSON.stringify({ kind: 'mirror-vip.reconcile' }));
    expect(JSON.parse(scheduled.text).results.map((x: { outcome: string }) => x.outcome)).toEqual(['unchanged']);
    expect(world.writes()).toBe(writes);
  });

  it('a bad configuration stops the function at cold start, naming the field', async () => {
    const bad = serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), {
      ...world.env,
      MIRROR_VIP_CONFIG:
        world.env.MIRROR_VIP_CONFIG?.replace('"region":"eu-frankfurt-1"', '"region":"Frankfurt"') ?? '',
    });
    await expect(bad).rejects.toThrow(/mirrors\[0\]\.region: must be an OCI region/);
  });
});
