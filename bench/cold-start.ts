import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EMULATOR_CREDENTIALS } from '../test/emulators/aws/sdk-clients.ts';
import { startAwsWorld } from '../test/support/aws-world.ts';

/** Milliseconds from spawning `node` on a script that imports the bundle to the first response it prints. */
async function once(script: string, env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  if (code !== 0 || !out.includes('"statusCode":200')) throw new Error(`cold start run failed: ${out.slice(-300)}`);
  return performance.now() - t0;
}

/** Cold start of dist/aws/handler.mjs: process start → first function URL response, median of `runs`. */
export async function measureAwsColdStart(runs = 5) {
  const bundle = join(process.cwd(), 'dist/aws/handler.mjs');
  const world = await startAwsWorld({ eip: false, topic: false });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-cold-'));
    const script = join(dir, 'cold.mjs');
    writeFileSync(
      script,
      [
        'const { handler } = await import(process.env.BUNDLE);',
        'const out = await handler(JSON.parse(process.env.EVENT));',
        'process.stdout.write(JSON.stringify(out));',
      ].join('\n'),
    );
    const env = {
      ...world.env,
      BUNDLE: bundle,
      AWS_ENDPOINT_URL: world.emu.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const times: number[] = [];
    for (let i = 0; i < runs; i++)
      times.push(await once(script, { ...env, EVENT: JSON.stringify(world.signedRequest('iris-a')) }));
    times.sort((a, b) => a - b);
    return {
      runs,
      medianMs: times[Math.floor(runs / 2)] ?? Number.NaN,
      minMs: times[0] ?? Number.NaN,
      bundleBytes: statSync(bundle).size,
      bundleGzipBytes: gzipSync(readFileSync(bundle)).length,
    };
  } finally {
    await world.close();
  }
}
