import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsHandler } from '../../functions/aws/app.ts';
import { createAzureFunctions } from '../../functions/azure/app.ts';
import { MIRROR as AZURE_SEED } from '../../local-cloud/azure/seed.ts';
import { serveAzureHttp } from '../../local-cloud/azure-http.ts';
import { ensureBundle, ROOT } from '../../local-cloud/bundles.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { sdkNetworkApi } from '../../shared/providers/azure/arm-sdk.ts';
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

describe('docs/azure.md and docs/oci.md: keygen → store → deploy → notify, as pasted (az and oci cannot run here)', () => {
  const sh = (line: string, cwd: string) =>
    run('bash', ['-c', line], { cwd, env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });

  it('Azure: keygen → az (every flag one the installed Azure CLI registers) → the function with the resolved reference → notify', async () => {
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
    expect(locals).toContain('secret  = "${var.name_prefix}-${replace(lower(k.id), "/[^a-z0-9-]/", "-")}"');
    // the app setting is the one the key's env: reference names (keygen printed env:MIRROR_VIP_KEY_IRIS_A_K1)
    expect(locals).toContain('setting = trimprefix(k.secret, "env:")');
    expect(store).toContain('--name mirror-vip-iris-a-k1 ');
    // deploy: the Azure Function with the key as the platform resolves the Key Vault reference in its app setting
    // (MIRROR_VIP_KEY_IRIS_A_K1 = the secret's value), and the configuration reference keygen printed; then notify
    const azure = await startAzureWorld();
    try {
      const config = JSON.parse(azure.env.MIRROR_VIP_CONFIG as string);
      config.mirrors[0].keys[0] = JSON.parse(/\{"id":"iris-a-k1"[^}]*\}/.exec(made.stdout)?.[0] ?? '{}');
      const token = azure.emu.issueToken();
      const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const fns = await createAzureFunctions(
        { ...azure.env, MIRROR_VIP_CONFIG: JSON.stringify(config), MIRROR_VIP_KEY_IRIS_A_K1: secret },
        {
          networkApi: sdkNetworkApi(credential, AZURE_SEED.subscriptionId, {
            endpoint: azure.emu.url,
            ca: azure.emu.ca,
          }),
        },
      );
      const fn = await serveAzureHttp(fns.mirrorVip, 'mirrorVip');
      try {
        const notify = lines[2] as string;
        const sent = await run('bash', ['-c', `${notify} --json`], {
          cwd,
          env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FUNCTION_URL: fn.url },
        });
        expect(JSON.parse(sent.stdout)).toMatchObject({ ok: true, status: 200, response: { outcome: 'unchanged' } });
      } finally {
        await fn.close();
      }
    } finally {
      await azure.close();
    }
  }, 120_000);

  it('OCI: keygen → the base64 JSON (owner-only, then removed) → the bundled function reading that Vault secret → notify', async () => {
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
    // deploy: the Vault secret holds what update-base64 would store; the bundled function (under the FDK, behind the
    // API Gateway emulator) reads it at cold start through the reference terraform writes (oci-vault:<OCID>); notify
    const secretId = /--secret-id (\S+)/.exec(store)?.[1] as string;
    const oci = await startOciWorld();
    try {
      oci.emu.secrets.set(secretId, Buffer.from(body.secretContentContent, 'base64').toString('utf8'));
      const config = JSON.parse(oci.env.MIRROR_VIP_CONFIG as string);
      config.mirrors[0].keys[0] = { id: 'iris-a-k1', member: 'iris-a', secret: `oci-vault:${secretId}` };
      const fn = await serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), {
        ...oci.env,
        MIRROR_VIP_CONFIG: JSON.stringify(config),
      });
      const gateway = await serveApiGateway(() => fn.socket);
      try {
        const sent = await run('bash', ['-c', `${lines[4]} --json`], {
          cwd,
          env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FUNCTION_URL: gateway.url },
        });
        expect(JSON.parse(sent.stdout)).toMatchObject({ ok: true, status: 200, response: { outcome: 'unchanged' } });
        expect(oci.emu.calls.filter((c) => c.op === 'GetSecretBundle').map((c) => c.path)).toContain(
          `/20190301/secretbundles/${secretId}`,
        );
      } finally {
        await gateway.close();
        await fn.stop();
      }
    } finally {
      await oci.close();
    }
  }, 120_000);
});
