// deploy/aws-params.cjs called directly, as osls calls it: refusals that need no packaging.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const exampleParams = JSON.parse(readFileSync(join(ROOT, 'deploy/aws.example.json'), 'utf8')) as Record<string, Json>;
const exampleConfig = JSON.parse(readFileSync(join(ROOT, String(exampleParams.configFile)), 'utf8')) as Json;
describe('deploy/aws-params.cjs without osls', () => {
  const params = createRequire(import.meta.url)('../../deploy/aws-params.cjs') as Record<
    string,
    (ctx: unknown) => Promise<unknown>
  >;
  /** The two resolver calls osls makes, answering custom.deploy with `deploy` and the service and stage. */
  const ctx = (deploy: Record<string, Json>) => ({
    resolveConfigurationProperty: async ([a, b]: string[]) =>
      a === 'service' ? 'mirror-vip' : a === 'custom' && b === 'deploy' ? deploy : undefined,
    resolveVariable: async () => 'test',
  });

  it("refuses an environment over Lambda's 4 KB, naming the limit", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-params-'));
    try {
      const config = structuredClone(exampleConfig) as unknown as {
        mirrors: { keys: Json[]; members: { name: string }[] }[];
      };
      const m = config.mirrors[0];
      if (!m) throw new Error('no mirror');
      m.keys = Array.from({ length: 60 }, (_, i) => ({
        id: `key-${i}`,
        member: m.members[0]?.name ?? '',
        secret: `env:MIRROR_VIP_KEY_WITH_A_LONG_NAME_${i}`,
      }));
      const file = join(dir, 'big.json');
      writeFileSync(file, JSON.stringify(config));
      const deploy = { ...exampleParams, configFile: file };
      await expect(params.configJson?.(ctx(deploy))).rejects.toThrow(/4 KB \(4096 bytes\)/);
      await expect(params.configJson?.(ctx(exampleParams))).resolves.toContain('"mirrors"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a reservedConcurrency of 0, naming the field', async () => {
    const deploy = { ...exampleParams, reservedConcurrency: 0 };
    await expect(params.reservedConcurrency?.(ctx(deploy))).rejects.toThrow(/reservedConcurrency: must be null/);
  });
});
