import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { invokeBundle, ROOT, serveFunctionsFramework } from '../local-cloud/bundles.ts';
import { startAwsWorld } from '../local-cloud/worlds/aws-world.ts';
import { startGcpWorld } from '../local-cloud/worlds/gcp-world.ts';

/** Cold start of dist/aws/handler.mjs: spawning node → its first function URL response, median of `runs`. */
export async function measureAwsColdStart(runs = 5) {
  const bundle = `${ROOT}/dist/aws/handler.mjs`;
  const world = await startAwsWorld({ eip: false, topic: false });
  try {
    const env = world.bundleEnv;
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

/** Cold start of dist/gcp/index.mjs under the Functions Framework: spawn → first response to a signed event (a move). */
export async function measureGcpColdStart(runs = 5) {
  const bundle = `${ROOT}/dist/gcp/index.mjs`;
  const times: number[] = [];
  const listening: number[] = [];
  for (let i = 0; i < runs; i++) {
    const world = await startGcpWorld({ engine: { log: () => {} } });
    const fn = await serveFunctionsFramework(bundle, 'mirrorVip', world.env);
    try {
      listening.push(performance.now() - fn.spawnedAt);
      world.members.set('iris-a', 'down');
      world.members.set('iris-b', 'primary');
      const req = world.signedRequest('iris-b');
      const res = await fetch(fn.url, { method: 'POST', headers: req.headers, body: req.body });
      times.push(performance.now() - fn.spawnedAt);
      if (res.status !== 200) throw new Error(`gcp cold start run failed: ${await res.text()}`);
    } finally {
      fn.child.kill();
      await world.close();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return {
    runs,
    listeningMedianMs: median(listening),
    firstResponseMedianMs: median(times),
    bundleBytes: statSync(bundle).size,
    bundleGzipBytes: gzipSync(readFileSync(bundle)).length,
  };
}
