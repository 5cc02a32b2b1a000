import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArmState,
  type AzureEmulator,
  MIRROR,
  seedMirrorSubscription,
  startAzureEmulator,
} from '../../../local-cloud/azure/index.ts';

const run = promisify(execFile);
let emu: AzureEmulator;
let env: Record<string, string>;
const az = async (...args: string[]) => {
  const { stdout } = await run('az', args, { env, timeout: 90_000 });
  return stdout;
};
const nicUrl = (nic: string) =>
  `${emu.url}/subscriptions/${MIRROR.subscriptionId}/resourceGroups/${MIRROR.resourceGroup}/providers/Microsoft.Network/networkInterfaces/${nic}?api-version=2022-07-01`;

// An independent client: Debian's Azure CLI 2.45 and its Python SDK (azure-mgmt-network, azure-core's ARM poller),
// logged in offline through the emulator's managed identity endpoint (az login --identity reads MSI_ENDPOINT).
beforeAll(async () => {
  const state = new ArmState();
  seedMirrorSubscription(state, { routes: true });
  emu = await startAzureEmulator({ state, operationDelayMs: 100, lroRetryAfterSeconds: 1 });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: mkdtempSync(join(tmpdir(), 'mva-az-home-')),
    AZURE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'mva-az-')),
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    REQUESTS_CA_BUNDLE: emu.caFile,
    MSI_ENDPOINT: `${emu.url}/msi/token`,
  };
  await az(
    'cloud',
    'register',
    '--name',
    'mvlocal',
    '--endpoint-resource-manager',
    `${emu.url}/`,
    '--endpoint-active-directory',
    `${emu.url}/`,
    '--endpoint-active-directory-resource-id',
    'https://management.core.windows.net/',
    '--endpoint-active-directory-graph-resource-id',
    'https://graph.windows.net/',
    '--endpoint-management',
    `${emu.url}/`,
  );
  await az('cloud', 'set', '--name', 'mvlocal');
}, 120_000);
afterAll(async () => emu?.close());

describe('the ARM emulator, checked with the Azure CLI and its Python SDK', () => {
  it('az login --identity gets a token from the identity endpoint and lists the subscription', async () => {
    const accounts = JSON.parse(await az('login', '--identity')) as { id: string; state: string }[];
    expect(accounts).toMatchObject([{ id: MIRROR.subscriptionId, state: 'Enabled' }]);
    expect(emu.identityTokens).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('az rest reads a NIC in the ARM shape and a stale If-Match is refused with 412 PreconditionFailed', async () => {
    const nic = JSON.parse(await az('rest', '--method', 'get', '--url', nicUrl('iris-a-nic'))) as {
      etag: string;
      properties: { ipConfigurations: { name: string; properties: { primary: boolean } }[] };
    };
    expect(nic.etag).toMatch(/^W\/"/);
    expect(nic.properties.ipConfigurations.map((c) => [c.name, c.properties.primary])).toEqual([
      ['ipconfig1', true],
      ['vip', false],
    ]);
    const file = join(env.AZURE_CONFIG_DIR as string, 'nic.json');
    writeFileSync(file, JSON.stringify(nic));
    const stale = az(
      'rest',
      '--method',
      'put',
      '--url',
      nicUrl('iris-a-nic'),
      '--body',
      `@${file}`,
      '--headers',
      'If-Match=W/"stale"',
    );
    await expect(stale).rejects.toThrow(/PreconditionFailed/);
  }, 90_000);

  it("seed 001's Python SDK algorithm runs against it: LROs polled to Succeeded, the double allocation refused", async () => {
    const token = (JSON.parse(await az('account', 'get-access-token')) as { accessToken: string }).accessToken;
    const script = join(import.meta.dirname, 'seed001_sdk.py');
    const { stdout } = await run('/usr/bin/python3', [script, emu.url, token, emu.caFile, MIRROR.subscriptionId], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      moved: ['ipconfig1', 'vip'],
      state: 'Succeeded',
      public: true,
      refused: 'PrivateIPAddressIsAllocated',
    });
    expect(emu.calls.filter((c) => c.op === 'operations.get').length).toBeGreaterThanOrEqual(2);
    expect(emu.transitions.map((t) => `${t.kind}:${t.detail.nic}`)).toEqual([
      'ip-config-removed:iris-a-nic',
      'public-ip-detached:iris-a-nic',
      'ip-config-added:iris-b-nic',
      'public-ip-attached:iris-b-nic',
    ]);
  }, 90_000);
});
