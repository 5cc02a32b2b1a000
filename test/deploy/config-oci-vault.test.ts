import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_SHA256_ENV } from '../../functions/oci/oci-config.ts';
import { createOciEngine } from '../../functions/oci/oci-runtime.ts';
import { MIRROR, type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { ConfigError } from '../../shared/errors.ts';

// terraform/oci config_in_vault: a configuration over OCI Functions' 4 KB cap lives in a Vault secret; the function
// reads it at cold start through the real oci-secrets client (GetSecretBundle on the emulator) and moves as before.
const CONFIG_SECRET = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaaconfigdocument';

let world: OciWorld;
let text: string;

/** The world's mirror and three more like it (other names and key ids): ~4 KB of configuration inline. */
function bigConfig(config: OciWorld['config']): string {
  const m = config.mirrors[0] as (typeof config.mirrors)[0];
  const more = [1, 2, 3].map((i) => ({
    ...m,
    name: `${MIRROR}${i}`,
    keys: m.keys.map((k) => ({ ...k, id: `m${i}-${k.id}` })),
  }));
  return JSON.stringify({ ...config, mirrors: [m, ...more] });
}

const env = (extra: Record<string, string> = {}) => ({
  ...world.env,
  MIRROR_VIP_CONFIG: `oci-vault:${CONFIG_SECRET}`,
  [CONFIG_SHA256_ENV]: createHash('sha256').update(text).digest('hex'),
  ...extra,
});
const bundleReads = (id: string) =>
  world.emu.calls.filter((c) => c.op === 'GetSecretBundle' && c.path.includes(id)).length;
const vcnCalls = () => world.emu.calls.filter((c) => c.path.startsWith('/20160918/')).length;

beforeAll(async () => {
  world = await startOciWorld({ assigningMs: 10 });
  text = bigConfig(world.config);
  world.emu.secrets.set(CONFIG_SECRET, text);
}, 60_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.emu.reset());

describe('the OCI configuration document in a Vault secret', () => {
  it('is over the 4 KB that OCI Functions allows inline, and is read once at cold start', async () => {
    expect(Buffer.byteLength(text)).toBeGreaterThan(4096);
    const { config } = await createOciEngine(env());
    expect(config.mirrors.map((m) => m.name)).toEqual([MIRROR, `${MIRROR}1`, `${MIRROR}2`, `${MIRROR}3`]);
    expect(bundleReads(CONFIG_SECRET)).toBe(1);
  });

  it('the engine built from it moves the VIP through the emulator', async () => {
    const { engine } = await createOciEngine(env(), { retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 }, pollMs: 5 });
    world.members.set('iris-a', 'backup');
    world.members.set('iris-b', 'primary');
    try {
      await engine.reconcile('schedule', MIRROR);
      expect(world.privateIpHolder()).toBe('iris-b');
    } finally {
      world.members.set('iris-a', 'primary');
      world.members.set('iris-b', 'backup');
      await engine.reconcile('schedule', MIRROR);
    }
    expect(world.privateIpHolder()).toBe('iris-a');
  });

  it('a document terraform did not write (SHA-256 mismatch) is refused at cold start, before any VCN call', async () => {
    const wrong = createHash('sha256').update(`${text} `).digest('hex');
    const e = await createOciEngine(env({ [CONFIG_SHA256_ENV]: wrong })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain(`${CONFIG_SHA256_ENV}: Vault secret ${CONFIG_SECRET} holds a document`);
    expect(vcnCalls()).toBe(0);
  });

  it('an unreadable secret or a malformed reference names MIRROR_VIP_CONFIG', async () => {
    const missing = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaanosuchsecret';
    const e = await createOciEngine(env({ MIRROR_VIP_CONFIG: `oci-vault:${missing}` })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain(
      `MIRROR_VIP_CONFIG: cannot read the configuration from Vault secret ${missing}`,
    );
    const bad = await createOciEngine(env({ MIRROR_VIP_CONFIG: 'oci-vault:not-an-ocid' })).catch((x: unknown) => x);
    expect((bad as Error).message).toBe(
      'MIRROR_VIP_CONFIG: oci-vault: must name a Vault secret OCID (ocid1.vaultsecret.…)',
    );
    expect(vcnCalls()).toBe(0);
  });
});
