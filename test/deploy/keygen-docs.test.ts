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
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'mirror-vip'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/mirror-vip.mjs')}" "$@"\n`,
      { mode: 0o755 },
    );
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
