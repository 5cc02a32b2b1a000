import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../shared/config/load.ts';
import type { Config, MirrorConfig } from '../shared/config/schema.ts';
import { CallLog } from '../shared/core/calls.ts';
import { FailoverEngine } from '../shared/core/engine.ts';
import { type MemberRole, probeMember } from '../shared/core/health.ts';
import { currentHolder, pointsAt } from '../shared/core/plan.ts';
import { createCallContext } from '../shared/core/retry.ts';
import type { Binding } from '../shared/providers/types.ts';
import { cliProviders } from './providers.ts';

export function readConfig(path: string | undefined): Config {
  return loadConfig(path ? { MIRROR_VIP_CONFIG_FILE: path } : process.env);
}

/** The configuration with only the mirrors of one cloud (all when none is named); none left is an error. */
export function onlyCloud(config: Config, cloud: MirrorConfig['cloud'] | undefined): Config {
  if (!cloud) return config;
  const mirrors = config.mirrors.filter((m) => m.cloud === cloud);
  if (mirrors.length === 0) throw new InvalidArgumentError(`no ${cloud} mirror in the configuration`);
  return { ...config, mirrors };
}

export interface MirrorStatus {
  mirror: string;
  cloud: string;
  holder: string | null;
  members: Record<string, MemberRole>;
  bindings: (Binding & { pointsAt: string | null })[];
  warnings: Record<string, string[]>;
}

/** Where each VIP points now and what each member's health endpoint says: read-only. */
export async function mirrorStatus(config: Config, only?: string): Promise<MirrorStatus[]> {
  const providerFor = cliProviders();
  const mirrors = config.mirrors.filter((m) => only === undefined || m.name === only);
  return Promise.all(
    mirrors.map(async (m: MirrorConfig) => {
      const ctx = createCallContext(new CallLog(), config.deadlineMs);
      const [observed, roles] = await Promise.all([
        providerFor(m).observe(m, ctx),
        Promise.all(m.members.map((mem) => probeMember(mem.healthUrl, m.health.timeoutMs))),
      ]);
      return {
        mirror: m.name,
        cloud: m.cloud,
        holder: currentHolder(observed),
        members: Object.fromEntries(m.members.map((mem, i) => [mem.name, roles[i]?.role ?? 'unknown'])),
        bindings: observed.bindings.map((b) => ({ ...b, pointsAt: pointsAt(b) })),
        warnings: observed.memberWarnings,
      };
    }),
  );
}

/** The plan a move to `to` would execute now (observe only, no write). */
export async function mirrorPlan(config: Config, mirror: string, to: string) {
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: cliProviders() });
  return engine.plan(mirror, to);
}

/** A plain table: columns padded to the widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function statusTable(s: MirrorStatus[]): string {
  const rows = [['MIRROR', 'VIP', 'MODE', 'WHERE', 'POINTS AT', 'PRIMARY?']];
  for (const m of s) {
    for (const b of m.bindings) {
      const to = b.pointsAt ?? '(nothing)';
      rows.push([m.mirror, b.vip, b.mode, b.slot, to, b.holder ? (m.members[b.holder] ?? '?') : '-']);
    }
  }
  const members = s.map(
    (m) =>
      `${m.mirror}: ${Object.entries(m.members)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}; VIP on ${m.holder ?? 'nothing'}`,
  );
  // what the provider observed that would block or weaken a move to a member (e.g. a second external IP on GCP)
  const warnings = s.flatMap((m) =>
    Object.entries(m.warnings).flatMap(([member, ws]) => ws.map((w) => `warning (${member}): ${w}`)),
  );
  return [`${table(rows)}\n\n${members.join('\n')}`, ...warnings].join('\n');
}
