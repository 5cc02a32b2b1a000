import { expect } from 'vitest';
import { drillLinks, drillNamespaces } from '../../drill/netns.ts';
import { MARKS, type RunResult } from '../../drill/run.ts';

/** What every cloud's drill must show: traffic moved A → B, only primaries answered, milestones in order, nothing left. */
export function expectFailover(r: RunResult | undefined): RunResult {
  if (!r) throw new Error('the drill returned no run');
  expect(r.answeredBy).toEqual(['iris-a', 'iris-b']);
  expect(r.wrongAnswers).toBe(0);
  // the client saw an outage: failed attempts between the last answer of iris-a and the first of iris-b
  expect(r.attempts.some((a) => !a.ok && a.t0 > r.killAt)).toBe(true);
  expect(r.outageMs).toBeGreaterThan(0);
  const ordered = ['detected', 'promoted', 'notified', 'decided', 'written'] as const;
  for (const m of MARKS) expect(r.marks[m], m).toBeDefined();
  for (let i = 1; i < ordered.length; i++)
    expect(r.marks[ordered[i] ?? 'written']).toBeGreaterThanOrEqual(r.marks[ordered[i - 1] ?? 'detected'] ?? 0);
  expect(drillNamespaces(r.topologyId)).toEqual([]);
  expect(drillLinks(r.topologyId)).toEqual([]);
  return r;
}

/** One line a reader of the test output can compare across runs. */
export function printOutage(r: RunResult): void {
  const marks = Object.entries(r.marks)
    .map(([k, v]) => `${k} ${Math.round(v ?? 0)}`)
    .join(', ');
  console.log(
    `${r.cloud} drill (${r.variant}, scaled): client outage ${Math.round(r.outageMs)} ms; ms after kill: ${marks}`,
  );
}
