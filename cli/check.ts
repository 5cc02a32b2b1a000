import type { Command } from 'commander';
import { type CheckReport, countFindings, EVERY_MIRROR } from '../shared/core/check.ts';
import { table } from './inspect.ts';
import { NotifyError } from './notify-settings.ts';
import { operatorOptions, postOperator } from './operator.ts';

/** Exit codes of `mirror-vip check`: a fail outranks a check that could not run. */
export const CHECK_EXIT = { pass: 0, fail: 1, usage: 2, keyFile: 3, couldNotRun: 4 } as const;

const checkHelp = `
Exit codes: 0 every check passes, 1 some check fails (each with its fix), 2 usage, 3 key file,
4 could not run (no answer, the function refused the request, or a check whose read failed and none failing).`;

/** Each finding on one row, then every fix; passes are counted, not listed, unless --all. */
export function checkText(r: CheckReport, all = false): string {
  const shown = r.findings.filter((f) => all || f.status !== 'pass');
  const rows = [
    ['STATUS', 'MIRROR', 'TARGET', 'CHECK', 'RESOURCE', 'WHAT WAS SEEN'],
    ...shown.map((f) => [f.status.toUpperCase(), f.mirror, f.target ?? '-', f.check, f.resource, f.reason]),
  ];
  const n = countFindings(r);
  const fixes = shown.filter((f) => f.fix).map((f) => `fix (${f.check} ${f.resource}): ${f.fix}`);
  const head = `${n.pass} pass, ${n.fail} fail, ${n.error} could not run; ${r.writes} write calls`;
  return [shown.length ? table(rows) : 'every check passes', '', ...fixes, head].join('\n');
}

/** The exit code of a report. */
export function checkExitCode(r: CheckReport): number {
  const n = countFindings(r);
  if (n.fail > 0 || r.writes > 0) return CHECK_EXIT.fail;
  return n.error > 0 ? CHECK_EXIT.couldNotRun : CHECK_EXIT.pass;
}

/** `mirror-vip check`: the deployed function runs the preflight with its own identity and answers the report. */
export function addCheckCommand(cli: Command): void {
  operatorOptions(
    cli
      .command('check')
      .description(
        "ask the deployed function to prove every mirror's failover path with its own identity (zero writes)",
      )
      .option('--mirror <name>', `one mirror (default ${EVERY_MIRROR}: every mirror)`, EVERY_MIRROR),
  )
    .option('--all', 'list passing checks too')
    .addHelpText('after', checkHelp)
    .action(async (o) => {
      const { status, ok, answer } = await postOperator('check', o);
      const report = answer.report as CheckReport | undefined;
      if (!ok || !report) {
        const err = answer.error as { code?: string; message?: string } | undefined;
        if (o.json) console.log(JSON.stringify(answer));
        throw new NotifyError(
          CHECK_EXIT.couldNotRun,
          `check could not run: HTTP ${status} ${err?.code ?? ''} (${err?.message ?? ''})`,
        );
      }
      console.log(o.json ? JSON.stringify(report) : checkText(report, !!o.all));
      process.exitCode = checkExitCode(report);
    });
}
