import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { EMULATOR_CREDENTIALS } from '../test/emulators/aws/sdk-clients.ts';
import { startAwsWorld } from '../test/support/aws-world.ts';
import { invokeBundle, ROOT } from '../test/support/bundle.ts';

/** Cold start of dist/aws/handler.mjs: spawning node → its first function URL response, median of `runs`. */
export async function measureAwsColdStart(runs = 5) {
  const bundle = `${ROOT}/dist/aws/handler.mjs`;
  const world = await startAwsWorld({ eip: false, topic: false });
  try {
    const env = {
      ...world.env,
      AWS_ENDPOINT_URL: world.emu.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const { out } = await invokeBundle(bundle, world.signedRequest('iris-a'), env);
      times.push(performance.now() - t0);
      if ((out as { statusCode?: number }).statusCode !== 200)
        throw new Error(`cold start run failed: ${JSON.stringify(out)}`);
    }
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
