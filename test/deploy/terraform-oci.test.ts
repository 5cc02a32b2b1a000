import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyOciMessage, RECONCILE_KIND } from '../../functions/oci/oci-events.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { MOVE_ALSO_NEEDS, OCI_CALLS } from '../../shared/providers/oci/vcn-api.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const moduleDir = join(root, 'terraform/oci');
const exampleText = readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = { [key: string]: Json };
interface Module {
  resource: Record<string, Record<string, Block[]>>;
}

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

/** The example configuration with only the VIPs of one mode. */
const withModes = (modes: string[]) => {
  const doc = JSON.parse(exampleText) as { mirrors: { vips: { mode: string }[] }[] };
  for (const m of doc.mirrors) m.vips = m.vips.filter((v) => modes.includes(v.mode));
  return JSON.stringify(doc);
};

/** Evaluate locals.tf against the real variables.tf, with no provider at all. */
async function evaluate(
  config: string,
): Promise<{ statements: string[]; vaultKeys: Record<string, Block>; watched: Record<string, Block> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfoci-'));
  try {
    for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify({ ...baseVars, mirror_vip_config: config }));
    const out = await terraformConsole(
      dir,
      'jsonencode({ statements = local.network_statements, vaultKeys = local.vault_keys, watched = local.watched })',
    );
    return JSON.parse(JSON.parse(out.trim()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `Allow dynamic-group G to <verb> <resource> in compartment id C where any {request.operation = 'X', …}`. */
const parseStatement = (s: string) => {
  const m = /^Allow dynamic-group (\S+) to (\w+) ([\w-]+) in compartment id (\S+) where any \{(.*)\}$/.exec(s);
  if (!m) throw new Error(`not a scoped statement: ${s}`);
  const ops = [...(m[5] as string).matchAll(/request\.operation = '(\w+)'/g)].map((x) => x[1] as string);
  return { group: m[1], verb: m[2], resource: m[3], ops };
};

describe('terraform/oci', () => {
  let tf: Module;
  let both: Awaited<ReturnType<typeof evaluate>>;
  const one = (type: string, name: string): Block => {
    const b = tf.resource[type]?.[name]?.[0];
    if (!b) throw new Error(`no ${type}.${name}`);
    return b;
  };

  beforeAll(async () => {
    tf = (await convertFiles(moduleDir)) as unknown as Module;
    both = await evaluate(exampleText);
  }, 60_000);

  it('is formatted (terraform fmt -check)', async () => {
    await run('terraform', ['fmt', '-check', '-recursive', moduleDir], { env: tfEnv(moduleDir) });
  });

  it("the function's statements grant exactly the narrow client's calls, each limited to its operations", () => {
    const granted = both.statements.map(parseStatement);
    for (const [name, c] of Object.entries(OCI_CALLS)) {
      const s = granted.find((g) => g.resource === c.resource && g.ops.includes(c.op));
      expect(s, `${name} (${c.op}) needs ${c.verb} ${c.resource}`).toBeDefined();
      const rank = ['inspect', 'read', 'use', 'manage'];
      expect(rank.indexOf(s?.verb ?? '')).toBeGreaterThanOrEqual(rank.indexOf(c.verb));
    }
    const known = new Set<string>(Object.values(OCI_CALLS).map((c) => c.op));
    for (const g of granted) {
      expect(g.group).toBe('mirror-vip-function');
      for (const op of g.ops) expect(known.has(op), `${op} is not a call of the provider`).toBe(true);
      expect(g.resource).not.toMatch(/family/);
      if (g.verb === 'manage')
        expect([g.resource, g.ops.sort()]).toEqual(['route-tables', ['GetRouteTable', 'UpdateRouteTable']]);
    }
    expect(
      granted.find((g) => g.resource === MOVE_ALSO_NEEDS.resource && g.ops.includes('UpdatePrivateIp'))?.verb,
    ).toBe(MOVE_ALSO_NEEDS.verb);
  });

  it('a mirror of one mode gets only that mode statements', async () => {
    const privateOnly = (await evaluate(withModes(['private-ip']))).statements.map(parseStatement);
    expect(privateOnly.map((g) => g.resource).sort()).toEqual(['private-ips', 'public-ips', 'vnics']);
    const routeOnly = (await evaluate(withModes(['route']))).statements.map(parseStatement);
    expect(routeOnly.some((g) => g.verb === 'use')).toBe(false);
    expect(routeOnly.map((g) => g.resource).sort()).toEqual(['private-ips', 'route-tables', 'vnics']);
  });

  it('the dynamic group is the function only; the members instances get no policy', () => {
    const dg = one('oci_identity_dynamic_group', 'function');
    expect(dg.matching_rule).toBe(
      `ALL {resource.type = 'fnfunc', resource.id = '${ref('oci_functions_function.mirror_vip.id')}'}`,
    );
    const text = JSON.stringify(tf.resource.oci_identity_policy);
    expect(text).not.toMatch(/instance-family|resource\.type\s*=\s*'instance'|virtual-network-family/);
  });

  it('each member key is a Vault secret only the function can read, and the function config points at it', async () => {
    expect(Object.values(both.vaultKeys).map((k) => k.secret_name)).toEqual([
      'mirror-vip-IRISMIRROR-iris-a-k1',
      'mirror-vip-IRISMIRROR-iris-b-k1',
    ]);
    const policy = JSON.stringify(one('oci_identity_policy', 'function').statements);
    expect(policy).toContain(
      `to read secret-bundles in compartment id ${ref('var.compartment_ocid')} where target.secret.id = `,
    );
    expect(JSON.stringify(one('oci_functions_function', 'mirror_vip').config)).toContain('local.rendered_config');
    // the rendered document is a valid configuration once each key points at a secret OCID
    const rendered = exampleText.replaceAll(
      'oci-vault:terraform',
      'oci-vault:ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaas',
    );
    expect(parseConfig(rendered).mirrors[0]?.keys.map((k) => k.secret.split(':')[0])).toEqual([
      'oci-vault',
      'oci-vault',
    ]);
  });

  it('alarms go to a Notifications topic subscribed by the function, and name the mirror the function reconciles', () => {
    const sub = one('oci_ons_subscription', 'function');
    expect(sub).toMatchObject({ protocol: 'ORACLE_FUNCTIONS', endpoint: ref('oci_functions_function.mirror_vip.id') });
    const alarm = one('oci_monitoring_alarm', 'member_down');
    expect(alarm.destinations).toEqual([ref('oci_ons_notification_topic.alarms.id')]);
    expect(Object.keys(both.watched).sort()).toEqual(['IRISMIRROR-iris-a', 'IRISMIRROR-iris-b']);
    const title = String(alarm.display_name)
      .replace(ref('each.value.mirror'), 'IRISMIRROR')
      .replace(ref('each.value.member'), 'iris-a');
    const config = parseConfig(exampleText.replaceAll('oci-vault:terraform', 'env:K'));
    const msg = Buffer.from(JSON.stringify({ dedupekey: 'k', title, type: 'OK_TO_FIRING', alarmMetaData: [] }));
    expect(classifyOciMessage(config, msg)).toMatchObject({ kind: 'alarm', mirror: 'IRISMIRROR' });
  });

  it('the schedule invokes the function with a reconcile body; the gateway and the schedule are its only invokers', () => {
    const s = one('oci_resource_scheduler_schedule', 'reconcile');
    expect(JSON.stringify(s.resources)).toContain('oci_functions_function.mirror_vip.id');
    expect(JSON.stringify(s.resources)).toContain(
      JSON.stringify(ref(`jsonencode({ kind = "${RECONCILE_KIND}" })`)).slice(1, -1),
    );
    const invokers = JSON.stringify(one('oci_identity_policy', 'invokers').statements);
    expect(invokers).toContain("request.principal.type = 'ApiGateway'");
    expect(invokers).toContain("request.principal.type = 'resourceschedule'");
  });

  it('the API Gateway deployment routes POST /event and POST /event/operator (operator requests) to the function', () => {
    const d = one('oci_apigateway_deployment', 'mirror_vip');
    const routes = (d.specification as Block[])[0]?.routes as Block[];
    expect(routes.map((r) => [r.path, r.methods])).toEqual([
      ['/event', ['POST']],
      ['/event/operator', ['POST']],
    ]);
    for (const r of routes)
      expect(((r.backend ?? []) as Block[])[0]).toMatchObject({
        type: 'ORACLE_FUNCTIONS_BACKEND',
        function_id: ref('oci_functions_function.mirror_vip.id'),
      });
  });

  it('the pause is the function config MIRROR_VIP_PAUSED from paused_mirrors: no policy for a pause store', () => {
    const config = one('oci_functions_function', 'mirror_vip').config as Block | Block[];
    expect((Array.isArray(config) ? config[0] : config)?.MIRROR_VIP_PAUSED).toBe(ref('join(",", var.paused_mirrors)'));
    // the function reads secret bundles only: nothing lets it write a secret, a tag or any other store
    const statements = Object.values(tf.resource.oci_identity_policy ?? {}).flatMap((p) =>
      JSON.stringify(p[0]?.statements),
    );
    expect(statements.join('\n')).not.toMatch(/(manage|use) (secret-family|secrets|vaults|tag-namespaces)/);
  });
});
