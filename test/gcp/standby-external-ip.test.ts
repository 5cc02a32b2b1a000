import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { runCli } from '../support/cli.ts';

// Rule 9: one access config per NIC, so a standby that kept its default ephemeral external IP blocks every public move.
let world: GcpWorld;
let configFile: string;
const cli = (args: string[]) => runCli(args, { MIRROR_VIP_GCP_COMPUTE_ENDPOINT: world.emu.url });

beforeAll(async () => {
  world = await startGcpWorld();
  world.state.instance(world.seed.backup.zone, 'iris-b')?.networkInterfaces[0]?.accessConfigs.push({
    name: 'External NAT',
    natIP: '35.9.9.9',
    type: 'ONE_TO_ONE_NAT',
    networkTier: 'PREMIUM',
  });
  configFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-gcp-rule9-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(world.config));
});
afterAll(async () => world.close());

describe('a standby with its own external IP (one access config per NIC)', () => {
  it('plan --to iris-b warns that the public VIP cannot move there, and how to fix it', async () => {
    const { code, stdout } = await cli(['plan', '--config', configFile, '--to', 'iris-b']);
    expect(code).toBe(8); // iris-b answers backup: the function would refuse, the plan is still shown
    expect(stdout).toMatch(/warning: .*iris-b nic0 has access config "External NAT" \(35\.9\.9\.9\)/);
    expect(stdout).toMatch(/gcloud compute instances delete-access-config iris-b --zone us-east1-c/);
    expect(world.writes()).toBe(0);
  });

  it('status warns too, naming the member', async () => {
    const { code, stdout } = await cli(['status', '--config', configFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/warning \(iris-b\): .*"External NAT" \(35\.9\.9\.9\)/);
  });
});
