import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { ensureBundle, ROOT } from '../../local-cloud/bundles.ts';
import { track } from '../processes.ts';

/**
 * The deployed bundle in a process of its own (its own cold start, its own log), as the platform runs it: `agent` is
 * a host stand-in under drill/agents that imports BUNDLE and prints {"ev":"listening","port","invoke"} once up.
 */
export async function serveBundle(agent: string, bundlePath: string, env: Record<string, string>) {
  const bundle = pathToFileURL(await ensureBundle(bundlePath)).href;
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', `drill/agents/${agent}`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, BUNDLE: bundle },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const ready = await new Promise<{ port: number; invoke: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (l) => {
      if (l.includes('"ev":"listening"')) resolve(JSON.parse(l));
    });
    child.once('exit', (code) => reject(new Error(`${agent} exited ${code} before listening`)));
  });
  child.stdout.resume();
  return { child, ...ready };
}
