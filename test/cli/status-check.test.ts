import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_EXIT } from '../../cli/status.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import { runCli } from '../support/cli.ts';

let world: AwsWorld;
let configFile: string;
const cli = (args: string[]) => runCli(args, { AWS_ENDPOINT_URL: world.emu.url });
const roles = (a: MemberRole, b: MemberRole) => {
  world.members.set('iris-a', a);
  world.members.set('iris-b', b);
};

beforeAll(async () => {
  world = await startAwsWorld();
  configFile = join(mkdtempSync(join(tmpdir(), 'mirror-vip-status-')), 'config.json');
  // the default probe timeout (500 ms): status observes first, so the SDK's load no longer eats it
  writeFileSync(configFile, JSON.stringify(world.config));
});
afterAll(() => world.close());

describe('status as a monitoring check', () => {
  it.each([
    ['the VIP on the sole primary', 'primary', 'backup', STATUS_EXIT.ok, 'OK'],
    ['the VIP on the backup', 'backup', 'primary', STATUS_EXIT.mismatch, 'MISMATCH'],
    ['no member answering primary', 'backup', 'backup', STATUS_EXIT.noPrimary, 'NOPRIMARY'],
    ['two members answering primary', 'primary', 'primary', STATUS_EXIT.severalPrimaries, 'SEVERALPRIMARIES'],
    ['no member reachable', 'down', 'down', STATUS_EXIT.unreachable, 'cannot connect'],
  ] as const)('%s exits its code', async (_case, a, b, code, says) => {
    roles(a, b);
    const r = await cli(['status', '--config', configFile]);
    expect({ code: r.code, says: r.stdout.includes(says) }).toEqual({ code, says: true });
    expect(world.emu.calls.filter((c) => c.write)).toHaveLength(0);
  });

  it('a split (route tables on different members) exits 4', async () => {
    roles('primary', 'backup');
    const table = world.emu.state.routeTables.get(world.seeded.routeTableIds[1] ?? '');
    const route = table?.routes.find((r) => r.destinationCidrBlock === world.seeded.vipCidr);
    const before = route?.networkInterfaceId;
    if (route) route.networkInterfaceId = world.seeded.members['iris-b'].networkInterfaceId;
    try {
      const r = await cli(['status', '--config', configFile, '--json']);
      expect(r.code).toBe(STATUS_EXIT.split);
      expect(JSON.parse(r.stdout)[0]).toMatchObject({ verdict: 'split', holder: 'split' });
    } finally {
      if (route) route.networkInterfaceId = before;
    }
  });

  it('shows the Elastic IP as its public address and says why a probe failed', async () => {
    roles('primary', 'down');
    const r = await cli(['status', '--config', configFile, '--json']);
    const [s] = JSON.parse(r.stdout) as {
      bindings: { mode: string; address: string }[];
      members: Record<string, { role: string; reason?: string }>;
    }[];
    const eip = world.emu.state.addresses.get(world.seeded.allocationId)?.publicIp;
    expect(s?.bindings.find((b) => b.mode === 'eip')?.address).toBe(eip);
    expect(s?.bindings.find((b) => b.mode === 'route')?.address).toBe(world.seeded.vipCidr.replace('/32', ''));
    expect(s?.members['iris-b']).toMatchObject({
      role: 'down',
      reason: expect.stringMatching(/cannot connect|no answer/),
    });
    expect(r.code).toBe(STATUS_EXIT.ok);
  });

  it('refuses an unknown mirror (exit 1) instead of printing an empty table', async () => {
    const r = await cli(['status', '--config', configFile, '--mirror', 'FOO']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mirror FOO is not in the configuration');
  });
});

describe('plan says when the function would refuse', () => {
  it('a move to a member that is down: the plan, and exit 8 with the reason', async () => {
    roles('primary', 'down');
    const r = await cli(['plan', '--config', configFile, '--to', 'iris-b']);
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(/would refuse this move: iris-b answers down \(cannot connect/);
    expect(world.emu.calls.filter((c) => c.write)).toHaveLength(0);
  });

  it('a move to the sole primary: exit 0', async () => {
    roles('backup', 'primary');
    const r = await cli(['plan', '--config', configFile, '--to', 'iris-b', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'planned', wouldRefuse: null });
  });
});
