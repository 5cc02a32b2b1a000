import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { runCli } from '../support/cli.ts';

let world: AzureWorld;
let configFile: string;

// DefaultAzureCredential finds the emulator's managed identity endpoint, as it would the platform's
const cli = (args: string[]) =>
  runCli(args, {
    MIRROR_VIP_AZURE_ARM_ENDPOINT: world.emu.url,
    NODE_EXTRA_CA_CERTS: world.emu.caFile,
    IDENTITY_ENDPOINT: world.emu.identity.endpoint,
    IDENTITY_HEADER: world.emu.identity.header,
  });

beforeAll(async () => {
  world = await startAzureWorld();
  configFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-cli-azure-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(world.config));
});
afterAll(async () => world.close());

describe('mirror-vip CLI on Azure (ARM emulator)', () => {
  it('status --cloud azure shows the ip-configuration and the public IP on their holder, read-only', async () => {
    const { code, stdout, stderr } = await cli(['status', '--config', configFile, '--cloud', 'azure', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [s] = JSON.parse(stdout) as { cloud: string; holder: string; bindings: { slot: string; holder: string }[] }[];
    expect(s).toMatchObject({ cloud: 'azure', holder: 'iris-a' });
    expect(s?.bindings.map((b) => [b.slot, b.holder])).toEqual([
      ['ip-config', 'iris-a'],
      ['public-ip', 'iris-a'],
    ]);
    expect(world.writes()).toBe(0);
  });

  it('plan --cloud azure --to iris-b lists the moves and makes none', async () => {
    const { code, stdout } = await cli([
      'plan',
      '--config',
      configFile,
      '--cloud',
      'azure',
      '--to',
      'iris-b',
      '--json',
    ]);
    expect(code).toBe(8); // iris-b answers backup: the function would refuse, the plan is still shown
    const r = JSON.parse(stdout) as { outcome: string; plan: { slot: string; from: string; to: string }[] };
    expect(r.outcome).toBe('planned');
    expect(r.plan.map((c) => [c.slot, c.from, c.to])).toEqual([
      ['ip-config', 'iris-a', 'iris-b'],
      ['public-ip', 'iris-a', 'iris-b'],
    ]);
    expect(world.writes()).toBe(0);
  });
});
