// npm run soak [-- --trials=200 --trials50=200 --jitter=80,160 --parallel=4 --parallel50=1 --fuzz=10000 --seed=N
//   --only=race,probe,fuzz --clouds=aws,gcp-alias,… --scenarios=split,flap,… --members=iris,patroni,http --out=figures.json]
// Randomized race trials per scenario per cloud, probe abuse, and fuzzed requests per function; prints figures and
// exits 1 when any bad final state, untyped reply, throw, write or primary verdict on a hostile page was seen.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MEMBER_SHAPES, type MemberShape } from '../../local-cloud/member-pages.ts';
import { awsAdapter } from './aws-adapter.ts';
import { azureAdapter } from './azure-adapter.ts';
import { fuzzAws, fuzzAzure, fuzzGcp, fuzzOci } from './fuzz.ts';
import { gcpAdapter } from './gcp-adapter.ts';
import { type CloudAdapter, type Scenario, type TrialOutcome, trial } from './harness.ts';
import { ociAdapter } from './oci-adapter.ts';
import { PROBE_KINDS, probeAbuse } from './probe-abuse.ts';
import { sdkWarnings } from './race-support.ts';
import { SCENARIOS } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    // the 50-instance scenario is ~5 s a trial at the default jitter: its count has its own flag
    trials50: { type: 'string', default: '200' },
    jitter: { type: 'string', default: '80,160' },
    parallel: { type: 'string', default: '4' },
    // 50 engines are load enough for one process: by default those trials run one at a time
    parallel50: { type: 'string', default: '1' },
    fuzz: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    only: { type: 'string', default: 'race,probe,fuzz' },
    clouds: { type: 'string', default: 'aws,gcp-alias,gcp-route,azure-ipconfig,azure-route,oci-privateip,oci-route' },
    scenarios: { type: 'string', default: 'all' },
    // the members' pages in the race trials (each shape runs every picked scenario); the probe abuse runs every kind
    members: { type: 'string', default: 'iris' },
    fuzzers: { type: 'string', default: 'aws,gcp,azure,oci' },
    // write the figures as JSON too
    out: { type: 'string' },
    // block this process's event loop now and then for up to this many ms (a GC pause, a throttled CPU): 0 = off
    stall: { type: 'string', default: '0' },
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

const stallMs = Number(values.stall);
if (stallMs > 0) {
  // every 0.5–2 s, spin for a random part of stallMs: every engine, emulator and status page of the process stalls
  const stall = () => {
    const until = performance.now() + Math.random() * stallMs;
    while (performance.now() < until);
    setTimeout(stall, 500 + Math.random() * 1500).unref();
  };
  setTimeout(stall, 500).unref();
}

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

const figures: { race: Record<string, unknown>[]; probe: unknown[]; fuzz: unknown[] } = {
  race: [],
  probe: [],
  fuzz: [],
};

async function race(key: string, adapter: CloudAdapter, s: Scenario, shape: MemberShape) {
  const t0 = performance.now();
  const many = (s.initial.instances ?? 2) > 2;
  const n = many ? Number(values.trials50) : trials;
  if (n <= 0) return;
  const width = many ? Number(values.parallel50) : parallel;
  const unhandledBefore = unhandled;
  const outs: TrialOutcome[] = await pool(n, width, async (i) => {
    const out = await trial(adapter, s, seed0 + i, jitter, shape);
    return out.ok ? out : { ...out, why: `seed ${seed0 + i}: ${out.why}` };
  });
  const failed = outs.filter((o) => !o.ok);
  const writes = outs.reduce((a, o) => a + o.writes, 0);
  const maxWrites = Math.max(...outs.map((o) => o.writes));
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const rejections = unhandled - unhandledBefore;
  bad += failed.length;
  console.log(
    `${`${adapter.name}${shape === 'iris' ? '' : ` ${shape}`}`.padEnd(30)} ${s.name.padEnd(36)} trials ${String(n).padStart(4)}  bad final states ${failed.length}` +
      `  writes ${writes} (max ${maxWrites}/trial)  unhandled rejections ${rejections}  ${Math.round(seconds)} s` +
      ` (${Math.round((seconds * 1000 * Math.min(width, n)) / n)} ms/trial, ${Math.min(width, n)} at once)`,
  );
  for (const f of failed.slice(0, 3)) {
    console.log(`    bad: ${f.why} roles ${JSON.stringify(f.roles)}`);
    for (const line of f.story ?? []) console.log(`      ${line}`);
  }
  figures.race.push({
    cloud: key,
    adapter: adapter.name,
    members: shape,
    scenario: s.name,
    trials: n,
    badFinalStates: failed.length,
    writes,
    maxWritesPerTrial: maxWrites,
    unhandledRejections: rejections,
    seconds,
    parallel: width,
    bad: failed.slice(0, 10).map((f) => ({ why: f.why, roles: f.roles, bindings: f.bindings, story: f.story })),
  });
}

console.log(
  `soak: seed ${seed0}, ${trials} trials per scenario per cloud, jitter ${jitter.join('–')} ms per cloud call` +
    (stallMs > 0 ? `, event loop stalls up to ${stallMs} ms every 0.5–2 s` : ''),
);
if (only.has('race')) {
  const clouds = new Set(values.clouds.split(','));
  const adapters = [
    ['aws', awsAdapter],
    ['gcp-alias', gcpAdapter('alias-ip')],
    ['gcp-route', gcpAdapter('route')],
    ['azure-ipconfig', azureAdapter('ip-config')],
    ['azure-route', azureAdapter('route')],
    ['oci-privateip', ociAdapter('private-ip')],
    ['oci-route', ociAdapter('route')],
  ] as const;
  const unknown = [...clouds].filter((c) => !adapters.some(([k]) => k === c));
  if (unknown.length > 0) throw new Error(`--clouds: unknown ${unknown.join(',')}; known ${adapters.map(([k]) => k)}`);
  const parts = values.scenarios.split(',');
  const picked =
    values.scenarios === 'all' ? SCENARIOS : SCENARIOS.filter((s) => parts.some((p) => s.name.includes(p)));
  const shapes = values.members.split(',') as MemberShape[];
  const wrong = shapes.filter((m) => !MEMBER_SHAPES.includes(m));
  if (wrong.length > 0) throw new Error(`--members: unknown ${wrong.join(',')}; known ${MEMBER_SHAPES.join(',')}`);
  for (const shape of shapes)
    for (const [key, adapter] of adapters)
      if (clouds.has(key)) for (const s of picked) await race(key, adapter, s, shape);
}
if (only.has('probe')) {
  console.log('probe abuse (timeout 1000 ms, 5 probes each; the hostile server runs in its own process):');
  for (const kind of PROBE_KINDS) {
    for (const f of await probeAbuse(1000, 5, kind)) {
      const fine = f.role !== 'primary' && f.ms < 1100 && f.rssGrowthMb < 20;
      if (!fine) bad++;
      figures.probe.push({ ...f, kind, ok: fine });
      console.log(
        `  ${kind.padEnd(8)} ${f.path.padEnd(22)} role ${f.role.padEnd(8)} slowest ${String(f.ms).padStart(5)} ms  RSS +${f.rssGrowthMb} MB  ${fine ? 'ok' : 'BAD'}`,
      );
    }
  }
}
if (only.has('fuzz')) {
  const fuzzers = { aws: fuzzAws, gcp: fuzzGcp, azure: fuzzAzure, oci: fuzzOci };
  const pickedFuzz = values.fuzzers.split(',') as (keyof typeof fuzzers)[];
  for (const run of pickedFuzz.map((k) => fuzzers[k])) {
    if (!run) throw new Error(`--fuzzers: known ${Object.keys(fuzzers)}`);
    const f = await run(Number(values.fuzz), seed0);
    bad += f.writes + f.untyped + f.throws;
    figures.fuzz.push(f);
    console.log(
      `fuzz ${f.fn.padEnd(12)} requests ${f.requests}  writes ${f.writes}  untyped ${f.untyped}  throws ${f.throws}  p99 ${f.p99Ms} ms`,
    );
    for (const e of f.examples) console.log(`    example: ${e}`);
  }
}
console.log(
  `unhandled rejections ${unhandled}; OCI SDK "cannot be retried" lines counted, not shown: ${sdkWarnings.ociNotRetried}`,
);
if (values.out)
  writeFileSync(
    values.out,
    `${JSON.stringify({ seed: seed0, trials, trials50: Number(values.trials50), jitterMs: jitter, unhandled, bad, ...figures }, null, 2)}\n`,
  );
console.log(bad === 0 ? 'soak: all good' : `soak: ${bad} bad`);
process.exit(bad === 0 ? 0 : 1);
