import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles } from '../support/operator-keys.ts';

// `mirror-vip check --url` against dist/oci/func.mjs under the real FDK, behind the API Gateway emulator.
const { operatorSecret, operatorKey } = operatorKeyFiles('check-oci');
let world: OciWorld;
let fn: Awaited<ReturnType<typeof serveFdkBundle>>;
let gateway: Awaited<ReturnType<typeof serveApiGateway>>;

beforeAll(async () => {
  const bundle = await ensureBundle('dist/oci/func.mjs');
  world = await startOciWorld({ mode: 'route' });
  const config = JSON.parse(world.env.MIRROR_VIP_CONFIG as string) as Record<string, unknown>;
  const env = {
    ...world.env,
    MIRROR_VIP_CONFIG: JSON.stringify({ ...config, operatorKeys: [{ id: 'ops-2026', secret: 'env:OPS_KEY' }] }),
    OPS_KEY: operatorSecret,
  };
  fn = await serveFdkBundle(bundle, env);
  gateway = await serveApiGateway(() => fn.socket);
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await fn?.stop();
  await world?.close();
});

const check = () =>
  runCli(['check', '--url', gateway.url, '--key-id', 'ops-2026', '--key-file', operatorKey, '--json'], {});

describe('mirror-vip check --url (OCI bundled function)', () => {
  it('exits 1 naming the VNIC with source/dest check on and its fix; fixed, exits 4: the write rights cannot be proven', async () => {
    const vnic = world.state.vnics.get(world.seed.backup.vnicId);
    if (!vnic) throw new Error('no seeded VNIC');
    vnic.skipSourceDestCheck = false;
    const writes = world.writes();
    const bad = await check();
    expect(bad.stderr).toBe('');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.writes).toBe(0);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ check: 'oci.skipSourceDestCheck', target: 'iris-b', status: 'fail' }),
    );
    vnic.skipSourceDestCheck = true;
    const fixed = await check();
    expect(fixed.code).toBe(4);
    const after = JSON.parse(fixed.stdout) as { findings: { check: string; status: string }[] };
    expect(after.findings.filter((f) => f.status !== 'pass').map((f) => f.check)).toEqual([
      'oci.permission.UpdateRouteTable',
    ]);
    expect(world.writes()).toBe(writes);
  });
});
