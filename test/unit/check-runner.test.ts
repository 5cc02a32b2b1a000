import { describe, expect, it } from 'vitest';
import type { Config, MirrorConfig } from '../../shared/config/schema.ts';
import {
  CHECK_FAILED_MSG,
  type CheckFinding,
  checkLogLine,
  fail,
  pass,
  runChecks,
  runScheduledCheck,
} from '../../shared/core/check.ts';
import type { FailoverEngine } from '../../shared/core/engine.ts';
import { handleOperator } from '../../shared/core/operator.ts';
import { call as cloudCall } from '../../shared/core/retry.ts';
import { operatorRequest } from '../../shared/protocol/operator.ts';
import type { Provider } from '../../shared/providers/types.ts';

// The runner and the operator action on a provider whose preflight is scripted; the clouds' checkers are
// proven against their emulators (test/aws/check*.test.ts, test/gcp/check*.test.ts).
const config = {
  mirrors: [
    { name: 'A', cloud: 'aws', deadlineMs: 25_000 },
    { name: 'B', cloud: 'gcp', deadlineMs: 90_000 },
  ],
  deadlineMs: 90_000,
  toleranceSeconds: 300,
} as unknown as Config;

const where = (m: string) => ({ mirror: m, target: 'm1', check: 'x.thing', resource: 'r-1' });

function provider(findings: (m: MirrorConfig) => CheckFinding[], writes = 0): Provider {
  return {
    observe: async () => ({ bindings: [], memberWarnings: {} }),
    apply: async () => ({ results: [] }),
    check: async (m, ctx) => {
      await cloudCall(ctx, 'Describe', false, async () => 1);
      for (let i = 0; i < writes; i++) await cloudCall(ctx, 'Write', true, async () => 1);
      return findings(m);
    },
  };
}

describe('runChecks', () => {
  it('every mirror by default; ok when every finding passes and nothing was written', async () => {
    const r = await runChecks(config, () => provider((m) => [pass(where(m.name), 'fine')]));
    expect(r).toMatchObject({ ok: true, writes: 0 });
    expect(r.findings.map((f) => f.mirror)).toEqual(['A', 'B']);
  });

  it('one mirror by name; an unknown name is refused 404', async () => {
    const p = () => provider((m) => [pass(where(m.name), 'fine')]);
    expect((await runChecks(config, p, { mirror: 'B' })).findings.map((f) => f.mirror)).toEqual(['B']);
    await expect(runChecks(config, p, { mirror: 'C' })).rejects.toMatchObject({ code: 'unknown_mirror', status: 404 });
  });

  it('a failing finding, a throwing checker (error) and a missing checker (error) all make ok false', async () => {
    const r = await runChecks(config, (m) =>
      m.name === 'A'
        ? provider(() => [fail(where('A'), 'seen', 'do this')])
        : { ...provider(() => []), check: async () => Promise.reject(new Error('read refused')) },
    );
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => [f.mirror, f.status, f.fix])).toEqual([
      ['A', 'fail', 'do this'],
      ['B', 'error', undefined],
    ]);
    expect(r.findings[1]?.reason).toContain('read refused');
    const none = await runChecks(config, () => ({ observe: provider(() => []).observe, apply: async () => undefined }));
    expect(none.findings.map((f) => [f.check, f.status])).toEqual([
      ['aws.check', 'error'],
      ['gcp.check', 'error'],
    ]);
  });

  it('a checker that writes is counted and never ok', async () => {
    const r = await runChecks(config, () => provider((m) => [pass(where(m.name), 'fine')], 1));
    expect(r).toMatchObject({ ok: false, writes: 2 });
  });
});

describe('the scheduled check', () => {
  it('failing: one structured line with the failed msg and one notification naming the fix', async () => {
    const lines: Record<string, unknown>[] = [];
    const sent: string[] = [];
    const r = await runScheduledCheck(
      {
        config,
        providerFor: () => provider((m) => [fail(where(m.name), 'seen', 'grant ec2:ReplaceRoute')]),
        notify: async (s, m) => {
          sent.push(`${s}\n${m}`);
        },
        log: (l) => lines.push(l),
      },
      'schedule',
    );
    expect(r.ok).toBe(false);
    expect(lines).toEqual([checkLogLine(r, 'schedule')]);
    expect(lines[0]).toMatchObject({ level: 'error', msg: CHECK_FAILED_MSG, fail: 2, pass: 0, error: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('fix: grant ec2:ReplaceRoute');
  });

  it('passing: the passed line and no notification', async () => {
    const lines: Record<string, unknown>[] = [];
    let sent = 0;
    await runScheduledCheck(
      {
        config,
        providerFor: () => provider((m) => [pass(where(m.name), 'fine')]),
        notify: async () => {
          sent++;
        },
        log: (l) => lines.push(l),
      },
      'cold-start',
    );
    expect(sent).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'mirror-vip check passed', trigger: 'cold-start' });
  });
});

describe('the operator action check', () => {
  const secret = 'x'.repeat(43);
  const deps = {
    config,
    engine: {} as FailoverEngine,
    operatorKeys: new Map([['ops', { id: 'ops', member: 'ops', secret }]]),
    providerFor: () => provider((m) => [pass(where(m.name), 'fine')]),
  };
  const send = (action: 'check' | 'inspect', mirror: string, id: string) => {
    const { body, headers } = operatorRequest({ requestId: id.padEnd(16, '0'), action, mirror }, 'ops', secret);
    return handleOperator(deps as never, { rawBody: body, headers }, new Set());
  };

  it("'*' checks every mirror; a name checks one", async () => {
    const every = await send('check', '*', 'req-every');
    expect(every.status).toBe(200);
    expect(every.body).toMatchObject({ ok: true, action: 'check', mirror: '*', report: { ok: true, writes: 0 } });
    expect((every.body.report as { findings: unknown[] }).findings).toHaveLength(2);
    const one = await send('check', 'B', 'req-one');
    expect((one.body.report as { findings: CheckFinding[] }).findings.map((f) => f.mirror)).toEqual(['B']);
  });

  it("'*' with another action is refused 400 naming the rule; an unknown mirror 404", async () => {
    const star = await send('inspect', '*', 'req-star');
    expect(star.status).toBe(400);
    expect(star.body).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(JSON.stringify(star.body)).toContain('check only');
    expect((await send('check', 'Z', 'req-unknown')).status).toBe(404);
  });
});
