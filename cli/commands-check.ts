import { type Command, InvalidArgumentError, Option } from 'commander';
import type { MirrorConfig } from '../shared/config/schema.ts';
import { probeMember } from '../shared/core/health.ts';
import { MirrorVipError } from '../shared/errors.ts';
import { keygen, keygenText, newKey, SECRET_STORES } from './keygen.ts';
import type { MirrorStatus } from './status.ts';
import { STATUS_EXIT } from './status-codes.ts';
import { table } from './table.ts';

// inspect.ts and status.ts load the engine and the cloud SDKs: imported by the commands that run them, not by keygen
const inspect = () => import('./inspect.ts');
const status = () => import('./status.ts');

const CLOUDS = ['aws', 'gcp', 'azure', 'oci'];

/** The status table: one row per binding with its address, then each member's role and why a probe failed. */
export function statusTable(s: MirrorStatus[]): string {
  const rows = [['MIRROR', 'VIP', 'ADDRESS', 'MODE', 'WHERE', 'POINTS AT', 'ITS ROLE']];
  for (const m of s) {
    for (const b of m.bindings) {
      const role = b.holder ? (m.members[b.holder]?.role ?? '?') : '-';
      rows.push([m.mirror, b.vip, b.address, b.mode, b.slot, b.pointsAt ?? '(nothing)', role]);
    }
  }
  const lines = s.flatMap((m) => [
    `${m.mirror}: ${m.verdict.toUpperCase()} (exit ${STATUS_EXIT[m.verdict]}): ${m.why}`,
    ...Object.entries(m.members).map(([n, p]) => `  ${n}: ${p.role}${p.reason ? ` (${p.reason})` : ''}`),
  ]);
  // what the provider observed that would block or weaken a move to a member (e.g. a second external IP on GCP)
  const warnings = s.flatMap((m) =>
    Object.entries(m.warnings).flatMap(([member, ws]) => ws.map((w) => `warning (${member}): ${w}`)),
  );
  return [`${table(rows)}\n\n${lines.join('\n')}`, ...warnings].join('\n');
}

const statusHelp = `
Exit codes (the most severe mirror wins): 0 the VIP is on the sole primary, 1 error, 2 usage,
3 mismatch (VIP not on the primary), 4 split (bindings disagree), 5 no member answers primary,
6 several members answer primary, 7 unreachable (no member answered this machine's probes).`;

/** status and plan: read-only checks a monitoring system can run. */
export function addCheckCommands(cli: Command): void {
  cli
    .command('status')
    .description('where each VIP points now and which member answers primary (read-only; a monitoring check)')
    .option('--config <file>', 'configuration document (else MIRROR_VIP_CONFIG / MIRROR_VIP_CONFIG_FILE)')
    .option('--mirror <name>', 'only this mirror')
    .addOption(new Option('--cloud <cloud>', 'only mirrors of this cloud').choices(CLOUDS))
    .option('--json', 'print JSON')
    .addHelpText('after', statusHelp)
    .action(async (o) => {
      const [{ onlyCloud, readConfig, withProbeSecrets }, { mirrorStatus, statusExitCode }] = await Promise.all([
        inspect(),
        status(),
      ]);
      const s = await mirrorStatus(await withProbeSecrets(onlyCloud(readConfig(o.config), o.cloud)), o.mirror);
      console.log(o.json ? JSON.stringify(s, null, 2) : statusTable(s));
      process.exitCode = statusExitCode(s);
    });
  cli
    .command('plan')
    .description('the plan the function would execute to move the VIP to a member, without executing it')
    .option('--config <file>', 'configuration document (else MIRROR_VIP_CONFIG / MIRROR_VIP_CONFIG_FILE)')
    .requiredOption('--to <member>', 'the member that should hold the VIP')
    .option('--mirror <name>', 'the mirror (default: the only one configured)')
    .addOption(new Option('--cloud <cloud>', 'only mirrors of this cloud').choices(CLOUDS))
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 the function would make this plan, 1 error, 2 usage, 8 the function would refuse.',
    )
    .action(async (o) => {
      const { mirrorPlan, onlyCloud, readConfig, withProbeSecrets } = await inspect();
      const config = onlyCloud(readConfig(o.config), o.cloud);
      const name = o.mirror ?? (config.mirrors.length === 1 ? config.mirrors[0]?.name : undefined);
      if (!name) throw new InvalidArgumentError('several mirrors are configured: name one with --mirror');
      const { result } = await mirrorPlan(config, name, o.to);
      if (!result.ok) throw new MirrorVipError(result.error?.code ?? 'error', result.error?.message ?? 'failed');
      const mirror = config.mirrors.find((m) => m.name === name);
      const refusal = mirror
        ? await wouldRefuse((await withProbeSecrets({ ...config, mirrors: [mirror] })).mirrors[0] ?? mirror, o.to)
        : undefined;
      if (o.json) console.log(JSON.stringify({ ...result, wouldRefuse: refusal ?? null }, null, 2));
      else {
        const rows = [
          ['VIP', 'MODE', 'WHERE', 'FROM', 'TO'],
          ...(result.plan ?? []).map((c) => [c.vip, c.mode, c.slot, c.from ?? '(nothing)', c.to]),
        ];
        console.log(result.plan?.length ? table(rows) : `nothing to do: every VIP of ${name} is on ${o.to}`);
        for (const w of result.warnings) console.log(`warning: ${w}`);
        if (refusal) console.log(`the function would refuse this move: ${refusal}`);
      }
      if (refusal) process.exitCode = 8;
    });
  cli
    .command('keygen')
    .description('a new member key: the secret goes to a new mode-600 file; prints how to store and use it')
    .addOption(
      new Option('--cloud <cloud>', 'where the function reads its keys')
        .choices(Object.keys(SECRET_STORES))
        .makeOptionMandatory(),
    )
    .requiredOption('--mirror <name>', 'mirror name')
    .requiredOption('--member <name>', 'member the key speaks for')
    .requiredOption('--out <file>', 'new file for the secret (mode 600; never overwritten)')
    .option('--key-id <id>', 'key id (default <member>-<yyyy>-<mm>-<random>)')
    .option('--region <region>', 'AWS: region of the parameter')
    .option(
      '--prefix <path>',
      'AWS: parameter prefix (default /mirror-vip/); Azure: name_prefix of terraform/azure (default mirror-vip)',
    )
    .option('--project <id>', 'GCP: project of the secret')
    .option('--vault <name>', 'Azure: the Key Vault (terraform output key_vault_name)')
    .option('--secret-id <ocid>', 'OCI: the Vault secret terraform made for this key (output vault_secrets)')
    .option('--json', 'print the answer as JSON (never the secret)')
    .action((o) => {
      const k = newKey(o.member);
      const answer = keygen({ ...o, keyId: o.keyId ?? k.keyId }, k.secret);
      console.log(o.json ? JSON.stringify(answer) : keygenText(answer));
    });
}

/** Why the function would refuse a move to `to` now (health probes on): it moves only to the sole primary. */
async function wouldRefuse(mirror: MirrorConfig, to: string) {
  if (!mirror.health.enabled) return undefined;
  const probes = await Promise.all(
    mirror.members.map(async (m) => ({
      m,
      p: await probeMember(m.healthUrl, mirror.health.timeoutMs, mirror.health.probe),
    })),
  );
  const primaries = probes.filter((x) => x.p.role === 'primary').map((x) => x.m.name);
  const target = probes.find((x) => x.m.name === to);
  const { probeReason } = await status();
  if (primaries.length === 1 && primaries[0] === to) return undefined;
  if (target && target.p.role !== 'primary') {
    const why = probeReason(target.p, target.m.healthUrl, mirror.health.timeoutMs);
    return `${to} answers ${target.p.role}${why ? ` (${why})` : ''}; the function moves the VIP only to the sole member answering primary`;
  }
  return `several members answer primary (${primaries.join(', ')}); the function makes no move then`;
}
