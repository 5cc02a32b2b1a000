import { type Command, InvalidArgumentError, Option } from 'commander';
import { MirrorVipError } from '../shared/errors.ts';

const VARIANT_NAMES = ['mirror-vip', 'seed', 'notify-failed'] as const;
const CLOUD_NAMES = ['aws', 'gcp', 'azure', 'oci'] as const;
/** Each cloud's other mode (drill/clouds/index.ts DRILL_MODES): asked for by name, not run by default. */
const MODE_NAMES = ['aws-eip', 'gcp-route', 'azure-route', 'oci-route'] as const;

const positive = (max: number, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n)))
    throw new InvalidArgumentError(`must be a ${integer ? 'whole ' : ''}number above 0, at most ${max}`);
  return n;
};

/** `mirror-vip drill`: the failover drill on real network namespaces (root only); the same as `npm run drill`. */
export function registerDrill(cli: Command): void {
  cli
    .command('drill')
    .description(
      'kill the primary on namespaced members and measure the outage a client sees (root; see docs/drill.md)',
    )
    .addOption(
      new Option('--cloud <cloud...>', 'clouds to drill')
        .choices([...CLOUD_NAMES, ...MODE_NAMES])
        .default([...CLOUD_NAMES]),
    )
    .addOption(new Option('--variant <variant...>', 'what the new primary does').choices(VARIANT_NAMES))
    .addOption(
      new Option('--runs <n>', 'runs per variant (≥ 5 for the figures)').argParser(positive(100, true)).default(5),
    )
    .addOption(
      new Option('--scale <factor>', 'multiply every profile duration (1 = real scale)')
        .argParser(positive(10, false))
        .default(1),
    )
    .addOption(
      new Option('--members <kind>', 'the stand-ins: IRIS, or Patroni read through GET /primary')
        .choices(['iris', 'patroni'])
        .default('iris'),
    )
    .option('--svg <file>', 'timeline picture of the first cloud (others get -<cloud>)', 'docs/drill-timeline.svg')
    .option('--out <file>', 'figures as JSON (and .md next to it)', 'drill/results/latest.json')
    .action(async (o) => {
      if (process.getuid?.() !== 0)
        throw new MirrorVipError('drill_root', 'the drill creates network namespaces: run it as root');
      const { DEFAULT_COMMAND, drillCommand } = await import('../drill/main.ts');
      const { resolve } = await import('node:path');
      await drillCommand({
        ...DEFAULT_COMMAND,
        clouds: o.cloud,
        runs: o.runs,
        scale: o.scale,
        variants: o.variant ?? DEFAULT_COMMAND.variants,
        members: o.members,
        svg: resolve(o.svg),
        out: resolve(o.out),
      });
    });
}
