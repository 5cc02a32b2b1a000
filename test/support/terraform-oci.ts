import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertFiles } from '@cdktf/hcl2json';
import { OCI_CALLS } from '../../shared/providers/oci/vcn-api.ts';
import { terraformConsole } from './terraform.ts';

// terraform/oci evaluated without a provider: its locals and the expressions of its resources, with the OCIDs the
// Vault would give faked (test/deploy/terraform-oci*.test.ts).
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const moduleDir = join(root, 'terraform/oci');
export const exampleText = readFileSync(join(moduleDir, 'mirror-vip.example.json'), 'utf8');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Block = { [key: string]: Json };
export interface Module {
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
}

export const baseVars = {
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
export const withOperators = JSON.stringify({
  ...JSON.parse(exampleText),
  operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }],
});

/** The example configuration with only the VIPs of one mode. */
export const withModes = (modes: string[]) => {
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
export const CONFIG_SECRET = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.config';
const fakeSecretIds = (expr: string) =>
  expr
    .replaceAll('oci_vault_secret.config[0].id', `"${CONFIG_SECRET}"`)
    .replaceAll('oci_vault_secret.config', `(var.config_in_vault ? [{ id = "${CONFIG_SECRET}" }] : [])`)
    .replaceAll('oci_vault_secret.pause[m].id', `"ocid1.vaultsecret.oc1.eu-frankfurt-1.pause\${lower(m)}"`)
    .replaceAll(
      'oci_vault_secret.member_key[k].id',
      `"ocid1.vaultsecret.oc1.eu-frankfurt-1.key\${replace(k, "-", "")}"`,
    );

export interface Evaluated {
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
export async function evaluate(config: string, vars: Record<string, Json> = {}): Promise<Evaluated> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfoci-'));
  try {
    for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    writeFileSync(
      join(dir, 'probe.auto.tfvars.json'),
      JSON.stringify({ ...baseVars, ...vars, mirror_vip_config: config }),
    );
    const tf = await ociModule();
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
export const parseStatement = (s: string) => {
  const m = /^Allow dynamic-group (\S+) to (\w+) ([\w-]+) in compartment id (\S+) where any \{(.*)\}$/.exec(s);
  if (!m) throw new Error(`not a scoped statement: ${s}`);
  const ops = [...(m[5] as string).matchAll(/request\.operation = '(\w+)'/g)].map((x) => x[1] as string);
  return { group: m[1], verb: m[2], resource: m[3], ops };
};

/** Every (verb, resource-type, operation) a set of statements grants, as `verb resource op` lines. */
export const grantedTriples = (statements: string[]) =>
  statements
    .map(parseStatement)
    .flatMap((g) => g.ops.map((op) => `${g.verb} ${g.resource} ${op}`))
    .sort();

/** What the provider's calls need for VIPs of these modes, from its own table (OCI_CALLS). */
// a policy grants operations: two client methods of one operation (ListPrivateIps by address, by subnet) need it once
export const neededTriples = (modes: string[]) =>
  [
    ...new Set(
      Object.values(OCI_CALLS)
        .filter((c) => c.modes.some((m) => modes.includes(m)))
        .flatMap((c) => c.needs.map((n) => `${n.verb} ${n.resource} ${c.op}`)),
    ),
  ].sort();

let cached: Promise<Module> | undefined;
/** The module as hcl2json reads it (once per test file). */
export const ociModule = () => {
  cached ??= convertFiles(moduleDir) as unknown as Promise<Module>;
  return cached;
};
