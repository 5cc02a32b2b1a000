import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

// terraform/oci's plan-time refusals (limits.tf), run with `terraform plan` itself: a terraform_data needs no provider.
const run = promisify(execFile);
const moduleDir = fileURLToPath(new URL('../../terraform/oci/', import.meta.url));
const example = JSON.parse(readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8')) as {
  mirrors: { name: string; keys: { id: string; member: string; secret: string }[] }[];
  operatorKeys?: { id: string; secret: string }[];
};
const baseVars = {
  region: 'eu-frankfurt-1',
  tenancy_ocid: 'ocid1.tenancy.oc1..aaaat',
  compartment_ocid: 'ocid1.compartment.oc1..aaaac',
  function_image: 'fra.ocir.io/ns/mirror-vip:0',
  function_subnet_ids: ['ocid1.subnet.oc1..aaaaf'],
  gateway_subnet_id: 'ocid1.subnet.oc1..aaaag',
  vault_id: 'ocid1.vault.oc1..aaaav',
  vault_key_id: 'ocid1.key.oc1..aaaak',
};

/** The example mirror n times over (distinct names and key ids). */
const mirrors = (n: number) => ({
  ...example,
  mirrors: Array.from({ length: n }, (_, i) => {
    const m = example.mirrors[0] as (typeof example.mirrors)[0];
    return { ...m, name: `MIRROR${i}`, keys: m.keys.map((k) => ({ ...k, id: `m${i}-${k.id}` })) };
  }),
});

/** `terraform plan` of variables.tf, locals.tf and limits.tf: exit code and the diagnostics. */
async function plan(config: unknown, vars: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfoci-plan-'));
  try {
    for (const f of ['variables.tf', 'locals.tf', 'limits.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    const tfvars = { ...baseVars, ...vars, mirror_vip_config: JSON.stringify(config) };
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify(tfvars));
    const opts = { cwd: dir, env: tfEnv(dir) };
    await run('terraform', ['init', '-input=false', '-no-color'], opts);
    try {
      await run('terraform', ['plan', '-input=false', '-no-color', '-lock=false'], opts);
      return { ok: true, text: '' };
    } catch (e: unknown) {
      const err = e as { stderr?: string; stdout?: string };
      return { ok: false, text: `${err.stderr ?? ''}${err.stdout ?? ''}`.replace(/\s+/g, ' ') };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('terraform/oci plan-time limits', () => {
  it('a configuration over OCI Functions 4 KB is refused at plan, naming the limit and the way out', async () => {
    expect((await plan(mirrors(1))).ok).toBe(true);
    const big = await plan(mirrors(4));
    expect(big.ok).toBe(false);
    expect(big.text).toMatch(/caps an application's plus its function's configuration at 4 KB \(4096 bytes\)/);
    expect(big.text).toContain('config_in_vault = true');
    // the same document kept in the Vault plans
    expect((await plan(mirrors(4), { config_in_vault: true })).ok).toBe(true);
  }, 30_000);

  it('an env: reference (removed by the next apply) is refused at plan, naming the key', async () => {
    const doc = { ...mirrors(1), operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }] };
    const r = await plan(doc);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('Keys ops-2026 reference env:');
    expect((await plan({ ...doc, operatorKeys: [{ id: 'ops-2026', secret: 'oci-vault:terraform' }] })).ok).toBe(true);
  }, 30_000);

  it('terraform.tfvars.example holds values only (no function call) and loads with the document from the shell', async () => {
    const text = readFileSync(join(moduleDir, 'terraform.tfvars.example'), 'utf8');
    // every line, commented or not, as a user would uncomment it
    const uncommented = text.replace(/^# ?([a-z_]+\s*=)/gm, '$1');
    expect(uncommented).not.toMatch(/^[a-z_]+\s*=.*\b[a-z_]+\(/m);
    const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfoci-vars-'));
    try {
      cpSync(join(moduleDir, 'variables.tf'), join(dir, 'variables.tf'));
      writeFileSync(join(dir, 'none.tfrc'), '');
      writeFileSync(join(dir, 'terraform.tfvars'), uncommented);
      process.env.TF_VAR_mirror_vip_config = JSON.stringify(example);
      const out = await terraformConsole(
        dir,
        'jsonencode([var.config_in_vault, jsondecode(var.mirror_vip_config).mirrors[0].name])',
      );
      expect(JSON.parse(JSON.parse(out.trim()))).toEqual([true, 'IRISMIRROR']);
    } finally {
      delete process.env.TF_VAR_mirror_vip_config;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pins oracle/oci to the first release with every argument used (6.37.0) and below the next untested major', async () => {
    const tf = (await convertFiles(moduleDir)) as unknown as {
      terraform: { required_providers: Record<string, { version: string }>[] }[];
      resource: Record<string, Record<string, Record<string, unknown>[]>>;
    };
    expect(tf.terraform[0]?.required_providers[0]?.oci?.version).toBe('>= 6.37.0, < 9.0.0');
    // oci_resource_scheduler_schedule: resources.parameters.value is a list of (JSON) strings in the provider schema
    const schedule = tf.resource.oci_resource_scheduler_schedule?.reconcile?.[0] as Record<string, unknown>;
    const parameters = (schedule.resources as Record<string, unknown>[])[0]?.parameters as Record<string, unknown>[];
    expect(parameters[0]?.value).toEqual([ref('jsonencode({ kind = "mirror-vip.reconcile" })')]);
  });
});
