import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles, parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { AZURE_ACTIONS, AZURE_ACTIONS_BY_CALL } from '../../shared/providers/azure/network-api.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const moduleDir = join(root, 'terraform/azure');
const exampleConfig = parseConfig(readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8'), 'example config');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = { [key: string]: Json };
interface Module {
  locals: Block[];
  resource: Record<string, Record<string, Block[]>>;
}
let tf: Module;
let vars: Record<string, Json>;
const res = (type: string, name: string) => tf.resource[type]?.[name]?.[0] as Block;

/** The provider's actions grouped by the scope they are granted on, from the narrow client's own table. */
function actionsByScope(): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const call of Object.values(AZURE_ACTIONS_BY_CALL)) {
    for (const [scope, actions] of Object.entries(call)) {
      const set = out[scope] ?? new Set<string>();
      for (const a of actions) set.add(a);
      out[scope] = set;
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

async function evaluate(v: Record<string, Json>) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfaz-'));
  try {
    for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify(v));
    const out = await terraformConsole(
      dir,
      'jsonencode({ scopes = local.role_scopes, secrets = local.key_secrets, kinds = local.role_kinds })',
    );
    return JSON.parse(JSON.parse(out.trim())) as {
      scopes: Record<string, { kind: string; scope: string }>;
      secrets: Record<string, { secret: string; setting: string }>;
      kinds: string[];
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  tf = (await convertFiles(moduleDir)) as unknown as Module;
  vars = (await parse(
    'terraform.tfvars.example',
    readFileSync(join(moduleDir, 'terraform.tfvars.example'), 'utf8'),
  )) as Record<string, Json>;
});

describe('terraform/azure', () => {
  it('is formatted (terraform fmt -check -recursive)', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'mirror-vip-tffmt-'));
    writeFileSync(join(scratch, 'none.tfrc'), '');
    await expect(
      run('terraform', ['fmt', '-check', '-recursive', 'terraform/azure'], { cwd: root, env: tfEnv(scratch) }),
    ).resolves.toBeDefined();
  });

  it("the custom roles hold exactly the narrow client's actions, scope by scope", () => {
    const locals = Object.assign({}, ...tf.locals) as { role_actions: Record<string, string[]> };
    const inTf = Object.fromEntries(Object.entries(locals.role_actions).map(([k, v]) => [k, [...v].sort()]));
    expect(inTf).toEqual(actionsByScope());
    expect([...new Set(Object.values(inTf).flat())].sort()).toEqual([...AZURE_ACTIONS]);
    const role = res('azurerm_role_definition', 'move');
    expect(role.permissions).toEqual([{ actions: ref('local.role_actions[each.key]'), not_actions: [] }]);
  });

  it('assigns the roles on the member NICs, the subnet, the public IP and the subscription (status reads only)', async () => {
    const e = await evaluate(vars);
    const members = vars.members as Record<string, { nic_id: string }>;
    expect(
      Object.values(e.scopes)
        .map((s) => s.scope)
        .sort(),
    ).toEqual(
      [
        ...Object.values(members).map((m) => m.nic_id),
        vars.subnet_id as string,
        vars.public_ip_id as string,
        `/subscriptions/${vars.subscription_id}`,
      ].sort(),
    );
    expect(e.kinds.sort()).toEqual(['nic', 'publicIp', 'subnet', 'subscription']);
    const routeOnly = await evaluate({
      ...vars,
      subnet_id: null,
      public_ip_id: null,
      route_table_ids: ['/subscriptions/x/resourceGroups/g/providers/Microsoft.Network/routeTables/rt-1'],
    });
    expect(routeOnly.kinds.sort()).toEqual(['nic', 'routeTable', 'subscription']);
  });

  it('every role assignment goes to the function identity; the member VMs get none', () => {
    const assignments = Object.values(tf.resource.azurerm_role_assignment ?? {}).flat();
    expect(assignments.length).toBeGreaterThanOrEqual(2);
    for (const a of assignments)
      expect(a.principal_id).toBe(ref('azurerm_user_assigned_identity.function.principal_id'));
    expect(Object.keys(tf.resource).filter((t) => /virtual_machine/.test(t))).toEqual([]);
  });

  it('Key Vault: one secret per member key, named as the configuration expects, readable by the function only', async () => {
    const e = await evaluate(vars);
    expect(e.secrets).toEqual({
      'iris-a-k1': { secret: 'mirror-vip-iris-a-k1', setting: 'MIRROR_VIP_KEY_IRIS_A_K1' },
      'iris-b-k1': { secret: 'mirror-vip-iris-b-k1', setting: 'MIRROR_VIP_KEY_IRIS_B_K1' },
    });
    const refs = exampleConfig.mirrors.flatMap((m) => m.keys.map((k) => k.secret));
    expect(refs.sort()).toEqual(
      Object.values(e.secrets)
        .map((s) => `env:${s.setting}`)
        .sort(),
    );
    expect(res('azurerm_key_vault', 'keys').rbac_authorization_enabled).toBe(true);
    expect(res('azurerm_role_assignment', 'key_reader').role_definition_name).toBe('Key Vault Secrets User');
    expect(res('azurerm_linux_function_app', 'mirror_vip').key_vault_reference_identity_id).toBe(
      ref('azurerm_user_assigned_identity.function.id'),
    );
  });

  it('the break-glass pause stays the app setting MIRROR_VIP_PAUSED from paused_mirrors', () => {
    expect(readFileSync(join(moduleDir, 'main.tf'), 'utf8')).toMatch(
      /MIRROR_VIP_PAUSED\s+= join\(",", var\.paused_mirrors\)/,
    );
  });

  it('with operator keys: one pause secret, a custom role of exactly getSecret + setSecret, assigned on that secret only', () => {
    const locals = Object.assign({}, ...tf.locals) as Record<string, Json>;
    const secret = res('azurerm_key_vault_secret', 'pause');
    expect(secret).toMatchObject({
      count: ref('local.has_operators ? 1 : 0'),
      key_vault_id: ref('azurerm_key_vault.keys.id'),
    });
    expect(secret.lifecycle).toEqual([{ ignore_changes: [ref('value')] }]);
    expect(secret.value).toBe(ref('jsonencode({ paused = false, by = "terraform", since = timestamp() })'));
    expect(locals.pause_data_actions).toEqual([
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      'Microsoft.KeyVault/vaults/secrets/setSecret/action',
    ]);
    const role = res('azurerm_role_definition', 'pause');
    expect(role.permissions).toEqual([
      { actions: [], not_actions: [], data_actions: ref('local.pause_data_actions'), not_data_actions: [] },
    ]);
    expect(JSON.stringify(locals.pause_data_actions)).not.toContain('*');
    const assignment = res('azurerm_role_assignment', 'pause');
    expect(assignment).toMatchObject({
      scope: ref('azurerm_key_vault_secret.pause[0].resource_versionless_id'),
      role_definition_id: ref('azurerm_role_definition.pause[0].role_definition_resource_id'),
      principal_id: ref('azurerm_user_assigned_identity.function.principal_id'),
    });
    expect(readFileSync(join(moduleDir, 'main.tf'), 'utf8')).toMatch(/local\.pause_settings,/);
    expect(String(JSON.stringify(locals.pause_settings))).toContain('MIRROR_VIP_PAUSE_SECRETS');
    expect(String(JSON.stringify(locals.pause_settings))).toContain(`/secrets/${ref('s.name')}`);
  });

  it('no other role lets the function write a secret: the member keys stay Key Vault Secrets User (read)', () => {
    const assignments = Object.entries(tf.resource.azurerm_role_assignment ?? {});
    const builtIn = assignments
      .map(([, a]) => a[0]?.role_definition_name)
      .filter((n) => typeof n === 'string' && n.startsWith('Key Vault'));
    expect([...new Set(builtIn)]).toEqual(['Key Vault Secrets User']);
    const onSecrets = assignments.filter(([, a]) => String(a[0]?.scope).includes('azurerm_key_vault_secret'));
    expect(onSecrets.map(([n, a]) => [n, a[0]?.scope]).sort()).toEqual([
      ['key_reader', ref('azurerm_key_vault_secret.member_key[each.key].resource_versionless_id')],
      ['pause', ref('azurerm_key_vault_secret.pause[0].resource_versionless_id')],
    ]);
    // the move roles hold control-plane actions only: no data action at all
    const move = res('azurerm_role_definition', 'move');
    expect((move.permissions as Block[])[0]?.data_actions).toBeUndefined();
  });

  it('has_operators follows the configuration: a pause secret only when operatorKeys are configured', async () => {
    const expr = String((Object.assign({}, ...tf.locals) as Record<string, Json>).has_operators).slice(2, -1);
    for (const [operatorKeys, expected] of [
      [undefined, 'false'],
      [[{ id: 'ops', secret: 'env:K' }], 'true'],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfaz-ops-'));
      try {
        cpSync(join(moduleDir, 'variables.tf'), join(dir, 'variables.tf'));
        writeFileSync(join(dir, 'none.tfrc'), '');
        writeFileSync(join(dir, 'probe.tf'), `locals {\n  has_operators = ${expr}\n}\n`);
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...exampleConfig, operatorKeys }));
        writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify({ ...vars, config_file: 'config.json' }));
        expect((await terraformConsole(dir, 'local.has_operators')).trim()).toBe(expected);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('one writer per mirror: the function app never scales beyond one instance', () => {
    const app = res('azurerm_linux_function_app', 'mirror_vip');
    expect((app.site_config as Block[])[0]?.app_scale_limit).toBe(1);
    expect(readFileSync(join(moduleDir, 'main.tf'), 'utf8')).toMatch(/WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT = "1"/);
    expect(res('azurerm_service_plan', 'function').sku_name).toBe('Y1');
    expect((app.identity as Block[])[0]?.type).toBe('UserAssigned');
  });

  it('alerts: a per-member VM availability alert → an action group webhook with the common alert schema', () => {
    const group = res('azurerm_monitor_action_group', 'mirror_vip');
    expect((group.webhook_receiver as Block[])[0]).toMatchObject({ use_common_alert_schema: true });
    expect(String((group.webhook_receiver as Block[])[0]?.service_uri)).toContain('/api/mirrorVipAlert?code=');
    const alert = res('azurerm_monitor_metric_alert', 'member_availability');
    expect(alert.name).toBe(`mirror-vip:${ref('var.mirror_name')}:${ref('each.key')}-availability`);
    expect((alert.criteria as Block[])[0]).toMatchObject({ metric_name: 'VmAvailabilityMetric', operator: 'LessThan' });
  });
});
