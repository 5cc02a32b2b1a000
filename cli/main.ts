import { Command, InvalidArgumentError, Option } from 'commander';
import { MirrorVipError } from '../shared/errors.ts';
import { addCheckCommand } from './check.ts';
import { addCheckCommands } from './commands-check.ts';
import { checkDemoFlags } from './demo-serve.ts';
import { registerDrill } from './drill.ts';
import { notifyOnce } from './notify-once.ts';
import { AUTH_MODES, DEFAULTS, EXIT, NotifyError } from './notify-settings.ts';
import { addOperatorCommands } from './operator.ts';

const int = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  return n;
};

function program(): Command {
  const cli = new Command('mirror-vip')
    .description('Move a database mirror VIP to the real primary through the cloud API.')
    .showHelpAfterError();
  cli
    .command('notify')
    .description('sign and send a became-primary event (what iris/mirror_vip_notify.py does)')
    .option('--config <file>', 'settings file of MIRROR_VIP_*=value lines', process.env.MIRROR_VIP_NOTIFY_CONFIG)
    .option('--url <url>', 'function URL (MIRROR_VIP_URL)')
    .option('--mirror <name>', 'mirror name (MIRROR_VIP_MIRROR)')
    .option('--member <name>', 'this member (MIRROR_VIP_MEMBER)')
    .option('--key-id <id>', 'key id (MIRROR_VIP_KEY_ID)')
    .option('--key-file <path>', 'file whose first line is the secret, mode 600 (MIRROR_VIP_KEY_FILE)')
    .option('--deadline <seconds>', `total time for all attempts, 0-300 (default ${DEFAULTS.DEADLINE_SECONDS})`)
    .option('--timeout <seconds>', `one attempt, 0-300 (default ${DEFAULTS.ATTEMPT_TIMEOUT_SECONDS})`)
    .option('--reason <text>', 'free text sent with the event, at most 256 characters')
    .option(
      '--auth <mode>',
      `${AUTH_MODES.join(', ')} (MIRROR_VIP_AUTH): Google ID token or SigV4 from the instance role`,
    )
    .option('--dry-run', 'check the settings and the key file, print the signed request, send nothing')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExit codes: 0 accepted, 1 rejected (4xx), 2 settings, 3 key file, 4 gave up (deadline).')
    .action(async (o) => {
      const flags = {
        URL: o.url,
        MIRROR: o.mirror,
        MEMBER: o.member,
        KEY_ID: o.keyId,
        KEY_FILE: o.keyFile,
        DEADLINE_SECONDS: o.deadline,
        ATTEMPT_TIMEOUT_SECONDS: o.timeout,
        REASON: o.reason,
        AUTH: o.auth,
      };
      const outcome = await notifyOnce(o.config, process.env, flags, !!o.dryRun);
      if (o.json) console.log(JSON.stringify(outcome));
      else if (outcome.ok) console.log(outcome.message);
      if (!outcome.ok) console.error(`mirror-vip notify: ${outcome.message}`);
      process.exitCode = outcome.exitCode;
    });
  addCheckCommands(cli);
  addOperatorCommands(cli);
  addCheckCommand(cli);
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
        opDelay: o.operationDelay,
        latency: o.latency,
        tables: o.tables,
        json: !!o.json,
        serve: !!o.serve,
        port: o.port,
      });
      if (!ok) process.exitCode = 1;
    });
  registerDrill(cli);
  return cli;
}

/** Run the CLI; expected errors become one line on stderr and a meaningful exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv, { from: 'user' });
  } catch (e: unknown) {
    if (e instanceof NotifyError) {
      console.error(`mirror-vip: ${e.message}`);
      process.exitCode = e.exitCode;
    } else if (e instanceof MirrorVipError || e instanceof InvalidArgumentError) {
      console.error(`mirror-vip: ${e.message}`);
      process.exitCode = e instanceof InvalidArgumentError || e.code === 'usage' ? EXIT.usage : 1;
    } else {
      throw e;
    }
  }
}
