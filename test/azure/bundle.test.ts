import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeAzureBundle } from '../../local-cloud/azure/bundle.ts';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

let world: AzureWorld;
let bundle: string;
beforeAll(async () => {
  bundle = await ensureBundle('dist/azure/index.mjs');
  world = await startAzureWorld({ operationDelayMs: 10 });
}, 120_000);
afterAll(async () => world.close());

describe('the bundled function (dist/azure/index.mjs) in a fresh node process', () => {
  it('moves the VIP for a signed HTTP event end to end, with a managed-identity token from the identity endpoint', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const out = await invokeAzureBundle(bundle, world.signedRequest('iris-b'), world.env);
    const result = out.out.jsonBody as FailoverResult;
    expect(out.out.status).toBe(200);
    expect(result).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(out.log.find((l) => l.msg === 'mirror-vip decision')).toMatchObject({ level: 'info', outcome: 'moved' });
    // the bundle authenticated with a token it fetched from IDENTITY_ENDPOINT, not one of the test's
    expect(world.emu.identityTokens).toBe(1);
    expect(world.emu.calls.every((c) => c.status !== 401)).toBe(true);
    expect(JSON.stringify(out.log)).not.toContain(world.secrets['iris-b']);
  });

  it('fails at cold start, naming the field, when the configuration is wrong', async () => {
    const bad = JSON.parse(world.env.MIRROR_VIP_CONFIG as string) as { mirrors: { subscriptionId: string }[] };
    (bad.mirrors[0] as { subscriptionId: string }).subscriptionId = 'not-a-uuid';
    await expect(
      invokeAzureBundle(bundle, world.signedRequest('iris-b'), {
        ...world.env,
        MIRROR_VIP_CONFIG: JSON.stringify(bad),
      }),
    ).rejects.toThrow(/mirrors\[0\]\.subscriptionId: must be a subscription id/);
  });

  it('fails at cold start when a key app setting is an unresolved Key Vault reference', async () => {
    const env = {
      ...world.env,
      MIRROR_VIP_KEY_IRIS_B: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/mirror-vip-iris-b-k1/)',
    };
    await expect(invokeAzureBundle(bundle, world.signedRequest('iris-b'), env)).rejects.toThrow(
      /MIRROR_VIP_KEY_IRIS_B is an unresolved Key Vault reference/,
    );
  });
});
