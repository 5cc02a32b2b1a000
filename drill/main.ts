import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../local-cloud/bundles.ts';
import { DRILL_CLOUDS } from './clouds/index.ts';
import { type DrillMembers, runDrill } from './drill.ts';
import { VARIANTS, type Variant } from './member.ts';
import { markdownTable, summarize, summaryTable } from './report.ts';
import type { RunResult } from './run.ts';
import { timelineSvg } from './svg.ts';

export interface DrillCommand {
  clouds: string[];
  runs: number;
  scale: number;
  variants: Variant[];
  /** Where the timeline of the first cloud goes (the others get -<cloud> before .svg). */
  svg: string;
  /** Where the figures go as JSON (and Markdown next to it). */
  out: string;
  log?: (line: string) => void;
  /** The members' stand-ins: IRIS (default) or Patroni. */
  members?: DrillMembers;
}

export const DEFAULT_COMMAND: DrillCommand = {
  clouds: Object.keys(DRILL_CLOUDS),
  runs: 5,
  scale: 1,
  variants: [...VARIANTS],
  svg: join(ROOT, 'docs/drill-timeline.svg'),
  out: join(ROOT, 'drill/results/latest.json'),
};

/** The mirror-vip run whose outage is the median: the one the picture shows. */
function medianRun(rs: RunResult[]): RunResult | undefined {
  const own = rs.filter((r) => r.variant === 'mirror-vip').sort((a, b) => a.outageMs - b.outageMs);
  return own[Math.floor((own.length - 1) / 2)] ?? rs[0];
}

function svgPath(base: string, cloud: string, first: boolean): string {
  return first ? base : base.replace(/\.svg$/, `-${cloud}.svg`);
}

/** `npm run drill` / `mirror-vip drill`: every cloud, every variant, `runs` times; prints the table, writes the picture. */
export async function drillCommand(c: DrillCommand): Promise<RunResult[]> {
  const log = c.log ?? ((l: string) => console.log(l));
  const all: RunResult[] = [];
  for (const [i, cloud] of c.clouds.entries()) {
    log(
      `\n${cloud}${c.members === 'patroni' ? ' (Patroni members)' : ''}: ${c.variants.join(', ')} × ${c.runs} runs at scale ${c.scale}`,
    );
    const rs = await runDrill({
      cloud,
      variants: c.variants,
      runs: c.runs,
      scale: c.scale,
      members: c.members,
      onRun: (r) =>
        log(`  ${r.variant} #${r.run + 1}: outage ${Math.round(r.outageMs)} ms, wrong answers ${r.wrongAnswers}`),
    });
    all.push(...rs);
    const pick = medianRun(rs);
    if (pick) {
      const path = svgPath(c.svg, cloud, i === 0);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(
        path,
        timelineSvg(pick, `${cloud} failover drill (mirror-vip, run ${pick.run + 1}, scale ${c.scale})`),
      );
      log(`  timeline: ${path}`);
    }
  }
  const rows = summarize(all);
  log(`\n${summaryTable(rows, c.scale)}`);
  mkdirSync(dirname(c.out), { recursive: true });
  const slim = all.map(({ attempts, events, ...r }) => ({ ...r, attempts: attempts.length, events }));
  writeFileSync(
    c.out,
    `${JSON.stringify({ date: new Date().toISOString(), scale: c.scale, summary: rows, runs: slim }, null, 2)}\n`,
  );
  writeFileSync(c.out.replace(/\.json$/, '.md'), `${markdownTable(rows)}\n`);
  log(`\nwrote ${c.out}`);
  return all;
}
