import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, invokeBundle } from '../../local-cloud/bundles.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

let world: AwsWorld;
let bundle: string;
beforeAll(async () => {
  bundle = await ensureBundle('dist/aws/handler.mjs');
  world = await startAwsWorld();
}, 60_000);
afterAll(async () => world.close());

describe('the bundled Lambda (dist/aws/handler.mjs)', () => {
  it('handles a function URL event end to end against the emulator', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const env = world.bundleEnv;
    const { out, log } = await invokeBundle(bundle, world.signedRequest('iris-b'), env);
    const res = out as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body) as FailoverResult).toMatchObject({ outcome: 'moved', to: 'iris-b' });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.emu.calls.some((c) => c.service === 'ssm' && c.action === 'GetParameter')).toBe(true);
    expect(log.find((l) => l.msg === 'mirror-vip decision')).toMatchObject({ outcome: 'moved' });
    expect(JSON.stringify(log)).not.toContain(world.secrets['iris-b']);
    expect(JSON.stringify(log)).not.toContain(world.secrets['iris-a']);
  });

  it('fails at cold start, naming the field, when the configuration is wrong', async () => {
    const bad = JSON.parse(world.env.MIRROR_VIP_CONFIG) as { mirrors: { region: string }[] };
    (bad.mirrors[0] as { region: string }).region = 'moon-1';
    const run = invokeBundle(bundle, {}, { MIRROR_VIP_CONFIG: JSON.stringify(bad) });
    await expect(run).rejects.toThrow(/mirrors\[0\]\.region: must be an AWS region/);
  });
});
