import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../local-cloud/bundles.ts';

const run = promisify(execFile);

/** Run the real CLI (bin/mirror-vip.mjs) in a child process; a non-zero exit is returned, not thrown. */
export async function runCli(args: string[], env: Record<string, string | undefined>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/mirror-vip.mjs'), ...args], {
      env: { ...process.env, ...env },
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The notify options of a member's signed event to `url` with its key file (both notifiers take the same ones). */
export function notifyArgs(url: string, keyFile: string, member: 'iris-a' | 'iris-b' = 'iris-b'): string[] {
  return [
    '--url',
    url,
    '--mirror',
    'IRISMIRROR',
    '--member',
    member,
    '--key-id',
    `${member}-k1`,
    '--key-file',
    keyFile,
  ];
}
