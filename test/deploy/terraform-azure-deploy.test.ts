import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles, parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMON_ALERT_SCHEMA, classifyAlert } from '../../functions/azure/azure-events.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

// terraform/azure against Azure's naming rules, its plan-time refusals (terraform plan itself: a terraform_data needs
// no provider), the deployer's data-plane role, the operator keys' Key Vault references and the pins.
const run = promisify(execFile);
const moduleDir = fileURLToPath(new URL('../../terraform/azure/', import.meta.url));
const exampleText = readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8');
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = Record<string, Json>;
interface Module {
  terraform: { required_providers: Record<string, { version: string }>[] }[];
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
}
let tf: Module;
let vars: Record<string, Json>;
const res = (type: string, name: string) => tf.resource[type]?.[name]?.[0] as Block;

/** A scratch module of variables.tf, locals.tf and limits.tf with this configuration document. */
function scratch(config: unknown, extra: Record<string, Json> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfaz-plan-'));
  for (const f of ['variables.tf', 'locals.tf', 'limits.tf']) cpSync(join(moduleDir, f), join(dir, f));
  writeFileSync(join(dir, 'none.tfrc'), '');
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify({ ...vars, ...extra, config_file: 'config.json' }));
  return dir;
}

async function plan(config: unknown, extra: Record<string, Json> = {}) {
  const dir = scratch(config, extra);
  try {
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

/** Evaluate an expression of the module against a configuration document (no provider). */
async function evaluate(config: unknown, input: string, extra: Record<string, Json> = {}): Promise<Json> {
  const dir = scratch(config, extra);
  try {
    return JSON.parse(JSON.parse((await terraformConsole(dir, `jsonencode(${input})`)).trim()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const renamed = (name: string) => {
  const doc = JSON.parse(exampleText) as { mirrors: { name: string }[] };
  (doc.mirrors[0] as { name: string }).name = name;
  return doc;
};

beforeAll(async () => {
  tf = (await convertFiles(moduleDir)) as unknown as Module;
  const text = readFileSync(join(moduleDir, 'terraform.tfvars.example'), 'utf8');
  vars = (await parse('terraform.tfvars.example', text)) as Record<string, Json>;
});

describe('terraform/azure: names follow Azure naming rules', () => {
  // learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
  const rules: [string, (n: string) => boolean][] = [
    ['metric alert', (n) => n.length <= 260 && !/[*#&+:<>?@%{}\\/]/.test(n) && !/[ .]$/.test(n)],
    ['key vault', (n) => /^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(n)],
    ['function app', (n) => /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/.test(n)],
    ['storage account', (n) => /^[a-z0-9]{3,24}$/.test(n)],
  ];
  it.each(['IRISMIRROR', 'iris.prod_1', 'A-very_long.mirror-name-that-goes-on-and-on-for-sixty-chars-x'])(
    'mirror %s: every generated name is valid for its resource type',
    async (mirror) => {
      const names = (await evaluate(
        renamed(mirror),
        `[${[
          res('azurerm_monitor_metric_alert', 'member_availability').name,
          res('azurerm_key_vault', 'keys').name,
          res('azurerm_linux_function_app', 'mirror_vip').name,
          res('azurerm_storage_account', 'function').name,
        ]
          .map((t) => `"${String(t).replace(/each\.key/g, '"iris-a"')}"`)
          .join(', ')}]`,
        { mirror_name: mirror },
      )) as string[];
      for (const [i, [kind, ok]] of rules.entries()) expect(ok(names[i] as string), `${kind}: ${names[i]}`).toBe(true);
    },
  );

  it('the alert names its mirror for the function through the webhook property "mirror" (common alert schema)', () => {
    const config = parseConfig(exampleText);
    const body = {
      schemaId: COMMON_ALERT_SCHEMA,
      data: {
        essentials: { alertRule: 'mirror-vip-IRISMIRROR-iris-a-availability', monitorCondition: 'Fired' },
        customProperties: { mirror: 'IRISMIRROR' },
      },
    };
    expect(classifyAlert(config, JSON.stringify(body))).toMatchObject({ kind: 'alert', mirror: 'IRISMIRROR' });
  });
});

describe('terraform/azure: plan-time refusals', () => {
  it('the example plans; a configuration over the app setting limit is refused naming it', async () => {
    expect((await plan(exampleText)).ok).toBe(true);
    const big = JSON.parse(exampleText) as Record<string, Json>;
    big.padding = 'x'.repeat(10_000);
    const r = await plan(big);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('the MIRROR_VIP_CONFIG app setting may hold 10000');
  }, 30_000);

  it('a key that is not env: (an app setting this module fills) is refused, naming the key', async () => {
    const doc = JSON.parse(exampleText) as Record<string, Json>;
    doc.operatorKeys = [{ id: 'ops-2026', secret: 'file:/home/site/ops.key' }];
    const r = await plan(doc);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('Keys ops-2026 must reference env:<app setting>');
  }, 30_000);

  it("an ip-config mirror without subnet_id, or another subscription than the mirror's, is refused", async () => {
    const r = await plan(exampleText, { subnet_id: null });
    expect(r.ok).toBe(false);
    expect(r.text).toContain('set subnet_id to the members');
    const other = await plan(exampleText, { subscription_id: '00000000-0000-4000-8000-000000000002' });
    expect(other.ok).toBe(false);
    expect(other.text).toContain("is not the mirror's subscriptionId in config_file");
  }, 30_000);
});

describe('terraform/azure: what applies on the first try', () => {
  it('the deployer gets Key Vault Secrets Officer on the vault, and every secret write waits for it', () => {
    expect(res('azurerm_role_assignment', 'deployer_secrets')).toMatchObject({
      scope: ref('azurerm_key_vault.keys.id'),
      role_definition_name: 'Key Vault Secrets Officer',
      principal_id: ref('data.azurerm_client_config.current.object_id'),
    });
    for (const name of ['member_key', 'pause'])
      expect(res('azurerm_key_vault_secret', name).depends_on).toEqual([
        ref('azurerm_role_assignment.deployer_secrets'),
      ]);
  });

  it('operator and member keys given as env: become Key Vault references in the app settings', async () => {
    const doc = JSON.parse(exampleText) as Record<string, Json>;
    doc.operatorKeys = [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }];
    const app = (Object.assign({}, ...tf.locals) as Block).app_settings as string;
    const keyPart =
      /\{ for k, s in local\.key_secrets : s\.setting => "@Microsoft\.KeyVault\(SecretUri=\$\{[^}]+\}\)" \}/.exec(
        app,
      )?.[0] as string;
    const settings = (await evaluate(
      doc,
      keyPart.replace(
        'azurerm_key_vault_secret.member_key[k].versionless_id',
        `"https://kv.vault.azure.net/secrets/\${s.secret}"`,
      ),
    )) as Record<string, string>;
    expect(settings).toEqual({
      MIRROR_VIP_KEY_IRIS_A_K1:
        '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/mirror-vip-iris-a-k1)',
      MIRROR_VIP_KEY_IRIS_B_K1:
        '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/mirror-vip-iris-b-k1)',
      MIRROR_VIP_OPERATOR_KEY:
        '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/mirror-vip-operator-ops-2026)',
    });
  });

  it('node 22 (20 is past end of life on Azure Functions) and azurerm >= 4.42 (rbac_authorization_enabled), < 5.0', () => {
    const stack = ((res('azurerm_linux_function_app', 'mirror_vip').site_config as Block[])[0]?.application_stack ??
      []) as Block[];
    expect(stack[0]?.node_version).toBe('22');
    expect(tf.terraform[0]?.required_providers[0]?.azurerm?.version).toBe('>= 4.42, < 5.0');
  });
});
