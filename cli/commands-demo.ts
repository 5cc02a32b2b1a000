import { type Command, InvalidArgumentError, Option } from 'commander';
import { checkDemoFlags } from './demo-serve.ts';

const int = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  return n;
};

/** `mirror-vip demo`: a failover on an emulated cloud; the emulators and bundles load only when it runs. */
export function registerDemo(cli: Command): void {
  cli
    .command('demo')
    .description('play a failover on an emulated cloud (the same as npm run demo)')
    .addOption(
      new Option('--cloud <cloud>', 'which emulated cloud').choices(['aws', 'gcp', 'azure', 'oci']).default('aws'),
    )
    .addOption(
      new Option('--latency <ms>', 'added to every emulated cloud API call').argParser(int(0, 5000)).default(50),
    )
    .addOption(new Option('--tables <n>', 'AWS: route tables holding the VIP route').argParser(int(1, 200)).default(2))
    .addOption(
      new Option('--operation-delay <ms>', 'GCP: how long an operation runs').argParser(int(0, 60000)).default(200),
    )
    .addOption(
      new Option('--members <kind>', "the pair: IRIS's mirror_status, Patroni's GET /primary, or a generic page")
        .choices(['iris', 'patroni', 'http'])
        .default('iris'),
    )
    .option('--json', 'print the machine-readable result')
    .option('--serve', 'keep the emulated cloud and the function running, to send events by hand')
    .addOption(
      new Option('--port <port>', 'AWS: function URL port with --serve').argParser(int(0, 65535)).default(8787),
    )
    .action(async function (this: Command, o) {
      const given = Object.keys(o).filter((k) => this.getOptionValueSource(k) === 'cli');
      checkDemoFlags(o.cloud, given);
      const { runDemo } = await import('./demo.ts');
      const { ok } = await runDemo({
        cloud: o.cloud,
        members: o.members,
        opDelay: o.operationDelay,
        latency: o.latency,
        tables: o.tables,
        json: !!o.json,
        serve: !!o.serve,
        port: o.port,
      });
      if (!ok) process.exitCode = 1;
    });
}
