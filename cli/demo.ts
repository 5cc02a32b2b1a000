import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FailoverResult } from '../shared/core/result.ts';
import { eventBody } from '../shared/protocol/event.ts';
import { signedHeaders } from '../shared/protocol/signature.ts';
import { serveFunctionUrl } from '../test/emulators/lambda-url.ts';
import { MIRROR, startAwsWorld } from '../test/support/aws-world.ts';

export interface DemoOptions {
  latency: number;
  tables: number;
  json: boolean;
  serve: boolean;
  port: number;
}

interface Step {
  step: string;
  ms: number;
  detail: string;
  result?: FailoverResult;
}

/** Play a failover on the emulated AWS: A primary → A down → B claims → moved; a forgery is refused; a reconcile is idle. */
export async function runDemo(
  o: DemoOptions,
  out: (s: string) => void = console.log,
): Promise<{ ok: boolean; steps: Step[] }> {
  const world = await startAwsWorld({ seed: { tables: o.tables }, latencyMs: o.latency, engine: { log: () => {} } });
  const fn = await serveFunctionUrl(world.handler, o.serve ? o.port : 0);
  const steps: Step[] = [];
  const say = (s: string) => (o.json ? undefined : out(s));
  const tables = () => world.seeded.routeTableIds.map((id, i) => `${id} → ${world.routeHolders()[i]}`).join(', ');
  const t0 = performance.now();
  const record = (step: string, started: number, detail: string, result?: FailoverResult) => {
    const s = { step, ms: Math.round(performance.now() - started), detail, result };
    steps.push(s);
    say(`  +${String(Math.round(performance.now() - t0)).padStart(5)} ms  ${step.padEnd(34)} ${detail}`);
  };
  const post = async (member: 'iris-a' | 'iris-b', secret: string) => {
    const body = eventBody({ eventId: randomUUID(), mirror: MIRROR, member });
    const headers = signedHeaders(secret, `${member}-k1`, body, Date.now() / 1000);
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: res.status, result: (await res.json()) as FailoverResult };
  };
  try {
    say(`mirror-vip demo: emulated AWS at ${world.emu.url}, function URL at ${fn.url}`);
    say(
      `  ${o.tables} route table(s), ${o.latency} ms per EC2 call, VIP ${world.seeded.vipCidr}, EIP ${world.seeded.publicIp}\n`,
    );
    let t = performance.now();
    record('A is primary and holds the VIP', t, `${tables()}; EIP → ${world.eipHolder()}`);
    t = performance.now();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    record('A goes down, B becomes primary', t, 'A stops answering; B answers SUCCESS on mirror_status.cxw');
    t = performance.now();
    const moved = await post('iris-b', world.secrets['iris-b']);
    const m = moved.result;
    record(
      'B sends its signed event',
      t,
      `HTTP ${moved.status} ${m.outcome}: ${m.from} → ${m.to}, ${m.writeCalls} writes in ${m.serialRounds} serial rounds, ${m.durationMs} ms`,
      m,
    );
    t = performance.now();
    const forged = await post('iris-a', 'not-the-key-of-iris-a-but-long-enough-to-try');
    record(
      'a forged event claims A',
      t,
      `HTTP ${forged.status} ${forged.result.error?.code}: nothing written`,
      forged.result,
    );
    t = performance.now();
    const tick = (await world.handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' })) as {
      results: FailoverResult[];
    };
    const r = tick.results[0];
    record('the scheduled reconcile', t, `${r?.outcome}: VIP already on ${r?.to}, ${r?.writeCalls} writes`, r);
    record('after', performance.now(), `${tables()}; EIP → ${world.eipHolder()}`);
    const ok =
      m.outcome === 'moved' &&
      forged.status === 401 &&
      r?.outcome === 'unchanged' &&
      world.routeHolders().every((h) => h === 'iris-b');
    if (o.json) out(JSON.stringify({ ok, steps }, null, 2));
    else
      say(
        `\n${ok ? 'OK' : 'FAILED'}: the VIP follows the primary; calls made: ${world.emu.calls.map((c) => c.action).join(', ')}`,
      );
    if (o.serve) await serve(world, fn.url, out);
    return { ok, steps };
  } finally {
    if (!o.serve) {
      await fn.close();
      await world.close();
    }
  }
}

async function serve(world: Awaited<ReturnType<typeof startAwsWorld>>, url: string, out: (s: string) => void) {
  const keyFile = join(tmpdir(), 'mirror-vip-demo-iris-a.key');
  writeFileSync(keyFile, `${world.secrets['iris-a']}\n`, { mode: 0o600 });
  const configFile = join(tmpdir(), 'mirror-vip-demo-config.json');
  writeFileSync(configFile, JSON.stringify(world.config, null, 2));
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
  out(`\nServing. iris-a now answers primary again; move the VIP back with either of:`);
  out(
    `  npx mirror-vip notify --url ${url} --mirror ${MIRROR} --member iris-a --key-id iris-a-k1 --key-file ${keyFile}`,
  );
  out(
    `  python3 iris/mirror_vip_notify.py --url ${url} --mirror ${MIRROR} --member iris-a --key-id iris-a-k1 --key-file ${keyFile}`,
  );
  out('Look at it read-only, as an operator would:');
  const env = `AWS_ENDPOINT_URL=${world.emu.url} AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo`;
  out(`  ${env} npx mirror-vip status --config ${configFile}`);
  out(`  ${env} npx mirror-vip plan --config ${configFile} --to iris-b`);
  out('Ctrl-C to stop.');
  await new Promise(() => {});
}
