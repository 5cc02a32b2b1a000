import type { Variant } from './member.ts';
import { MARKS, type Mark, type RunResult } from './run.ts';

/** The phases of a failover as the client lives it: each ends at one milestone and starts at the previous one. */
export const PHASES: { name: string; end: Mark }[] = [
  { name: 'detection', end: 'detected' },
  { name: 'promotion', end: 'promoted' },
  { name: 'notifier started', end: 'started' },
  { name: 'notifier sent', end: 'notified' },
  { name: 'function decided', end: 'decided' },
  { name: 'cloud writes done', end: 'written' },
  { name: 'network applied', end: 'applied' },
  { name: 'first client success', end: 'served' },
];

/** Each phase's length in one run (ms); undefined where a milestone is missing. */
export function phaseDurations(r: RunResult): (number | undefined)[] {
  return MARKS.map((m, i) => {
    const end = r.marks[m];
    const start = i === 0 ? 0 : r.marks[MARKS[i - 1] as Mark];
    return end === undefined || start === undefined ? undefined : end - start;
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export interface VariantSummary {
  cloud: string;
  variant: Variant;
  runs: number;
  outageMedianMs: number;
  outageWorstMs: number;
  phaseMediansMs: number[];
  wrongAnswers: number;
}

/** Median and worst outage and the phase medians of every (cloud, variant) in `results`. */
export function summarize(results: RunResult[]): VariantSummary[] {
  const keys = [...new Set(results.map((r) => `${r.cloud}|${r.variant}`))];
  return keys.map((key) => {
    const rs = results.filter((r) => `${r.cloud}|${r.variant}` === key);
    const [cloud = '', variant = 'mirror-vip'] = key.split('|') as [string, Variant];
    const durations = rs.map(phaseDurations);
    return {
      cloud,
      variant,
      runs: rs.length,
      outageMedianMs: median(rs.map((r) => r.outageMs)),
      outageWorstMs: Math.max(...rs.map((r) => r.outageMs)),
      phaseMediansMs: PHASES.map((_, i) =>
        median(durations.map((d) => d[i]).filter((x): x is number => x !== undefined)),
      ),
      wrongAnswers: rs.reduce((n, r) => n + r.wrongAnswers, 0),
    };
  });
}

const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');

/** The table `npm run drill` prints: one row per variant, outage then the phase medians. */
export function summaryTable(rows: VariantSummary[], scale: number): string {
  const head = ['cloud', 'variant', 'runs', 'outage median', 'worst', ...PHASES.map((p) => p.name), 'wrong answers'];
  const body = rows.map((r) => [
    r.cloud,
    r.variant,
    String(r.runs),
    sec(r.outageMedianMs),
    sec(r.outageWorstMs),
    ...r.phaseMediansMs.map(sec),
    String(r.wrongAnswers),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const note = scale === 1 ? 'real-scale profiles' : `profiles × ${scale} (CI scale)`;
  return [`Failover drill, ${note}; phases are medians`, line(head), ...body.map(line)].join('\n');
}

/** The same table as Markdown, for docs/drill.md. */
export function markdownTable(rows: VariantSummary[]): string {
  const head = ['cloud', 'variant', 'runs', 'outage median', 'worst', ...PHASES.map((p) => p.name)];
  const cells = rows.map((r) => [
    r.cloud,
    r.variant,
    String(r.runs),
    sec(r.outageMedianMs),
    sec(r.outageWorstMs),
    ...r.phaseMediansMs.map(sec),
  ]);
  return [head, head.map(() => '---'), ...cells].map((c) => `| ${c.join(' | ')} |`).join('\n');
}
