/**
 * Per-cloud time budgets, from published figures (README "Deadlines and timeouts", docs/emulators.md):
 * - `deadlineMs`: the default time one invocation may spend converging (probes, observe, writes, read-back).
 * - `operationMs`: how long one write operation may take at the slow end; a move whose removal and addition do not
 *   fit in the time left is not started, so a deadline never strands the VIP between the two.
 * - `commitGraceMs`: once a removal was sent, its completion and the addition may run this far past the deadline
 *   (never abandoned half way); shared/providers/budget.ts.
 * - `functionTimeoutS`: the platform timeout to deploy with: at least deadline + grace + 5 s for the read-back and reply
 *   (test/gcp/timing.test.ts); GCP leaves 30 s, Azure 50 s, AWS 5 s, OCI 10 s.
 */
export interface CloudTiming {
  deadlineMs: number;
  operationMs: number;
  commitGraceMs: number;
  functionTimeoutS: number;
}

export const CLOUD_TIMING: Readonly<Record<string, CloudTiming>> = {
  // EC2 ReplaceRoute / AssociateAddress are synchronous single calls (no remove-then-add): nothing to commit.
  aws: { deadlineMs: 25_000, operationMs: 2_000, commitGraceMs: 0, functionTimeoutS: 30 },
  // Seed 000: 5-20 s for the private VIP (two operations), up to a minute with the public one (three serial
  // operations at one per instance): 20 s per operation, 60 s for the public move, plus probes and reads.
  gcp: { deadlineMs: 90_000, operationMs: 20_000, commitGraceMs: 60_000, functionTimeoutS: 180 },
  // UpdatePrivateIp is synchronous (one atomic write); the public IP's ASSIGNING → ASSIGNED is watched (docs/oci.md).
  oci: { deadlineMs: 50_000, operationMs: 10_000, commitGraceMs: 0, functionTimeoutS: 60 },
  // Seed 001 and F5 CFE: 5-20 s per NIC update, 40-85 s per failover; the HTTP front end answers within 230 s. NIC
  // updates are LROs, break-before-make (remove the ip-configuration, then add it): 30 s per update at the slow end.
  // The grace covers the add and a separate public-IP attach (2 x 30 s) even when the removal's LRO used all the
  // time left: 120 s + 60 s + 30 s for the read-back and reply = 210 s, 20 s inside the 230 s limit.
  azure: { deadlineMs: 120_000, operationMs: 30_000, commitGraceMs: 60_000, functionTimeoutS: 230 },
};

/** For a cloud without its own line yet: the longest budgets known. */
const FALLBACK: CloudTiming = { deadlineMs: 90_000, operationMs: 20_000, commitGraceMs: 60_000, functionTimeoutS: 180 };

/** The timing of one mirror: its own deadlineMs / operationMs when configured, else its cloud's defaults. */
export function timingOf(mirror: { cloud: string; deadlineMs?: number; operationMs?: number }): CloudTiming {
  const base = CLOUD_TIMING[mirror.cloud] ?? FALLBACK;
  return {
    ...base,
    deadlineMs: mirror.deadlineMs ?? base.deadlineMs,
    operationMs: mirror.operationMs ?? base.operationMs,
  };
}

/**
 * Fill each mirror's deadline (its own, else the document's `deadlineMs`, else its cloud's default) and the
 * document's `deadlineMs` (given, else the longest mirror deadline) so an engine reading either gets enough time.
 */
export function resolveDeadlines<C extends { deadlineMs?: number; mirrors: { cloud: string; deadlineMs?: number }[] }>(
  c: C,
): C & { deadlineMs: number } {
  const mirrors = c.mirrors.map((m) => ({ ...m, deadlineMs: m.deadlineMs ?? c.deadlineMs ?? timingOf(m).deadlineMs }));
  const deadlineMs = c.deadlineMs ?? Math.max(...mirrors.map((m) => m.deadlineMs));
  return { ...c, mirrors: mirrors as C['mirrors'], deadlineMs };
}
