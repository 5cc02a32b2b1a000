import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPARTMENT_ENV, compartmentFromEnv } from '../../functions/oci/oci-config.ts';
import { classifyOciMessage, RECONCILE_KIND } from '../../functions/oci/oci-events.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodePause, PAUSE_SECRETS_ENV, pauseSecretsFromEnv } from '../../shared/config/paused.ts';
import { VAULT_SECRET_OCID } from '../../shared/config/schema-oci.ts';
import { OCI_VAULT_CALLS } from '../../shared/providers/oci/vault.ts';
import { OCI_CALLS } from '../../shared/providers/oci/vcn-api.ts';
import { ref, tfEnv } from '../support/terraform.ts';
import {
  type Block,
  baseVars,
  type Evaluated,
  evaluate,
  exampleText,
  grantedTriples,
  type Module,
  moduleDir,
  neededTriples,
  ociModule,
  parseStatement,
  withModes,
  withOperators,
} from '../support/terraform-oci.ts';

const run = promisify(execFile);
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
    tf = await ociModule();
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

  it('the function config names the compartment the scheduled reconcile lists (MIRROR_VIP_COMPARTMENT_ID), as the runtime accepts it', () => {
    const config = (Object.assign({}, ...tf.locals) as Block).function_config as Block;
    expect(config[COMPARTMENT_ENV]).toBe(ref('var.compartment_ocid'));
    expect(compartmentFromEnv({ [COMPARTMENT_ENV]: baseVars.compartment_ocid })).toBe(baseVars.compartment_ocid);
  });
});
