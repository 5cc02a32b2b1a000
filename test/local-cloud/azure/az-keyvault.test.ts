import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmState, type AzureEmulator, startAzureEmulator } from '../../../local-cloud/azure/index.ts';
import {
  GET_SECRET,
  type KeyVaultEmulator,
  SET_SECRET,
  startKeyVaultEmulator,
} from '../../../local-cloud/azure/key-vault.ts';

const run = promisify(execFile);
let arm: AzureEmulator;
let kv: KeyVaultEmulator;
let env: Record<string, string>;
const az = async (...args: string[]) => (await run('az', args, { env, timeout: 90_000 })).stdout;
const RG = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-mirror';

// An independent client of the Key Vault emulator: Debian's Azure CLI 2.45, logged in through the emulator's
// managed identity endpoint, asking it for a token for https://vault.azure.net as it would Entra ID.
beforeAll(async () => {
  arm = await startAzureEmulator({ state: new ArmState() });
  kv = await startKeyVaultEmulator({ name: 'kv-az', resourceGroupId: RG, issuer: arm.issuer });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: mkdtempSync(join(tmpdir(), 'mva-azkv-home-')),
    AZURE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'mva-azkv-')),
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    REQUESTS_CA_BUNDLE: kv.caFile,
    MSI_ENDPOINT: `${arm.url}/msi/token`,
  };
  const endpoints = ['resource-manager', 'active-directory', 'management'].flatMap((e) => [
    `--endpoint-${e}`,
    `${arm.url}/`,
  ]);
  await az(
    'cloud',
    'register',
    '--name',
    'mvkv',
    ...endpoints,
    '--endpoint-active-directory-resource-id',
    'https://management.core.windows.net/',
    '--endpoint-active-directory-graph-resource-id',
    'https://graph.windows.net/',
    '--suffix-keyvault-dns',
    '.vault.azure.net',
  );
  await az('cloud', 'set', '--name', 'mvkv');
  // `az login --identity` lists subscriptions at the ARM emulator; its tokens carry the app identity's principal
  await az('login', '--identity', '--allow-no-subscriptions');
  kv.grant(arm.identity.principalId, kv.scopeOf('pause-az'), [GET_SECRET, SET_SECRET]);
}, 120_000);
afterAll(async () => {
  await kv?.close();
  await arm?.close();
});

const VAULT = 'https://vault.azure.net';
const failure = (p: Promise<string>) =>
  p.then(
    (out) => `unexpected success: ${out}`,
    (e: { stderr?: string }) => e.stderr ?? '',
  );

// `az keyvault secret set|show --id` cannot be used: Debian's azure-cli 2.45 ships without the vendored Key Vault
// data-plane SDK its keyvault module imports (ModuleNotFoundError: azure.keyvault.v7_0, before any request is sent).
// `az rest` with `--resource https://vault.azure.net` is the independent client: its own token request, its own HTTP.
describe('the Key Vault emulator, checked with the Azure CLI (az rest)', () => {
  it('az keyvault secret is unusable on this az (missing module), so az rest is the client', async () => {
    const err = await failure(az('keyvault', 'secret', 'show', '--id', `${kv.url}/secrets/pause-az`));
    expect(err).toContain("No module named 'azure.keyvault.v7_0'");
    expect(kv.calls.length).toBe(0);
  }, 90_000);

  it('PUT adds versions and GET returns the latest, with a vault token az got from the identity endpoint', async () => {
    const url = `${kv.url}/secrets/pause-az?api-version=7.4`;
    for (const value of ['{"paused":false}', '{"paused":true}']) {
      const set = JSON.parse(
        await az('rest', '--method', 'put', '--url', url, '--resource', VAULT, '--body', JSON.stringify({ value })),
      ) as { id: string; value: string };
      expect(set.value).toBe(value);
      expect(set.id).toMatch(new RegExp(`^${kv.url}/secrets/pause-az/[0-9a-f]{32}$`));
    }
    const got = JSON.parse(await az('rest', '--method', 'get', '--url', url, '--resource', VAULT)) as { value: string };
    expect(got.value).toBe('{"paused":true}');
    expect(kv.versions('pause-az')).toEqual(['{"paused":false}', '{"paused":true}']);
    expect(kv.calls.filter((c) => c.status === 200).map((c) => c.principal)).toEqual(
      Array(3).fill(arm.identity.principalId),
    );
  }, 90_000);

  it('refuses what Key Vault refuses: no token 401, an ARM token 401, SecretNotFound 404, RBAC 403, a bad body 400', async () => {
    const before = kv.versions('pause-az').length;
    const url = (name: string) => `${kv.url}/secrets/${name}?api-version=7.4`;
    // without --resource az cannot derive one for 127.0.0.1 and sends no token: the challenge answers
    expect(await failure(az('rest', '--method', 'get', '--url', url('pause-az')))).toMatch(/Unauthorized.*AKV10000/s);
    const armToken = await failure(
      az('rest', '--method', 'get', '--url', url('pause-az'), '--resource', 'https://management.core.windows.net/'),
    );
    expect(armToken).toMatch(/Unauthorized.*audience/s);
    expect(await failure(az('rest', '--method', 'get', '--url', url('nothing-here'), '--resource', VAULT))).toMatch(
      /Forbidden|SecretNotFound/,
    );
    kv.grant(arm.identity.principalId, kv.scopeOf('empty-one'), [GET_SECRET]);
    expect(await failure(az('rest', '--method', 'get', '--url', url('empty-one'), '--resource', VAULT))).toContain(
      'SecretNotFound',
    );
    const denied = await failure(
      az('rest', '--method', 'put', '--url', url('empty-one'), '--resource', VAULT, '--body', '{"value":"x"}'),
    );
    expect(denied).toMatch(/Forbidden.*ForbiddenByRbac|ForbiddenByRbac.*Forbidden/s);
    const bad = await failure(
      az('rest', '--method', 'put', '--url', url('pause-az'), '--resource', VAULT, '--body', '{"value":7}'),
    );
    expect(bad).toContain('BadParameter');
    expect(kv.versions('pause-az').length).toBe(before);
    expect(kv.versions('empty-one')).toEqual([]);
  }, 120_000);
});
