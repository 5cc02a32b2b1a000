// npm run soak [-- --trials=200 --trials50=200 --jitter=80,160 --parallel=4 --fuzz=10000 --seed=N --only=race,probe,fuzz]
// Randomized race trials per scenario per cloud, probe abuse, and fuzzed requests per function; prints figures and
// exits 1 when any bad final state, untyped reply, throw, write or primary verdict on a hostile page was seen.
import { parseArgs } from 'node:util';
import { awsAdapter } from './aws-adapter.ts';
import { fuzzAws, fuzzGcp } from './fuzz.ts';
import { gcpAdapter } from './gcp-adapter.ts';
import { type CloudAdapter, type Scenario, type TrialOutcome, trial } from './harness.ts';
import { probeAbuse } from './probe-abuse.ts';
import { SCENARIOS } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    // the 50-instance scenario is ~5 s a trial at the default jitter: its count has its own flag
    trials50: { type: 'string', default: '200' },
    jitter: { type: 'string', default: '80,160' },
    parallel: { type: 'string', default: '4' },
    fuzz: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    only: { type: 'string', default: 'race,probe,fuzz' },
    clouds: { type: 'string', default: 'aws,gcp-alias,gcp-route' },
    scenarios: { type: 'string', default: 'all' },
  },
});
const trials = Number(values.trials);
const jitter = values.jitter.split(',').map(Number) as [number, number];
const parallel = Number(values.parallel);
const seed0 = Number(values.seed);
const only = new Set(values.only.split(','));
let bad = 0;
// a promise left rejected anywhere (SDK internals included) is counted, not allowed to end the run unseen
let unhandled = 0;
process.on('unhandledRejection', (e: unknown) => {
  unhandled++;
  bad++;
  if (unhandled <= 3) console.log(`    unhandled rejection: ${String(e).slice(0, 160)}`);
});

async function pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

async function race(adapter: CloudAdapter, s: Scenario) {
  const t0 = performance.now();
  const n = (s.initial.instances ?? 2) > 2 ? Number(values.trials50) : trials;
  // a 50-instance world is load enough for one process: those trials run one at a time
  const width = (s.initial.instances ?? 2) > 2 ? 1 : parallel;
  const outs: TrialOutcome[] = await pool(n, width, (i) => trial(adapter, s, seed0 + i, jitter));
  const failed = outs.filter((o) => !o.ok);
  const writes = outs.reduce((a, o) => a + o.writes, 0);
  bad += failed.length;
  console.log(
    `${adapter.name.padEnd(28)} ${s.name.padEnd(36)} trials ${String(n).padStart(4)}  bad final states ${failed.length}` +
      `  writes ${writes} (max ${Math.max(...outs.map((o) => o.writes))}/trial)  ${Math.round((performance.now() - t0) / 1000)} s`,
  );
  for (const f of failed.slice(0, 3)) console.log(`    bad: ${f.why} roles ${JSON.stringify(f.roles)}`);
}

console.log(
  `soak: seed ${seed0}, ${trials} trials per scenario per cloud, jitter ${jitter.join('–')} ms per cloud call`,
);
if (only.has('race')) {
  const clouds = new Set(values.clouds.split(','));
  const adapters = [
    ['aws', awsAdapter],
    ['gcp-alias', gcpAdapter('alias-ip')],
    ['gcp-route', gcpAdapter('route')],
  ] as const;
  const parts = values.scenarios.split(',');
  const picked =
    values.scenarios === 'all' ? SCENARIOS : SCENARIOS.filter((s) => parts.some((p) => s.name.includes(p)));
  for (const [key, adapter] of adapters) if (clouds.has(key)) for (const s of picked) await race(adapter, s);
}
if (only.has('probe')) {
  console.log('probe abuse (timeout 1000 ms, 5 probes each; the hostile server runs in its own process):');
  for (const f of await probeAbuse(1000, 5)) {
    const fine = f.role !== 'primary' && f.ms < 1100 && f.rssGrowthMb < 20;
    if (!fine) bad++;
    console.log(
      `  ${f.path.padEnd(22)} role ${f.role.padEnd(8)} slowest ${String(f.ms).padStart(5)} ms  RSS +${f.rssGrowthMb} MB  ${fine ? 'ok' : 'BAD'}`,
    );
  }
}
if (only.has('fuzz')) {
  for (const run of [fuzzAws, fuzzGcp]) {
    const f = await run(Number(values.fuzz), seed0);
    bad += f.writes + f.untyped + f.throws;
    console.log(
      `fuzz ${f.fn.padEnd(12)} requests ${f.requests}  writes ${f.writes}  untyped ${f.untyped}  throws ${f.throws}  p99 ${f.p99Ms} ms`,
    );
    for (const e of f.examples) console.log(`    example: ${e}`);
  }
}
console.log(`unhandled rejections ${unhandled}`);
console.log(bad === 0 ? 'soak: all good' : `soak: ${bad} bad`);
process.exit(bad === 0 ? 0 : 1);
