import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../cli/demo.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { runCli } from '../support/cli.ts';

let world: OciWorld;
let configFile: string;
const ociEnv = () =>
  Object.fromEntries(
    ['MIRROR_VIP_OCI_ENDPOINT', 'MIRROR_VIP_OCI_KEY_ID', 'MIRROR_VIP_OCI_KEY_FILE'].map((k) => [k, world.env[k]]),
  );
const cli = (args: string[]) => runCli(args, ociEnv());

beforeAll(async () => {
  world = await startOciWorld({ mode: 'both' });
  configFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-cli-oci-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(world.config));
});
afterAll(async () => world.close());

describe('mirror-vip CLI on OCI (signed calls to the VirtualNetwork emulator)', () => {
  it('status --cloud oci shows the private IP, its public IP and the routes on their holder, read-only', async () => {
    const { code, stdout, stderr } = await cli(['status', '--config', configFile, '--cloud', 'oci', '--json']);
    expect(stderr).not.toContain('Error');
    expect(code).toBe(0);
    const [s] = JSON.parse(stdout) as { cloud: string; holder: string; bindings: { slot: string; holder: string }[] }[];
    expect(s).toMatchObject({ cloud: 'oci', holder: 'iris-a' });
    expect(s?.bindings.map((b) => b.holder)).toEqual(['iris-a', 'iris-a', 'iris-a', 'iris-a']);
    expect(world.writes()).toBe(0);
    expect(world.emu.calls.every((c) => c.keyId === world.env.MIRROR_VIP_OCI_KEY_ID)).toBe(true);
  });

  it('plan --cloud oci --to iris-b lists every slot and makes no write', async () => {
    const { code, stdout } = await cli(['plan', '--config', configFile, '--cloud', 'oci', '--to', 'iris-b', '--json']);
    expect(code).toBe(8); // iris-b answers backup: the function would refuse, the plan is still shown
    const r = JSON.parse(stdout) as { outcome: string; plan: { slot: string; to: string }[] };
    expect(r.outcome).toBe('planned');
    expect(r.plan.map((c) => c.slot)).toEqual(['private-ip', 'public-ip', ...world.seed.routeTableIds]);
    expect(world.writes()).toBe(0);
  });
});

describe('the demo on OCI', () => {
  it('plays the failover through the gateway and the FDK and reports it as JSON', async () => {
    const lines: string[] = [];
    const o = { cloud: 'oci' as const, latency: 0, tables: 1, opDelay: 0, json: true, serve: false, port: 0 };
    const { ok, steps } = await runDemo(o, (s) => lines.push(s));
    expect(ok).toBe(true);
    expect(steps.map((s) => s.result?.outcome).filter(Boolean)).toEqual(['moved', 'rejected', 'unchanged']);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ ok: true, cloud: 'oci' });
  });
});
