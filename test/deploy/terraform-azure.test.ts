import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles, parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { KEY_VAULT_DATA_ACTIONS } from '../../shared/providers/azure/key-vault-slot.ts';
import { AZURE_ACTIONS, AZURE_ACTIONS_BY_CALL } from '../../shared/providers/azure/network-api.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const moduleDir = join(root, 'terraform/azure');
const exampleText = readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8');
const exampleConfig = parseConfig(exampleText, 'example config');
const exampleDoc = JSON.parse(exampleText) as Record<string, Json>;

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

/** Evaluate locals.tf against the real variables.tf and a configuration document, with no provider at all. */
async function evaluate(v: Record<string, Json>, config: unknown = exampleDoc) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfaz-'));
  try {
    for (const f of ['variables.tf', 'locals.tf', 'limits.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify({ ...v, config_file: 'config.json' }));
    const out = await terraformConsole(
      dir,
      'jsonencode({ scopes = local.role_scopes, secrets = local.key_secrets, kinds = local.role_kinds, assignable = local.role_assignable_scopes })',
    );
    return JSON.parse(JSON.parse(out.trim())) as {
      scopes: Record<string, { kind: string; scope: string }>;
      secrets: Record<string, { secret: string; setting: string; env: boolean }>;
      kinds: string[];
      assignable: Record<string, string[]>;
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

  it('assigns the roles on what the configuration names: member NICs, public IP, route tables; subnet, NSG and the subscription', async () => {
    const e = await evaluate(vars);
    const arm =
      '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/mirror-rg/providers/Microsoft.Network';
    expect(
      Object.values(e.scopes)
        .map((s) => s.scope)
        .sort(),
    ).toEqual(
      [
        `${arm}/networkInterfaces/iris-a-nic`,
        `${arm}/networkInterfaces/iris-b-nic`,
        `${arm}/publicIPAddresses/mirror-vip-pip`,
        vars.subnet_id as string,
        ...(vars.nsg_ids as string[]),
        '/subscriptions/00000000-0000-4000-8000-000000000001',
      ].sort(),
    );
    expect(e.kinds.sort()).toEqual(['nic', 'nsg', 'publicIp', 'subnet', 'subscription']);
    // a route-mode mirror: the route tables of the configuration, in their own resource group
    const doc = structuredClone(exampleDoc) as { mirrors: Record<string, Json>[] };
    (doc.mirrors[0] as Record<string, Json>).vips = [
      { mode: 'route', cidr: '10.9.9.9/32', routeTables: [{ name: 'rt-app', resourceGroup: 'app-rg' }] },
    ];
    const routeOnly = await evaluate({ ...vars, subnet_id: null, nsg_ids: [] }, doc);
    expect(routeOnly.kinds.sort()).toEqual(['nic', 'routeTable', 'subscription']);
    expect(routeOnly.scopes['route-table-0']?.scope).toBe(
      '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/app-rg/providers/Microsoft.Network/routeTables/rt-app',
    );
  });

  it('custom roles are assignable in resource groups (or the subscription), never at a resource; assigned on each resource', async () => {
    const e = await evaluate(vars);
    for (const [kind, scopes] of Object.entries(e.assignable))
      for (const s of scopes)
        expect(s, kind).toMatch(
          kind === 'subscription' ? /^\/subscriptions\/[^/]+$/ : /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/,
        );
    expect(e.assignable.nic).toEqual(['/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/mirror-rg']);
    const role = res('azurerm_role_definition', 'move');
    expect(role.assignable_scopes).toBe(ref('local.role_assignable_scopes[each.key]'));
    expect(res('azurerm_role_assignment', 'move').scope).toBe(ref('each.value.scope'));
  });

  it("every role assignment goes to the function identity, but the deployer's; the member VMs get none", () => {
    const { deployer_secrets: _d, ...functionOnes } = tf.resource.azurerm_role_assignment ?? {};
    const assignments = Object.values(functionOnes).flat();
    expect(assignments.length).toBeGreaterThanOrEqual(2);
    for (const a of assignments)
      expect(a.principal_id).toBe(ref('azurerm_user_assigned_identity.function.principal_id'));
    expect(Object.keys(tf.resource).filter((t) => /virtual_machine/.test(t))).toEqual([]);
  });

  it('Key Vault: one secret per member key, named as the configuration expects, readable by the function only', async () => {
    const e = await evaluate(vars);
    expect(e.secrets).toEqual({
      'iris-a-k1': { secret: 'mirror-vip-iris-a-k1', setting: 'MIRROR_VIP_KEY_IRIS_A_K1', env: true },
      'iris-b-k1': { secret: 'mirror-vip-iris-b-k1', setting: 'MIRROR_VIP_KEY_IRIS_B_K1', env: true },
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
    expect(locals.pause_data_actions).toEqual(Object.values(KEY_VAULT_DATA_ACTIONS));
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
    const { deployer_secrets: _d, ...functionOnes } = tf.resource.azurerm_role_assignment ?? {};
    const assignments = Object.entries(functionOnes);
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
        for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
        writeFileSync(join(dir, 'none.tfrc'), '');
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...exampleConfig, operatorKeys }));
        writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify({ ...vars, config_file: 'config.json' }));
        expect((await terraformConsole(dir, expr)).trim()).toBe(expected);
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

  it('alerts (second apply): a per-member VM availability alert → an action group webhook with the common alert schema', () => {
    const group = res('azurerm_monitor_action_group', 'mirror_vip');
    expect(group.count).toBe(ref('var.alerts_enabled ? 1 : 0'));
    expect((group.webhook_receiver as Block[])[0]).toMatchObject({ use_common_alert_schema: true });
    expect(String((group.webhook_receiver as Block[])[0]?.service_uri)).toContain('/api/mirrorVipAlert?code=');
    // the host keys are read only in the second apply, never in the one that creates the app
    const keys = (tf as unknown as { data: Record<string, Record<string, Block[]>> }).data
      .azurerm_function_app_host_keys?.mirror_vip?.[0];
    expect(keys?.count).toBe(ref('var.alerts_enabled ? 1 : 0'));
    const alert = res('azurerm_monitor_metric_alert', 'member_availability');
    expect(alert.name).toBe(`${ref('var.name_prefix')}-${ref('var.mirror_name')}-${ref('each.key')}-availability`);
    expect((alert.criteria as Block[])[0]).toMatchObject({ metric_name: 'VmAvailabilityMetric', operator: 'LessThan' });
    expect((alert.action as Block[])[0]?.webhook_properties).toEqual({ mirror: ref('var.mirror_name') });
  });
});
