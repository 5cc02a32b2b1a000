import type { Config, MirrorConfig } from '../config/schema.ts';
import { asMirrorVipError, DecisionError } from '../errors.ts';
import { EVERY_MIRROR } from '../protocol/operator.ts';

export { EVERY_MIRROR };

import type { Provider } from '../providers/types.ts';
import { CallLog } from './calls.ts';
import { createCallContext } from './retry.ts';

/** `error` = the check could not run (a read failed), so nothing is known about what it guards. */
export const CHECK_STATUSES = ['pass', 'fail', 'error'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** One check of one resource, for one mirror and (when it matters) one member as the target of a move. */
export interface CheckFinding {
  mirror: string;
  /** The member as a possible target of a move; null for a mirror-wide check. */
  target: string | null;
  /** Stable id '<cloud>.<what>', e.g. 'aws.dryrun.ReplaceRoute', 'gcp.permission', 'aws.sourceDestCheck'. */
  check: string;
  status: CheckStatus;
  /** Id or name of the resource checked. */
  resource: string;
  /** What was seen. */
  reason: string;
  /** The missing action / policy statement / attribute to change; always set on fail. */
  fix?: string;
}

/** A whole preflight: ok only when every finding passes and no write call was made. */
export interface CheckReport {
  ok: boolean;
  findings: CheckFinding[];
  /** Write calls made by the check; anything but 0 is a bug (ok is then false). */
  writes: number;
}

/** The `msg` of the one structured log line a failing scheduled check writes; the deploy files' alarms match it. */
export const CHECK_FAILED_MSG = 'mirror-vip check failed';
export const CHECK_PASSED_MSG = 'mirror-vip check passed';

type Where = Pick<CheckFinding, 'mirror' | 'target' | 'check' | 'resource'>;

/** A passing finding. */
export const pass = (w: Where, reason: string): CheckFinding => ({ ...w, status: 'pass', reason });
/** A failing finding: the fix is required. */
export const fail = (w: Where, reason: string, fix: string): CheckFinding => ({ ...w, status: 'fail', reason, fix });
/** A check that could not run: the read that failed, in words. */
export const errored = (w: Where, e: unknown): CheckFinding => ({
  ...w,
  status: 'error',
  reason: `could not check: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500),
});

export interface CheckOptions {
  /** A mirror name, or EVERY_MIRROR (default). */
  mirror?: string;
  /** Collects every call of the run; its write count becomes the report's `writes`. */
  log?: CallLog;
}

/** Run every configured mirror's provider preflight (or one mirror's); never throws for a failing read. */
export async function runChecks(
  config: Config,
  providerFor: (mirror: MirrorConfig) => Provider,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const want = options.mirror ?? EVERY_MIRROR;
  const mirrors = want === EVERY_MIRROR ? config.mirrors : config.mirrors.filter((m) => m.name === want);
  if (mirrors.length === 0) throw new DecisionError('unknown_mirror', `mirror ${want} is not configured`, 404);
  const log = options.log ?? new CallLog();
  const per = await Promise.all(mirrors.map((m) => checkMirror(m, providerFor, log, config.deadlineMs)));
  const findings = per.flat();
  const writes = log.writes;
  return { ok: writes === 0 && findings.every((f) => f.status === 'pass'), findings, writes };
}

async function checkMirror(
  mirror: MirrorConfig,
  providerFor: (mirror: MirrorConfig) => Provider,
  log: CallLog,
  deadlineMs: number,
): Promise<CheckFinding[]> {
  const where = { mirror: mirror.name, target: null, check: `${mirror.cloud}.check`, resource: mirror.name };
  try {
    const provider = providerFor(mirror);
    if (!provider.check)
      return [{ ...where, status: 'error', reason: `the ${mirror.cloud} provider has no preflight check` }];
    const found = await provider.check(mirror, createCallContext(log, mirror.deadlineMs ?? deadlineMs));
    return found.length ? found : [{ ...where, status: 'error', reason: 'the preflight returned no finding' }];
  } catch (e: unknown) {
    return [errored(where, asMirrorVipError(e))];
  }
}

/** Counts by status, for logs and summaries. */
export function countFindings(r: CheckReport): Record<CheckStatus, number> {
  const n = { pass: 0, fail: 0, error: 0 };
  for (const f of r.findings) n[f.status]++;
  return n;
}

/** The one structured log line of a check run; `msg` is CHECK_FAILED_MSG when it did not pass. */
export function checkLogLine(r: CheckReport, trigger: string): Record<string, unknown> {
  const bad = r.findings.filter((f) => f.status !== 'pass');
  return {
    level: r.ok ? 'info' : 'error',
    msg: r.ok ? CHECK_PASSED_MSG : CHECK_FAILED_MSG,
    trigger,
    ...countFindings(r),
    writes: r.writes,
    // bounded: a log line stays readable and under the platforms' line limits
    findings: bad.slice(0, 20).map((f) => ({
      mirror: f.mirror,
      target: f.target,
      check: f.check,
      status: f.status,
      resource: f.resource,
      fix: f.fix,
    })),
  };
}

/** A readable notification of a failing check: a subject, each bad finding with its fix, then the JSON. */
export function formatCheckNotification(r: CheckReport, trigger: string): { subject: string; message: string } {
  const n = countFindings(r);
  const mirrors = [...new Set(r.findings.filter((f) => f.status !== 'pass').map((f) => f.mirror))];
  const subject = `mirror-vip check: ${n.fail} failing, ${n.error} not run (${mirrors.join(', ')})`
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 100);
  const lines = r.findings
    .filter((f) => f.status !== 'pass')
    .map(
      (f) =>
        `${f.status.toUpperCase()} ${f.mirror}${f.target ? ` -> ${f.target}` : ''} ${f.check} ${f.resource}: ${f.reason}${f.fix ? `\n  fix: ${f.fix}` : ''}`,
    );
  const head = `The preflight check (${trigger}) found what would stop or weaken a failover. ${n.pass} passed.`;
  return { subject, message: [head, '', ...lines, '', 'Full report (JSON):', JSON.stringify(r, null, 2)].join('\n') };
}

export interface ScheduledCheckDeps {
  config: Config;
  providerFor: (mirror: MirrorConfig) => Provider;
  /** The function's notification channel (SNS, Pub/Sub, ...); failures to publish are logged, never thrown. */
  notify?: (subject: string, message: string) => Promise<void>;
  log: (line: Record<string, unknown>) => void;
}

/** A scheduled or cold-start check: one structured log line always; a notification when it does not pass. */
export async function runScheduledCheck(deps: ScheduledCheckDeps, trigger: string): Promise<CheckReport> {
  const report = await runChecks(deps.config, deps.providerFor);
  deps.log(checkLogLine(report, trigger));
  if (!report.ok && deps.notify) {
    const { subject, message } = formatCheckNotification(report, trigger);
    await deps
      .notify(subject, message)
      .catch((e: unknown) =>
        deps.log({ level: 'error', msg: 'mirror-vip check notification failed', error: String(e) }),
      );
  }
  return report;
}
