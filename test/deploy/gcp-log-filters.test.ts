import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it, vi } from 'vitest';
import { cloudLoggingLine } from '../../functions/gcp/gcp-runtime.ts';
import { CHECK_FAILED_MSG } from '../../shared/core/check.ts';

// The GCP alerts match fields of the function's log lines: each filter is checked against the line as the function's
// own logger writes it to stdout (Cloud Logging turns that JSON into jsonPayload), not against a field name typed twice.

const root = fileURLToPath(new URL('../../', import.meta.url));
type Json = Record<string, unknown>;

async function hcl(file: string): Promise<Json> {
  return (await parse(file, readFileSync(`${root}terraform/gcp/${file}`, 'utf8'))) as Json;
}

/** What cloudLoggingLine prints for `line`, parsed back. */
function written(line: Json): Json {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    cloudLoggingLine(line);
    return JSON.parse(String(spy.mock.calls[0]?.[0])) as Json;
  } finally {
    spy.mockRestore();
  }
}

/** Whether every `jsonPayload.a.b="v"` clause of a Logging filter holds for `payload` (other clauses are skipped). */
function matches(filter: string, payload: Json): boolean {
  const clauses = [...filter.matchAll(/jsonPayload\.([\w.]+)="([^"]*)"/g)];
  expect(clauses.length).toBeGreaterThan(0);
  return clauses.every(([, path, value]) => {
    const got = (path as string).split('.').reduce<unknown>((o, k) => (o as Json | undefined)?.[k], payload);
    return got === value;
  });
}

describe('GCP log-based alerts against the lines the function writes', () => {
  it('the decision filter and each outcome filter match a decision line of that outcome, and not another', async () => {
    const locals = ((await hcl('operations.tf')).locals as Json[])[0] as {
      decision_filter: string;
      outcome_alerts: Record<string, { filter: string }>;
    };
    const lines: Record<string, Json> = {
      moved: { level: 'info', msg: 'mirror-vip decision', outcome: 'moved', mirror: 'M' },
      failed: { level: 'error', msg: 'mirror-vip decision', outcome: 'failed', mirror: 'M' },
      noprimary: {
        level: 'warn',
        msg: 'mirror-vip decision',
        outcome: 'rejected',
        error: { code: 'no_primary', message: 'x' },
      },
    };
    for (const [name, alert] of Object.entries(locals.outcome_alerts)) {
      const filter = `${locals.decision_filter} AND ${alert.filter}`;
      expect(matches(filter, written(lines[name] as Json)), name).toBe(true);
      const other = Object.keys(lines).find((k) => k !== name) as string;
      expect(matches(filter, written(lines[other] as Json)), `${name} on a ${other} line`).toBe(false);
    }
    expect(matches(locals.decision_filter, written({ level: 'info', msg: 'something else' }))).toBe(false);
  });

  it('the failing-check metric matches the failing check line', async () => {
    const metric = ((await hcl('check.tf')).resource as Json).google_logging_metric as Record<string, Json[]>;
    const filter = String(metric.check_failed?.[0]?.filter);
    expect(matches(filter, written({ level: 'error', msg: CHECK_FAILED_MSG }))).toBe(true);
    expect(matches(filter, written({ level: 'info', msg: 'mirror-vip check passed' }))).toBe(false);
  });
});
