import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyOciMessage, RECONCILE_KIND } from '../../functions/oci/oci-events.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodePause, PAUSE_SECRETS_ENV, pauseSecretsFromEnv } from '../../shared/config/paused.ts';
import { VAULT_SECRET_OCID } from '../../shared/config/schema-oci.ts';
import { OCI_VAULT_CALLS } from '../../shared/providers/oci/vault.ts';
import { OCI_CALLS } from '../../shared/providers/oci/vcn-api.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const moduleDir = join(root, 'terraform/oci');
const exampleText = readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = { [key: string]: Json };
interface Module {
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
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

/** The example configuration with an operator key (mirror-vip inspect | reconcile | pause | resume). */
const withOperators = JSON.stringify({
  ...JSON.parse(exampleText),
  operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }],
});

/** The example configuration with only the VIPs of one mode. */
const withModes = (modes: string[]) => {
  const doc = JSON.parse(exampleText) as { mirrors: { vips: { mode: string }[] }[] };
  for (const m of doc.mirrors) m.vips = m.vips.filter((v) => modes.includes(v.mode));
  return JSON.stringify(doc);
};

/** An expression of the module (hcl2json's `${…}`) on one line, without its comments, for `terraform console`. */
const expression = (interpolated: Json | undefined) =>
  String(interpolated)
    .replace(/^\$\{/, '')
    .replace(/\}$/, '')
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join(' ');

/** What the Vault gives each secret this module creates, in the tests: an OCID in its form. */
const CONFIG_SECRET = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.config';
const fakeSecretIds = (expr: string) =>
  expr
    .replaceAll('oci_vault_secret.config[0].id', `"${CONFIG_SECRET}"`)
    .replaceAll('oci_vault_secret.config', `(var.config_in_vault ? [{ id = "${CONFIG_SECRET}" }] : [])`)
    .replaceAll('oci_vault_secret.pause[m].id', `"ocid1.vaultsecret.oc1.eu-frankfurt-1.pause\${lower(m)}"`)
    .replaceAll(
      'oci_vault_secret.member_key[k].id',
      `"ocid1.vaultsecret.oc1.eu-frankfurt-1.key\${replace(k, "-", "")}"`,
    );

interface Evaluated {
  statements: string[];
  vaultKeys: Record<string, Block>;
  watched: Record<string, Block>;
  pauseMirrors: string[];
  /** The function policy's statements and MIRROR_VIP_PAUSE_SECRETS as terraform renders them (secret OCIDs faked). */
  policy: string[];
  pauseSecrets: string;
  /** The text a new pause secret holds. */
  pauseInitial: string;
  /** The function's whole configuration as terraform renders it (secret OCIDs faked). */
  functionConfig: Record<string, string>;
}

/** Evaluate locals.tf against the real variables.tf, with no provider at all. */
async function evaluate(config: string, vars: Record<string, Json> = {}): Promise<Evaluated> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfoci-'));
  try {
    for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    writeFileSync(
      join(dir, 'probe.auto.tfvars.json'),
      JSON.stringify({ ...baseVars, ...vars, mirror_vip_config: config }),
    );
    const locals = Object.assign({}, ...tf.locals) as Block;
    const fn = locals.function_config as Block;
    const rendered = fakeSecretIds(expression(locals.rendered_config)).replaceAll(
      'oci_vault_secret.member_key[key.id].id',
      `"ocid1.vaultsecret.oc1.eu-frankfurt-1.key\${replace(key.id, "-", "")}"`,
    );
    const fnConfig = `{ ${Object.entries(fn)
      .map(([k, v]) => `${k} = ${fakeSecretIds(expression(v)).replaceAll('local.rendered_config', `(${rendered})`)}`)
      .join(', ')} }`;
    const policy = fakeSecretIds(expression(tf.resource.oci_identity_policy?.function?.[0]?.statements));
    const pauseSecrets = fakeSecretIds(expression(fn.MIRROR_VIP_PAUSE_SECRETS));
    const content = expression(
      ((tf.resource.oci_vault_secret?.pause?.[0]?.secret_content as Block[]) ?? [])[0]?.content,
    );
    const out = await terraformConsole(
      dir,
      `jsonencode({ statements = local.network_statements, vaultKeys = local.vault_keys, watched = local.watched, pauseMirrors = local.pause_mirrors, policy = ${policy}, pauseSecrets = ${pauseSecrets}, pauseInitial = base64decode(${content}), functionConfig = ${fnConfig} })`,
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

/** Every (verb, resource-type, operation) a set of statements grants, as `verb resource op` lines. */
const grantedTriples = (statements: string[]) =>
  statements
    .map(parseStatement)
    .flatMap((g) => g.ops.map((op) => `${g.verb} ${g.resource} ${op}`))
    .sort();

/** What the provider's calls need for VIPs of these modes, from its own table (OCI_CALLS). */
const neededTriples = (modes: string[]) =>
  Object.values(OCI_CALLS)
    .filter((c) => c.modes.some((m) => modes.includes(m)))
    .flatMap((c) => c.needs.map((n) => `${n.verb} ${n.resource} ${c.op}`))
    .sort();

let tf: Module;
const one = (type: string, name: string): Block => {
  const b = tf.resource[type]?.[name]?.[0];
  if (!b) throw new Error(`no ${type}.${name}`);
  return b;
};

describe('terraform/oci', () => {
  let both: Evaluated;
  let ops: Evaluated;

  beforeAll(async () => {
    tf = (await convertFiles(moduleDir)) as unknown as Module;
    both = await evaluate(exampleText);
    ops = await evaluate(withOperators);
  }, 60_000);

  it('is formatted (terraform fmt -check)', async () => {
    await run('terraform', ['fmt', '-check', '-recursive', moduleDir], { env: tfEnv(moduleDir) });
  });

  it("the function's statements grant exactly what the narrow client's calls need, each limited to its operations", () => {
    expect(grantedTriples(both.statements)).toEqual(neededTriples(['private-ip', 'route']));
    for (const g of both.statements.map(parseStatement)) {
      expect(g.group).toBe('mirror-vip-function');
      expect(g.resource).not.toMatch(/family/);
    }
    // the policy reference rows the issue names: route mode needs manage private-ips (PRIVATE_IP_ROUTE_TABLE_ATTACH /
    // DETACH), a reserved public IP manage public-ips (PUBLIC_IP_UPDATE) plus use private-ips for UpdatePublicIp
    const triples = grantedTriples(both.statements);
    for (const t of [
      'manage private-ips UpdateRouteTable',
      'manage public-ips UpdatePublicIp',
      'use private-ips UpdatePublicIp',
      'use vnics UpdatePrivateIp',
    ])
      expect(triples).toContain(t);
    expect(OCI_CALLS.updateRouteTable.needs[1].permissions).toEqual([
      'PRIVATE_IP_ROUTE_TABLE_ATTACH',
      'PRIVATE_IP_ROUTE_TABLE_DETACH',
    ]);
    expect(OCI_CALLS.updatePublicIp.needs[0]).toMatchObject({ verb: 'manage', permissions: ['PUBLIC_IP_UPDATE'] });
  });

  it("terraform's table of calls is the provider's (OCI_CALLS): operations, modes and grants", () => {
    const locals = Object.assign({}, ...tf.locals) as {
      oci_calls: Record<string, { modes: string[]; needs: string[] }>;
    };
    const fromCode = Object.fromEntries(
      Object.values(OCI_CALLS).map((c) => [
        c.op,
        { modes: [...c.modes], needs: c.needs.map((n) => `${n.verb} ${n.resource}`) },
      ]),
    );
    expect(locals.oci_calls).toEqual(fromCode);
  });

  it('a mirror of one mode gets exactly that mode grants', async () => {
    const privateOnly = (await evaluate(withModes(['private-ip']))).statements;
    expect(grantedTriples(privateOnly)).toEqual(neededTriples(['private-ip']));
    expect(privateOnly.map(parseStatement).some((g) => g.resource === 'route-tables')).toBe(false);
    const routeOnly = (await evaluate(withModes(['route']))).statements;
    expect(grantedTriples(routeOnly)).toEqual(neededTriples(['route']));
    expect(routeOnly.map(parseStatement).some((g) => g.verb === 'use' || g.resource === 'public-ips')).toBe(false);
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
    expect(one('oci_functions_function', 'mirror_vip').config).toBe(ref('local.function_config'));
    // the rendered document is a valid configuration, each key pointing at its secret's OCID
    const rendered = parseConfig(both.functionConfig.MIRROR_VIP_CONFIG as string);
    expect(rendered.mirrors[0]?.keys.map((k) => k.secret)).toEqual([
      'oci-vault:ocid1.vaultsecret.oc1.eu-frankfurt-1.keyirisak1',
      'oci-vault:ocid1.vaultsecret.oc1.eu-frankfurt-1.keyirisbk1',
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

  it('with operator keys, one pause secret per mirror, created not paused, that terraform never rewrites', () => {
    expect([both.pauseMirrors, ops.pauseMirrors]).toEqual([[], ['IRISMIRROR']]);
    const pause = one('oci_vault_secret', 'pause');
    expect(pause).toMatchObject({
      for_each: ref('local.pause_mirrors'),
      vault_id: ref('var.vault_id'),
      key_id: ref('var.vault_key_id'),
      secret_name: `${ref('var.name')}-${ref('each.key')}-pause`,
      lifecycle: [{ ignore_changes: [ref('secret_content')] }],
    });
    expect((pause.secret_content as Block[])[0]?.content_type).toBe('BASE64');
    // what the function then reads: a well-formed record, not paused
    expect(JSON.parse(ops.pauseInitial)).toEqual({ paused: false, by: 'terraform', since: expect.any(String) });
    expect(decodePause('pause', ops.pauseInitial)).toBeNull();
  });

  it('the function may read and add versions of its pause secrets only, each named by target.secret.id', () => {
    const C = baseVars.compartment_ocid;
    const id = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.pauseirismirror';
    const secretStatements = ops.policy.filter((p) => /secret/.test(p));
    expect(secretStatements.filter((p) => p.includes(id))).toEqual([
      `Allow dynamic-group mirror-vip-function to read secret-bundles in compartment id ${C} where target.secret.id = '${id}'`,
      `Allow dynamic-group mirror-vip-function to use secrets in compartment id ${C} where target.secret.id = '${id}'`,
    ]);
    // every secret statement is one of the Vault calls' grants (OCI_VAULT_CALLS), naming one secret; the only write
    // (use secrets: UpdateSecret) is on a pause secret
    const grants = Object.values(OCI_VAULT_CALLS).map((c) => ` to ${c.verb} ${c.resource} in `);
    for (const p of secretStatements)
      expect(
        grants.some((g) => p.includes(g)),
        p,
      ).toBe(true);
    for (const p of secretStatements) expect(p).toMatch(/ where target\.secret\.id = 'ocid1\.vaultsecret\.[^']+'$/);
    expect(secretStatements.filter((p) => / to use secrets /.test(p))).toEqual([secretStatements.at(-1)]);
    const all = Object.values(tf.resource.oci_identity_policy ?? {}).flatMap((p) => JSON.stringify(p[0]?.statements));
    expect([...ops.policy, ...all].join('\n')).not.toMatch(
      /manage (secret-family|secrets|secret-versions|vaults|keys)|use (secret-family|vaults|keys|tag-namespaces)/,
    );
    // without operator keys there is no pause secret, and no statement that writes one
    expect(both.policy.filter((p) => / to use secrets /.test(p))).toEqual([]);
  });

  it('the function config: MIRROR_VIP_PAUSE_SECRETS names each pause secret as the runtime accepts it; MIRROR_VIP_PAUSED stays', () => {
    const config = (Object.assign({}, ...tf.locals) as Block).function_config as Block;
    expect(config.MIRROR_VIP_PAUSED).toBe(ref('join(",", var.paused_mirrors)'));
    const doc = parseConfig(withOperators.replaceAll('oci-vault:terraform', 'env:K'));
    const refs = pauseSecretsFromEnv(doc, { [PAUSE_SECRETS_ENV]: ops.pauseSecrets }, VAULT_SECRET_OCID, 'an OCID');
    expect(Object.fromEntries(refs)).toEqual({ IRISMIRROR: 'ocid1.vaultsecret.oc1.eu-frankfurt-1.pauseirismirror' });
    expect(both.pauseSecrets).toBe('{}');
    expect(pauseSecretsFromEnv(doc, { [PAUSE_SECRETS_ENV]: both.pauseSecrets }, VAULT_SECRET_OCID, 'x').size).toBe(0);
  });
});

describe('terraform/oci: the large-configuration path and the operator keys', () => {
  const withVaultOperator = JSON.stringify({
    ...JSON.parse(exampleText),
    operatorKeys: [{ id: 'ops-2026', secret: 'oci-vault:terraform' }],
  });

  it('config_in_vault: the function config is the secret reference and the document digest; the function reads that secret only', async () => {
    const inline = await evaluate(withVaultOperator);
    const vault = await evaluate(withVaultOperator, { config_in_vault: true });
    const doc = inline.functionConfig.MIRROR_VIP_CONFIG as string;
    expect(inline.functionConfig.MIRROR_VIP_CONFIG_SHA256).toBe('');
    expect(vault.functionConfig.MIRROR_VIP_CONFIG).toBe(`oci-vault:${CONFIG_SECRET}`);
    expect(vault.functionConfig.MIRROR_VIP_CONFIG_SHA256).toBe(createHash('sha256').update(doc).digest('hex'));
    const reads = (e: Evaluated) => e.policy.filter((p) => p.includes(CONFIG_SECRET));
    expect(reads(inline)).toEqual([]);
    expect(reads(vault)).toEqual([
      `Allow dynamic-group mirror-vip-function to read secret-bundles in compartment id ${baseVars.compartment_ocid} where target.secret.id = '${CONFIG_SECRET}'`,
    ]);
    const secret = one('oci_vault_secret', 'config');
    expect(secret.count).toBe(ref('var.config_in_vault ? 1 : 0'));
    expect((secret.secret_content as Block[])[0]?.content).toBe(ref('base64encode(local.rendered_config)'));
  });

  it('an operator key "oci-vault:terraform" gets its own Vault secret, readable by the function, and the rendered document names it', async () => {
    const e = await evaluate(withVaultOperator);
    expect(e.vaultKeys['ops-2026']).toMatchObject({ secret_name: 'mirror-vip-operator-ops-2026' });
    const id = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.keyops2026';
    expect(e.policy).toContain(
      `Allow dynamic-group mirror-vip-function to read secret-bundles in compartment id ${baseVars.compartment_ocid} where target.secret.id = '${id}'`,
    );
    const doc = parseConfig(e.functionConfig.MIRROR_VIP_CONFIG as string);
    expect(doc.operatorKeys?.map((k) => k.secret)).toEqual([`oci-vault:${id}`]);
  });
});
