import { runDrill } from '/work/wt-drill/drill/drill.ts';
const cloud = process.argv[2] ?? 'aws';
const variant = (process.argv[3] ?? 'mirror-vip') as never;
const scale = Number(process.argv[4] ?? '0.05');
const rs = await runDrill({ cloud, variants: [variant], runs: 1, scale, stepTimeoutMs: 30000 });
for (const r of rs) console.log(JSON.stringify({ marks: r.marks, outage: r.outageMs, wrong: r.wrongAnswers, by: r.answeredBy, ev: r.events.map(e => [e.name, Math.round(e.t - r.killAt), e.detail]) }));
