import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAzureBundle } from '../../local-cloud/azure/bundle.ts';
import { OPEN_ASSIGNMENT } from '../../local-cloud/azure/rbac.ts';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import type { CheckReport } from '../../shared/core/check.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles } from '../support/operator-keys.ts';

// `mirror-vip check --url` against dist/azure/index.mjs, its mirrorVipOperator export (route mirrorVip/operator)
// served by a host stand-in in its own process (the managed identity and the emulator's CA from the app settings).
const { operatorSecret, operatorKey } = operatorKeyFiles('check-azure');
const LOST = 'Microsoft.Network/networkInterfaces/write';
let world: AzureWorld;
let host: Awaited<ReturnType<typeof serveAzureBundle>>;

beforeAll(async () => {
  const bundle = await ensureBundle('dist/azure/index.mjs');
  world = await startAzureWorld();
  const config = JSON.parse(world.env.MIRROR_VIP_CONFIG as string) as Record<string, unknown>;
  const env = {
    ...world.env,
    MIRROR_VIP_CONFIG: JSON.stringify({ ...config, operatorKeys: [{ id: 'ops-2026', secret: 'env:OPS_KEY' }] }),
    OPS_KEY: operatorSecret,
  };
  host = await serveAzureBundle(bundle, env, 'mirrorVipOperator');
}, 120_000);
afterAll(async () => {
  await host?.stop();
  await world?.close();
});

const check = (extra: string[] = []) =>
  runCli(
    ['check', '--url', host.url, '--cloud', 'azure', '--key-id', 'ops-2026', '--key-file', operatorKey, ...extra],
    {},
  );

describe('mirror-vip check --url (Azure bundled function)', () => {
  it('exits 1 naming the NIC the role may not write and its fix; restored, exits 0; zero writes', async () => {
    const writes = world.writes();
    world.state.rbac.assignments = [{ ...OPEN_ASSIGNMENT, notActions: [LOST] }];
    try {
      const bad = await check();
      expect(bad.stderr).toBe('');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/FAIL +IRISMIRROR +iris-\w +azure\.permission +\S+networkInterfaces\/iris-\w-nic/i);
      expect(bad.stdout).toMatch(
        /fix \(azure\.permission \S+networkInterfaces\/iris-\w-nic\): grant Microsoft\.Network\/networkInterfaces\/write on /i,
      );
      expect(bad.stdout).toContain('0 write calls');
      const json = JSON.parse((await check(['--json'])).stdout) as CheckReport;
      expect(json.writes).toBe(0);
      expect(json.findings.filter((f) => f.status === 'fail').every((f) => f.check === 'azure.permission')).toBe(true);
    } finally {
      world.state.rbac.reset();
    }
    const fixed = await check(['--json']);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ ok: true, writes: 0 });
    expect(world.writes()).toBe(writes);
  });
});
