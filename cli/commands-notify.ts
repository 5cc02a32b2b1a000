import type { Command } from 'commander';
import { AUTH_MODES, DEFAULTS } from './notify-settings.ts';

/** `mirror-vip notify`: what iris/mirror_vip_notify.py does; the sending code loads only when it runs. */
export function registerNotify(cli: Command): void {
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
      const { notifyOnce } = await import('./notify-once.ts');
      const outcome = await notifyOnce(o.config, process.env, flags, !!o.dryRun);
      if (o.json) console.log(JSON.stringify(outcome));
      else if (outcome.ok) console.log(outcome.message);
      if (!outcome.ok) console.error(`mirror-vip notify: ${outcome.message}`);
      process.exitCode = outcome.exitCode;
    });
}
