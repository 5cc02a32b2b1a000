import { Command, InvalidArgumentError, Option } from 'commander';
import { MirrorVipError } from '../shared/errors.ts';
import { registerDrill } from './drill.ts';
import { mirrorPlan, mirrorStatus, onlyCloud, readConfig, statusTable, table } from './inspect.ts';
import { keygenInstructions, newKey } from './keygen.ts';
import { EXIT, loadNotifySettings, NotifyError, readKeyFile, sendNotify } from './notify.ts';

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
    .option('--key-file <path>', 'file holding the secret, mode 600 (MIRROR_VIP_KEY_FILE)')
    .option('--deadline <seconds>', 'total time for all attempts (default 20)')
    .option('--timeout <seconds>', 'one attempt (default 5)')
    .option('--reason <text>', 'free text sent with the event')
    .option('--auth <mode>', 'none, or gcp-id-token: add a Google ID token from the metadata server (MIRROR_VIP_AUTH)')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExit codes: 0 accepted, 1 rejected (4xx), 2 settings, 3 key file, 4 gave up (deadline).')
    .action(async (o) => {
      const s = loadNotifySettings(o.config, process.env, {
        URL: o.url,
        MIRROR: o.mirror,
        MEMBER: o.member,
        KEY_ID: o.keyId,
        KEY_FILE: o.keyFile,
        DEADLINE_SECONDS: o.deadline,
        ATTEMPT_TIMEOUT_SECONDS: o.timeout,
        REASON: o.reason,
        AUTH: o.auth,
      });
      const outcome = await sendNotify(s, readKeyFile(s.KEY_FILE));
      if (o.json) console.log(JSON.stringify(outcome));
      else if (outcome.ok)
        console.log(
          `accepted (HTTP ${outcome.status}) after ${outcome.attempts} attempt(s): ${JSON.stringify(outcome.response)}`,
        );
      else console.error(`mirror-vip notify: ${outcome.error}`);
      process.exitCode = outcome.exitCode;
    });
  cli
    .command('status')
    .description('where each VIP points now and which member answers primary (read-only)')
    .option('--config <file>', 'configuration document (else MIRROR_VIP_CONFIG / MIRROR_VIP_CONFIG_FILE)')
    .option('--mirror <name>', 'only this mirror')
    .addOption(new Option('--cloud <cloud>', 'only mirrors of this cloud').choices(['aws', 'gcp']))
    .option('--json', 'print JSON')
    .action(async (o) => {
      const s = await mirrorStatus(onlyCloud(readConfig(o.config), o.cloud), o.mirror);
      console.log(o.json ? JSON.stringify(s, null, 2) : statusTable(s));
    });
  cli
    .command('plan')
    .description('the plan the function would execute to move the VIP to a member, without executing it')
    .option('--config <file>', 'configuration document (else MIRROR_VIP_CONFIG / MIRROR_VIP_CONFIG_FILE)')
    .requiredOption('--to <member>', 'the member that should hold the VIP')
    .option('--mirror <name>', 'the mirror (default: the only one configured)')
    .addOption(new Option('--cloud <cloud>', 'only mirrors of this cloud').choices(['aws', 'gcp']))
    .option('--json', 'print JSON')
    .action(async (o) => {
      const config = onlyCloud(readConfig(o.config), o.cloud);
      const mirror = o.mirror ?? (config.mirrors.length === 1 ? config.mirrors[0]?.name : undefined);
      if (!mirror) throw new InvalidArgumentError('several mirrors are configured: name one with --mirror');
      const { result } = await mirrorPlan(config, mirror, o.to);
      if (o.json) console.log(JSON.stringify(result, null, 2));
      else if (!result.ok) throw new MirrorVipError(result.error?.code ?? 'error', result.error?.message ?? 'failed');
      else {
        const rows = [
          ['VIP', 'MODE', 'WHERE', 'FROM', 'TO'],
          ...(result.plan ?? []).map((c) => [c.vip, c.mode, c.slot, c.from ?? '(nothing)', c.to]),
        ];
        console.log(result.plan?.length ? table(rows) : `nothing to do: every VIP of ${mirror} is on ${o.to}`);
        for (const w of result.warnings) console.log(`warning: ${w}`);
      }
      if (!result.ok) process.exitCode = 1;
    });
  cli
    .command('keygen')
    .description('a new key id and secret, with the commands to store it in the cloud and on the member')
    .requiredOption('--mirror <name>', 'mirror name')
    .requiredOption('--member <name>', 'member the key speaks for')
    .option('--json', 'print {keyId, secret} as JSON')
    .action((o) => {
      const k = newKey(o.member);
      console.log(o.json ? JSON.stringify(k) : keygenInstructions(o.mirror, o.member, k));
    });
  cli
    .command('demo')
    .description('play a failover on an emulated cloud (the same as npm run demo)')
    .addOption(new Option('--cloud <cloud>', 'which emulated cloud').choices(['aws', 'gcp']).default('aws'))
    .addOption(
      new Option('--latency <ms>', 'added to every emulated cloud API call').argParser(int(0, 5000)).default(50),
    )
    .addOption(new Option('--tables <n>', 'AWS: route tables holding the VIP route').argParser(int(1, 200)).default(2))
    .addOption(
      new Option('--operation-delay <ms>', 'GCP: how long an operation runs').argParser(int(0, 60000)).default(200),
    )
    .option('--json', 'print the machine-readable result')
    .option('--serve', 'keep the emulated cloud and the function running, to send events by hand')
    .addOption(new Option('--port <port>', 'function URL port with --serve').argParser(int(0, 65535)).default(8787))
    .action(async (o) => {
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
      process.exitCode = e instanceof InvalidArgumentError ? EXIT.usage : 1;
    } else {
      throw e;
    }
  }
}
