import type { MemberShape } from '../local-cloud/member-pages.ts';
import { MIRROR } from '../local-cloud/worlds/aws-world.ts';
import type { CheckReport } from '../shared/core/check.ts';
import type { FailoverResult } from '../shared/core/result.ts';
import { claim, type DemoCloud, type Scenario, serveFiles, startScenario } from './demo-scenarios.ts';
import { type Lineage, lineage, requestLogger, requireFreePort, serveUntilStopped } from './demo-serve.ts';

export interface DemoOptions {
  cloud: DemoCloud;
  /** The pair's pages: IRIS (default), Patroni, a generic page (docs/patroni.md, docs/keepalived.md). */
  members?: MemberShape;
  latency: number;
  tables: number;
  opDelay: number;
  json: boolean;
  serve: boolean;
  port: number;
}

/** What the new primary's page says, in the demo's words. */
const PRIMARY_ANSWER: Record<MemberShape, string> = {
  iris: 'SUCCESS on mirror_status.cxw',
  patroni: "200 on Patroni's GET /primary (role primary, state running)",
  http: 'MASTER on its keepalived state page',
};

interface Step {
  step: string;
  ms: number;
  detail: string;
  result?: FailoverResult;
}

/** Play a failover on an emulated cloud: A primary → A down → B claims → moved; a forgery is refused; a reconcile is idle. */
export async function runDemo(
  o: DemoOptions,
  out: (s: string) => void = console.log,
): Promise<{ ok: boolean; steps: Step[] }> {
  // who started the demo, taken before anything is printed: --serve stops when that process is gone
  const from = lineage();
  if (o.serve) await requireFreePort(o.port);
  let serving = false;
  const s = await startScenario(o.cloud, {
    latency: o.latency,
    tables: o.tables,
    port: o.serve ? o.port : 0,
    opDelay: o.opDelay,
    shape: o.members ?? 'iris',
    log: (l) => (serving ? requestLogger(out)(l) : undefined),
  });
  const steps: Step[] = [];
  const say = (line: string) => (o.json ? undefined : out(line));
  const t0 = performance.now();
  const step = async (name: string, act: () => Promise<[string, FailoverResult?]> | [string, FailoverResult?]) => {
    const started = performance.now();
    const [detail, result] = await act();
    const ms = Math.round(performance.now() - started);
    steps.push({ step: name, ms, detail, result });
    say(
      `  +${String(Math.round(performance.now() - t0)).padStart(5)} ms  ${name.padEnd(32)} ${String(ms).padStart(5)} ms  ${detail}`,
    );
    return result;
  };
  try {
    say(`mirror-vip demo (${o.cloud}, ${o.members ?? 'iris'} members): function at ${s.functionUrl}\n  ${s.banner}\n`);
    await step('A is primary and holds the VIP', () => [s.where()]);
    const checked = s.preflight ? await preflightSteps(s.preflight, step) : true;
    await step('A goes down, B becomes primary', () => {
      s.setRole('iris-a', 'down');
      s.setRole('iris-b', 'primary');
      return [`A stops answering; B answers ${PRIMARY_ANSWER[o.members ?? 'iris']}`];
    });
    const moved = await step('B sends its signed event', async () => {
      const { status, result: m } = await claim(s.functionUrl, 'iris-b', s.secrets);
      return [
        `HTTP ${status} ${m.outcome}: ${m.from} → ${m.to}, ${m.writeCalls} writes, ${m.serialRounds} serial rounds, ${m.durationMs} ms in the function`,
        m,
      ];
    });
    const forged = await step('a forged event claims A', async () => {
      const { status, result } = await claim(s.functionUrl, 'iris-a', s.secrets, {
        secret: 'not-the-key-of-iris-a-but-long-enough-to-try',
      });
      return [`HTTP ${status} ${result.error?.code}: nothing written`, result];
    });
    const idle = await step('the scheduled reconcile', async () => {
      const r = await s.reconcile();
      return [`${r?.outcome}: the VIP is already on ${r?.to}, ${r?.writeCalls} writes`, r];
    });
    await step('after', () => [s.where()]);
    const ok =
      checked &&
      moved?.outcome === 'moved' &&
      forged?.error?.code === 'bad_signature' &&
      idle?.outcome === 'unchanged' &&
      s.holdersAll('iris-b');
    if (o.json) out(JSON.stringify({ ok, cloud: o.cloud, members: o.members ?? 'iris', steps }, null, 2));
    else say(`\n${ok ? 'OK' : 'FAILED'}: the VIP follows the primary. Cloud calls made: ${s.callNames().join(', ')}`);
    if (o.serve) {
      serving = true;
      await serve(s, out, from);
    }
    return { ok, steps };
  } finally {
    if (!o.serve) await s.close();
  }
}

async function serve(s: Scenario, out: (line: string) => void, from: Lineage): Promise<void> {
  const { keyFile, configFile } = serveFiles(s);
  s.setRole('iris-a', 'primary');
  s.setRole('iris-b', 'backup');
  const args = `--url ${s.functionUrl} --mirror ${MIRROR} --member iris-a --key-id iris-a-k1 --key-file ${keyFile}`;
  out('\nServing. iris-a answers primary again; move the VIP back with either of:');
  out(`  npx mirror-vip notify ${args}`);
  out(`  python3 iris/mirror_vip_notify.py ${args}`);
  out('Look at it read-only, as an operator would:');
  out(`  ${s.inspectEnv()} npx mirror-vip status --config ${configFile}`);
  out(`  ${s.inspectEnv()} npx mirror-vip plan --config ${configFile} --to iris-b`);
  out('Each request the function handles is shown below. Ctrl-C to stop.');
  await serveUntilStopped(s, out, from);
}

type StepFn = (
  name: string,
  act: () => Promise<[string, FailoverResult?]> | [string, FailoverResult?],
) => Promise<unknown>;

/** The first check that could not run, if any: why a preflight step did not go as shown. */
const errorSeen = (r: CheckReport | undefined) => {
  const e = r?.findings.find((x) => x.status === 'error');
  return r ? (e ? ` (could not run: ${e.check} ${e.resource}: ${e.reason})` : '') : ' (no report)';
};

/** A permission removed, the scheduled check names it with the fix, the fix applied, the check passes. */
async function preflightSteps(p: NonNullable<Scenario['preflight']>, step: StepFn): Promise<boolean> {
  await step('a permission is removed', () => [p.breakIt()]);
  let failed = false;
  await step('the scheduled check', async () => {
    const r = await p.run();
    const f = r?.findings.find((x) => x.status === 'fail');
    failed = r?.ok === false && !!f;
    return [
      f
        ? `FAIL ${f.check} ${f.resource} (-> ${f.target}); fix: ${f.fix}; ${r?.writes} writes`
        : `no failure seen${errorSeen(r)}`,
    ];
  });
  await step('the fix is applied', () => [p.fixIt()]);
  let passed = false;
  await step('the check again', async () => {
    const r = await p.run();
    const fails = r?.findings.filter((x) => x.status === 'fail').length ?? 1;
    const noFail = !!r && fails === 0 && r.writes === 0;
    passed = r?.ok === true || (!!p.unprovable && noFail);
    const verdict = r?.ok ? 'all pass' : passed ? `no failure (${p.unprovable})` : 'still failing';
    return [`${r?.findings.length} checks, ${verdict}, ${r?.writes} writes${passed ? '' : errorSeen(r)}`];
  });
  return failed && passed;
}
