import { startAwsWorld } from '../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../shared/core/result.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

/**
 * Warm cost of verify + decide (signature, schema, replay check, one health probe on loopback) with the cloud calls
 * taken out: the handler's duration minus the time its recorded cloud calls took. And forged requests rejected per second.
 */
export async function measureCoreOverhead(iterations = 1000, forgedSeconds = 1) {
  const world = await startAwsWorld({ eip: false, topic: false, engine: { log: () => {} } });
  try {
    const overheads: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      const res = (await world.handler(world.signedRequest('iris-a'))) as { body: string };
      const total = performance.now() - t0;
      const r = JSON.parse(res.body) as FailoverResult;
      if (r.outcome !== 'unchanged') throw new Error(`expected unchanged, got ${r.outcome}`);
      const cloudMs = Math.max(...r.calls.map((c) => c.at + c.ms)) - Math.min(...r.calls.map((c) => c.at));
      overheads.push(total - cloudMs);
    }
    let forged = 0;
    const until = performance.now() + forgedSeconds * 1000;
    while (performance.now() < until) {
      const res = (await world.handler(world.signedRequest('iris-b', { secret: 'f'.repeat(43) }))) as {
        statusCode: number;
      };
      if (res.statusCode !== 401) throw new Error('forged request was not refused');
      forged++;
    }
    if (world.writes() !== 0) throw new Error('bench made a write');
    return {
      iterations,
      p50Ms: pct(overheads, 50),
      p99Ms: pct(overheads, 99),
      forgedPerSecond: Math.round(forged / forgedSeconds),
    };
  } finally {
    await world.close();
  }
}
