import { DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Config, MirrorConfig } from '../shared/config/schema.ts';
import { CallLog } from '../shared/core/calls.ts';
import { type ProbeResult, probeMember } from '../shared/core/health.ts';
import { currentHolder, pointsAt } from '../shared/core/plan.ts';
import { createCallContext } from '../shared/core/retry.ts';
import { MirrorVipError } from '../shared/errors.ts';
import type { Binding } from '../shared/providers/types.ts';
import { cliProviders } from './providers.ts';

/**
 * Exit codes of `status` (a monitoring check) and `plan`; several mirrors → the most severe. 1 is any error (a
 * configuration or cloud API failure), 2 a usage error.
 */
import { STATUS_EXIT, type Verdict } from './status-codes.ts';

export { STATUS_EXIT, type Verdict };

const SEVERITY: Verdict[] = ['unreachable', 'split', 'severalPrimaries', 'noPrimary', 'mismatch', 'ok'];

export interface MemberProbe {
  role: ProbeResult['role'];
  reason?: string;
}

export interface MirrorStatus {
  mirror: string;
  cloud: string;
  holder: string | null;
  primary: string | null;
  verdict: Verdict;
  why: string;
  members: Record<string, MemberProbe>;
  bindings: (Binding & { pointsAt: string | null; address: string })[];
  warnings: Record<string, string[]>;
}

/** Why a probe did not say primary or backup, in words an operator can act on. */
export function probeReason(p: ProbeResult, url: string, timeoutMs: number): string | undefined {
  if (p.role === 'primary' || p.role === 'backup') return undefined;
  const host = new URL(url).host;
  if (p.role === 'unknown') return `${host} answered HTTP ${p.status ?? '?'}${p.detail ? `: ${p.detail}` : ''}`;
  if (p.detail === 'TimeoutError') return `no answer from ${host} within ${timeoutMs} ms`;
  return `cannot connect to ${host} (${p.detail ?? 'error'})`;
}

/** The mirror's state as a check: the VIP on the sole primary, or what is wrong. */
export function verdictOf(
  holder: string | null,
  members: Record<string, MemberProbe>,
): { verdict: Verdict; why: string } {
  const roles = Object.entries(members);
  const primaries = roles.filter(([, p]) => p.role === 'primary').map(([n]) => n);
  if (roles.every(([, p]) => p.role === 'down')) {
    return {
      verdict: 'unreachable',
      why: 'no member answered: this machine cannot reach the health URLs (try `mirror-vip inspect`, which asks the function)',
    };
  }
  if (holder === 'split') return { verdict: 'split', why: 'the VIP bindings point at different places' };
  if (primaries.length > 1)
    return { verdict: 'severalPrimaries', why: `several members answer primary: ${primaries.join(', ')}` };
  if (primaries.length === 0) return { verdict: 'noPrimary', why: 'no member answers primary' };
  if (holder !== primaries[0])
    return { verdict: 'mismatch', why: `the VIP is on ${holder ?? 'nothing'}, the primary is ${primaries[0]}` };
  return { verdict: 'ok', why: `the VIP is on the sole primary ${holder}` };
}

/** The most severe verdict of several mirrors, as the exit code. */
export function statusExitCode(s: Pick<MirrorStatus, 'verdict'>[]): number {
  const worst = SEVERITY.find((v) => s.some((m) => m.verdict === v)) ?? 'ok';
  return STATUS_EXIT[worst];
}

/** Public addresses as addresses: an Elastic IP's public IP, a GCP access config's external address. */
async function addressOf(m: MirrorConfig, b: Binding): Promise<string> {
  if (m.cloud === 'aws' && b.mode === 'eip') {
    const ec2 = new EC2Client({ region: m.region, maxAttempts: 3 });
    const r = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [b.slot] }));
    return r.Addresses?.[0]?.PublicIp ?? b.slot;
  }
  if (m.cloud === 'gcp' && b.slot === 'access-config') {
    const v = m.vips.find((x) => x.cidr === b.vip && x.mode === 'alias-ip');
    if (v && 'accessConfig' in v && v.accessConfig) return v.accessConfig.natIP;
  }
  return b.vip.replace(/\/32$/, '');
}

/** Where each VIP points now and what each member's health endpoint says: read-only. */
export async function mirrorStatus(config: Config, only?: string): Promise<MirrorStatus[]> {
  if (only !== undefined && !config.mirrors.some((m) => m.name === only)) {
    throw new MirrorVipError(
      'unknown_mirror',
      `mirror ${only} is not in the configuration (${config.mirrors.map((m) => m.name).join(', ')})`,
    );
  }
  const providerFor = cliProviders();
  const mirrors = config.mirrors.filter((m) => only === undefined || m.name === only);
  return Promise.all(
    mirrors.map(async (m: MirrorConfig) => {
      const ctx = createCallContext(new CallLog(), config.deadlineMs);
      // Observe first, then probe. The first observe loads the cloud's SDK and builds its client, which blocks this
      // process for one to three seconds (measured for @google-cloud/compute: import 1.5-2.6 s, InstancesClient
      // 0.9-1.6 s): probes running alongside would spend their 500 ms timeout on that and read the members as down.
      const observed = await providerFor(m).observe(m, ctx);
      const probes = await Promise.all(
        m.members.map((mem) => probeMember(mem.healthUrl, m.health.timeoutMs, m.health.probe)),
      );
      const members = Object.fromEntries(
        m.members.map((mem, i) => {
          const p = probes[i] as ProbeResult;
          return [mem.name, { role: p.role, reason: probeReason(p, mem.healthUrl, m.health.timeoutMs) }];
        }),
      );
      const holder = currentHolder(observed);
      const primaries = Object.entries(members).filter(([, p]) => p.role === 'primary');
      const bindings = await Promise.all(
        observed.bindings.map(async (b) => ({ ...b, pointsAt: pointsAt(b), address: await addressOf(m, b) })),
      );
      return {
        mirror: m.name,
        cloud: m.cloud,
        holder,
        primary: primaries.length === 1 ? (primaries[0]?.[0] ?? null) : null,
        ...verdictOf(holder, members),
        members,
        bindings,
        warnings: observed.memberWarnings,
      };
    }),
  );
}
