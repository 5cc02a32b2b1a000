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
