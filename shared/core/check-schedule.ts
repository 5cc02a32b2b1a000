import { type CheckReport, runScheduledCheck, type ScheduledCheckDeps } from './check.ts';

/**
 * A function instance's scheduled and cold-start preflight. `coldStart()` runs the check once per instance (later
 * calls resolve at once); a function calls it on asynchronous invocations only, so a member's event never waits.
 * A scheduled run also counts as the instance's cold-start run.
 */
export function checkRunner(deps: ScheduledCheckDeps) {
  let first: Promise<void> | undefined;
  return {
    scheduled(): Promise<CheckReport> {
      const run = runScheduledCheck(deps, 'schedule');
      first ??= run.then(() => undefined);
      return run;
    },
    coldStart(): Promise<void> {
      // a check that cannot run is already a finding; nothing here may fail the invocation that carries it
      first ??= runScheduledCheck(deps, 'cold-start').then(
        () => undefined,
        (e: unknown) => deps.log({ level: 'error', msg: 'mirror-vip check could not run', error: String(e) }),
      );
      return first;
    },
  };
}
