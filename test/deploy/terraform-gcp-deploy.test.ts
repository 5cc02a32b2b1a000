// terraform/gcp findings of issue 17, on the module's own files: env:NAME keys come from Secret Manager through
// secret_environment_variables (a variable set outside Terraform is removed by the next apply), gcp-sm: operator keys
// get their secret and accessor like member keys, addAccessConfig's legacy-network permission is in the role, and an
// environment over Cloud Run functions' 32 KiB is refused at plan time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertFiles } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { GCP_PERMISSIONS_BY_CALL } from '../../shared/providers/gcp/compute-api.ts';
import { evaluateModule, ref } from '../support/terraform.ts';

type Block = Record<string, unknown>;
const moduleDir = join(ROOT, 'terraform/gcp');
const exampleFile = join(moduleDir, 'mirror-vip.example.json');
const base = { project: 'iris-prod-123', region: 'us-west1', subnetwork: 'isc-subnet', config_file: exampleFile };
const evaluate = (vars: Record<string, unknown>, exprs: string[]) =>
  evaluateModule(moduleDir, ['variables.tf', 'locals.tf'], {}, { ...base, ...vars }, exprs);

let tf: { resource: Record<string, Record<string, Block[]>> };
const one = (type: string, name: string) => tf.resource[type]?.[name]?.[0] as Block;
let scratch = '';

/** The example configuration with operator keys and more top-level fields. */
function configWith(name: string, top: Record<string, unknown>): string {
  const doc = { ...JSON.parse(readFileSync(exampleFile, 'utf8')), ...top };
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

beforeAll(async () => {
  tf = (await convertFiles(moduleDir)) as unknown as typeof tf;
  scratch = mkdtempSync(join(tmpdir(), 'mirror-vip-gcp-deploy-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('operator keys survive the next apply', () => {
  it('refuses an env:NAME key that secret_env does not supply, and accepts it when it does', async () => {
    const file = configWith('env-op', { operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }] });
    const [[without], [withSecret]] = await Promise.all([
      evaluate({ config_file: file }, ['local.config_problems']),
      evaluate({ config_file: file, secret_env: { MIRROR_VIP_OPERATOR_KEY: 'ops-key' } }, ['local.config_problems']),
    ]);
    expect(without).toEqual([
      'a key reads env:MIRROR_VIP_OPERATOR_KEY, which only survives the next apply from Secret Manager: add MIRROR_VIP_OPERATOR_KEY to secret_env or use a gcp-sm: reference',
    ]);
    expect(withSecret).toEqual([]);
  });

  it('puts secret_env into both functions as secret environment variables, readable on those secrets only', () => {
    for (const name of ['http', 'events']) {
      const fn = one('google_cloudfunctions2_function', name);
      const config = (fn.service_config as Block[])[0] as Block;
      const dyn = ((config.dynamic as Block).secret_environment_variables as Block[])[0] as Block;
      expect(dyn.for_each).toBe(ref('var.secret_env'));
      expect((dyn.content as Block[])[0]).toEqual({
        key: ref('secret_environment_variables.key'),
        project_id: ref('var.project'),
        secret: ref('secret_environment_variables.value'),
        version: 'latest',
      });
      expect(fn.depends_on).toContain(ref('google_secret_manager_secret_iam_member.env'));
    }
    expect(one('google_secret_manager_secret_iam_member', 'env')).toMatchObject({
      for_each: ref('toset(values(var.secret_env))'),
      secret_id: ref('each.value'),
      role: 'roles/secretmanager.secretAccessor',
      member: `serviceAccount:${ref('google_service_account.function.email')}`,
    });
  });

  it('gives a gcp-sm: operator key its secret and accessor, like a member key', async () => {
    const ref = 'gcp-sm:projects/iris-prod-123/secrets/mirror-vip-ops-2026/versions/latest';
    const file = configWith('sm-op', { operatorKeys: [{ id: 'ops-2026', secret: ref }] });
    const [secrets, problems] = (await evaluate({ config_file: file }, ['local.secrets', 'local.config_problems'])) as [
      Record<string, unknown>,
      string[],
    ];
    expect(secrets['ops-2026']).toEqual({ project: 'iris-prod-123', secret_id: 'mirror-vip-ops-2026' });
    expect(problems).toEqual([]);
  });

  it('refuses a secret_env name the module sets itself, naming the variable', async () => {
    await expect(evaluate({ secret_env: { MIRROR_VIP_CONFIG: 'x' } }, ['var.secret_env'])).rejects.toThrow(
      /secret_env maps an environment variable NAME/,
    );
  });
});

describe('addAccessConfig', () => {
  it("grants every permission the call needs, legacy networks' compute.networks.useExternalIp included", async () => {
    const [instance, subnetwork, project] = (await evaluate({}, [
      'local.instance_permissions',
      'local.subnetwork_permissions',
      'local.project_permissions',
    ])) as string[][];
    const needs = GCP_PERMISSIONS_BY_CALL.addAccessConfig;
    expect(instance).toEqual(expect.arrayContaining([...needs.instance]));
    expect(subnetwork).toEqual(expect.arrayContaining([...needs.subnetwork]));
    expect(project).toEqual(expect.arrayContaining([...needs.project]));
    expect(needs.project).toContain('compute.networks.useExternalIp');
  });
});

describe('the environment size', () => {
  it('is refused at plan time over 32 KiB, naming the limit', async () => {
    const fn = one('google_cloudfunctions2_function', 'http');
    const pre = ((fn.lifecycle as Block[])[0]?.precondition ?? []) as Block[];
    const size = pre.find((p) => String(p.condition).includes('function_environment_bytes'));
    expect(size?.condition).toBe(ref('local.function_environment_bytes <= 32768'));
    expect(String(size?.error_message)).toContain('32 KiB (32768 bytes)');
    // A valid document whose JSON passes 32 KiB: many member keys with long secret references.
    const doc = JSON.parse(readFileSync(exampleFile, 'utf8'));
    for (let i = 0; i < 400; i++)
      doc.mirrors[0].keys.push({
        id: `iris-a-k${i + 100}`,
        member: 'iris-a',
        secret: `gcp-sm:projects/iris-prod-123/secrets/mirror-vip-member-key-number-${i}/versions/latest`,
      });
    const big = join(scratch, 'big.json');
    writeFileSync(big, JSON.stringify(doc));
    const cond = 'local.function_environment_bytes <= 32768';
    const [[small], [large, bytes]] = await Promise.all([
      evaluate({}, [cond]),
      evaluate({ config_file: big }, [cond, 'local.function_environment_bytes']),
    ]);
    expect(small).toBe(true);
    expect(large).toBe(false);
    expect(bytes).toBeGreaterThan(32768);
  });
});
