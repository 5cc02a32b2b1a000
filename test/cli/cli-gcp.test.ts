import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { runCli } from '../support/cli.ts';

const _run = promisify(execFile);
let world: GcpWorld;
let configFile: string;

const cli = (args: string[]) => runCli(args, { MIRROR_VIP_GCP_COMPUTE_ENDPOINT: world.emu.url });

beforeAll(async () => {
  world = await startGcpWorld();
  configFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-cli-gcp-')), 'config.json');
  // the default probe timeout (500 ms): status observes first, so the SDK's load no longer eats it
  writeFileSync(configFile, JSON.stringify(world.config));
});
afterAll(async () => world.close());

describe('mirror-vip CLI on GCP (Compute emulator)', () => {
  it('status --cloud gcp shows the alias and the access config on their holder, read-only', async () => {
    const { code, stdout } = await cli(['status', '--config', configFile, '--cloud', 'gcp', '--json']);
    expect(code).toBe(0);
    const [s] = JSON.parse(stdout) as {
      cloud: string;
      holder: string;
      members: Record<string, { role: string }>;
      bindings: { mode: string; slot: string; holder: string; address: string }[];
    }[];
    expect(s).toMatchObject({
      cloud: 'gcp',
      holder: 'iris-a',
      verdict: 'ok',
      members: { 'iris-a': { role: 'primary' }, 'iris-b': { role: 'backup' } },
    });
    expect(s?.bindings.every((b) => b.holder === 'iris-a')).toBe(true);
    // the access config shows its external address, not the private VIP
    expect(s?.bindings.find((b) => b.slot === 'access-config')?.address).toBe(world.seed.externalIp);
    expect(world.writes()).toBe(0);
  });

  it('plan --cloud gcp --to iris-b lists the moves and makes none', async () => {
    // iris-b answers backup: the plan is shown, and exit 8 says the function would refuse it now
    const { code, stdout } = await cli(['plan', '--config', configFile, '--cloud', 'gcp', '--to', 'iris-b', '--json']);
    expect(code).toBe(8);
    const r = JSON.parse(stdout) as { outcome: string; plan: { from: string; to: string }[]; writeCalls: number };
    expect(r.outcome).toBe('planned');
    expect(r.plan.length).toBeGreaterThan(0);
    expect(r.plan.every((c) => c.from === 'iris-a' && c.to === 'iris-b')).toBe(true);
    expect(world.writes()).toBe(0);
    expect(world.aliasHolders()).toEqual(['iris-a']);
  });

  it('--cloud aws on a GCP-only configuration says there is no such mirror', async () => {
    const { code, stderr } = await cli(['status', '--config', configFile, '--cloud', 'aws']);
    expect(code).toBe(2);
    expect(stderr).toContain('no aws mirror');
  });
});
