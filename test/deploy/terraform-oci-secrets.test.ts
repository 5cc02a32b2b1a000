import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { ref } from '../support/terraform.ts';
import {
  type Block,
  baseVars,
  CONFIG_SECRET,
  type Evaluated,
  evaluate,
  exampleText,
  type Module,
  ociModule,
} from '../support/terraform-oci.ts';

// terraform/oci: the configuration document in a Vault secret (config_in_vault, over OCI Functions' 4 KB) and the
// operator keys as Vault secrets, as terraform renders the function's configuration and policy.
let tf: Module;
const one = (type: string, name: string): Block => {
  const b = tf.resource[type]?.[name]?.[0];
  if (!b) throw new Error(`no ${type}.${name}`);
  return b;
};
beforeAll(async () => {
  tf = await ociModule();
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
