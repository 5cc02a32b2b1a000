import { Command, InvalidArgumentError } from 'commander';
import { MirrorVipError } from '../shared/errors.ts';
import { registerNotify } from './commands-notify.ts';
import { EXIT, NotifyError } from './notify-settings.ts';

type Register = (cli: Command) => void;

/**
 * Which module registers each command. Only the module of the command being run is loaded (the bundle is split
 * into chunks): `notify` on a member starts without the cloud SDKs, the emulators or the drill.
 */
const REGISTRARS: Record<string, () => Promise<Register>> = {
  notify: async () => registerNotify,
  status: async () => (await import('./commands-check.ts')).addCheckCommands,
  plan: async () => (await import('./commands-check.ts')).addCheckCommands,
  keygen: async () => (await import('./commands-check.ts')).addCheckCommands,
  demo: async () => (await import('./commands-demo.ts')).registerDemo,
  drill: async () => (await import('./drill.ts')).registerDrill,
  check: async () => (await import('./check.ts')).addCheckCommand,
};
/** Registrars for the commands no entry above names (the operator actions, whatever their list is). */
const OTHERS = async (): Promise<Register> => (await import('./operator.ts')).addOperatorCommands;

/** The program with the commands `argv` needs: its own command's, or every command for help and unknown names. */
async function program(argv: string[]): Promise<Command> {
  const cli = new Command('mirror-vip')
    .description('Move a database mirror VIP to the real primary through the cloud API.')
    .showHelpAfterError();
  const name = argv.find((a) => !a.startsWith('-'));
  const own = name === undefined || name === 'help' ? undefined : (REGISTRARS[name] ?? OTHERS);
  if (own) {
    (await own())(cli);
    if (cli.commands.some((c) => c.name() === name)) return cli;
  }
  // help, or a name nobody registers (commander then suggests the closest one): every command
  const registers = await Promise.all([...Object.values(REGISTRARS), OTHERS].map((load) => load()));
  const fresh = new Command('mirror-vip')
    .description('Move a database mirror VIP to the real primary through the cloud API.')
    .showHelpAfterError();
  for (const register of new Set(registers)) register(fresh);
  return fresh;
}

/** Run the CLI; expected errors become one line on stderr and a meaningful exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await (await program(argv)).parseAsync(argv, { from: 'user' });
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
