import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsHandler } from '../../functions/aws/app.ts';
import { ROOT } from '../../local-cloud/bundles.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { startMoto } from '../support/moto.ts';

const run = promisify(execFile);
let world: AwsWorld;
let moto: Awaited<ReturnType<typeof startMoto>>;
const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-keygen-docs-'));
// `mirror-vip` on PATH is this checkout's bin
mkdirSync(join(dir, 'bin'));
writeFileSync(
  join(dir, 'bin', 'mirror-vip'),
  `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/mirror-vip.mjs')}" "$@"\n`,
  { mode: 0o755 },
);

/** The shell lines of the documented block (comments and blank lines dropped). */
function documented(doc: string, name: string): string[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const block = new RegExp(`<!-- ${name}:begin -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(
    text,
  );
  if (!block?.[1]) throw new Error(`${doc} has no ${name} block`);
  return block[1].split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
}

beforeAll(async () => {
  world = await startAwsWorld();
  moto = await startMoto();
});
afterAll(async () => {
  await moto.close();
  await world.close();
});

describe('docs/deploy-aws.md: keygen → store → deploy → notify, as pasted', () => {
  it('runs every documented command, and the function accepts the key it stored', async () => {
    const lines = documented('docs/deploy-aws.md', 'keygen-store');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['mirror-vip', 'aws', 'mirror-vip']);
    // `mirror-vip` on PATH is this checkout's bin; SSM is moto, EC2 the project's emulator.
    const bin = join(dir, 'bin');
    const shell = (line: string, extra: Record<string, string> = {}) =>
      run('bash', ['-c', line], {
        cwd: dir,
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_ENDPOINT_URL_SSM: moto.url,
          AWS_ENDPOINT_URL: world.emu.url,
          AWS_EC2_METADATA_DISABLED: 'true',
          ...extra,
        },
      });
    const [keygen, store, notify] = lines as [string, string, string];
    const made = await shell(keygen);
    expect(made.stdout).toContain(store); // keygen prints the very store command the doc shows
    const file = join(dir, 'iris-a.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8');
    expect(made.stdout).not.toContain(secret);
    await expect(shell(keygen)).rejects.toMatchObject({ stderr: expect.stringContaining('never overwrites') });
    await shell(store);
    // deploy: a function whose configuration references the parameter, reading it from SSM at cold start
    const config = structuredClone(world.config);
    const m = config.mirrors[0] as { keys: unknown[] };
    m.keys = [{ id: 'iris-a-2026-11', member: 'iris-a', secret: 'ssm:/mirror-vip/IRISMIRROR/iris-a-2026-11' }];
    process.env.AWS_ENDPOINT_URL_SSM = moto.url;
    try {
      const handler = await createAwsHandler({ MIRROR_VIP_CONFIG: JSON.stringify(config) });
      const fn = await serveFunctionUrl(handler);
      try {
        const sent = await shell(`${notify} --json`, { FUNCTION_URL: fn.url });
        expect(JSON.parse(sent.stdout)).toMatchObject({ ok: true, status: 200, response: { outcome: 'unchanged' } });
      } finally {
        await fn.close();
      }
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SSM;
    }
  }, 120_000); // five real commands, the AWS CLI among them
});

/** The option names the installed Azure CLI registers for `az keyvault secret set` (its own argument list). */
function azSecretSetOptions(): Set<string> {
  const file = '/usr/lib/python3/dist-packages/azure/cli/command_modules/keyvault/_params.py';
  const src = readFileSync(file, 'utf8');
  const opts = new Set(['--output', '-o', '--only-show-errors', '--debug', '--verbose', '--query', '--subscription']);
  // contexts that apply to `keyvault secret set`: 'keyvault secret' (shared Id group, via the for-loop over items),
  // and 'keyvault secret set'; vault_name_type declares --vault-name
  const ctx = /with self\.argument_context\('keyvault (?:secret set|' \+ item)[^\n]*\n((?:[ \t]+[^\n]*\n)+?)\n/g;
  for (const m of src.matchAll(ctx))
    for (const o of (m[1] ?? '').matchAll(/options_list=\[([^\]]*)\]/g))
      for (const name of (o[1] ?? '').matchAll(/'(-[^']+)'/g)) opts.add(name[1] as string);
  if (/vault_name_type = CLIArgumentType\([\s\S]*?options_list=\['--vault-name'\]/.test(src)) opts.add('--vault-name');
  return opts;
}

describe('docs/azure.md and docs/oci.md: keygen → store, as pasted (no Azure or OCI here)', () => {
  const sh = (line: string, cwd: string) =>
    run('bash', ['-c', line], { cwd, env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });

  it('Azure: keygen prints the documented az line, every flag of which the installed Azure CLI accepts', async () => {
    const lines = documented('docs/azure.md', 'keygen-store-azure');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['mirror-vip', 'az', 'mirror-vip']);
    const [keygen, store] = lines as [string, string];
    const cwd = mkdtempSync(join(dir, 'azure-'));
    const made = await sh(keygen, cwd);
    expect(made.stdout).toContain(store);
    expect(made.stdout).toContain('"secret":"env:MIRROR_VIP_KEY_IRIS_A_K1"');
    const secret = readFileSync(join(cwd, 'iris-a-k1.key'), 'utf8');
    expect(made.stdout).not.toContain(secret);
    expect(statSync(join(cwd, 'iris-a-k1.key')).mode & 0o777).toBe(0o600);
    // Debian's azure-cli 2.45 cannot load its keyvault module (azure.keyvault.v7_0 is not packaged), so `--help`
    // fails here: check the flags against the argument registrations of that installed module instead.
    const accepted = azSecretSetOptions();
    const flags = store.split(' ').filter((w) => w.startsWith('-'));
    expect(flags).toEqual(['--vault-name', '--name', '--file', '--encoding', '--output']);
    expect(flags.filter((f) => !accepted.has(f))).toEqual([]);
    expect(accepted.has('--no-such-flag')).toBe(false);
    // the names terraform/azure gives this key id (locals.tf): the secret and the app setting the reference sits in
    const locals = readFileSync(join(ROOT, 'terraform/azure/locals.tf'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolation in terraform source
    expect(locals).toContain('secret  = "${var.name_prefix}-${replace(lower(k), "/[^a-z0-9-]/", "-")}"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolation in terraform source
    expect(locals).toContain('setting = "MIRROR_VIP_KEY_${upper(replace(k, "/[^A-Za-z0-9]/", "_"))}"');
    expect(store).toContain('--name mirror-vip-iris-a-k1 ');
  });

  it('OCI: keygen prints the documented lines; the JSON they write holds the key as base64 (owner-only), then goes', async () => {
    const lines = documented('docs/oci.md', 'keygen-store-oci');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['mirror-vip', '(umask', 'oci', 'rm', 'mirror-vip']);
    const [keygen, json, store, rm] = lines as [string, string, string, string];
    const cwd = mkdtempSync(join(dir, 'oci-'));
    const made = await sh(keygen, cwd);
    for (const l of [json, store, rm]) expect(made.stdout).toContain(l);
    expect(made.stdout).toContain('"secret":"oci-vault:terraform"');
    const secret = readFileSync(join(cwd, 'iris-a-k1.key'), 'utf8');
    expect(made.stdout).not.toContain(secret);
    expect([json, store, rm].join('\n')).not.toContain(secret);
    await sh(json, cwd);
    const file = join(cwd, 'iris-a-k1.key.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const body = JSON.parse(readFileSync(file, 'utf8')) as { secretContentContent: string };
    // what update-base64 sends as the version's content, and what the function decodes (shared/providers/oci/vault.ts)
    expect(Buffer.from(body.secretContentContent, 'base64').toString('utf8')).toBe(secret);
    // `oci` is not installed here and there is no tenancy: the --from-json key is --secret-content-content in camelCase
    expect(store).toMatch(/^oci vault secret update-base64 --secret-id ocid1\.vaultsecret\.\S+ --from-json file:\/\//);
    await sh(rm, cwd);
    expect(() => statSync(file)).toThrow();
    // the name terraform/oci gives the secret, which keygen's note names
    expect(readFileSync(join(ROOT, 'terraform/oci/locals.tf'), 'utf8')).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolation in terraform source
      'secret_name = "${var.name}-${k.mirror}-${k.id}"',
    );
  });
});
