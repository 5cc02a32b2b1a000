import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from '../local-cloud/bundles.ts';

const MINIMAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const started = new Set<ChildProcess>();

/** Remember a process the drill started, so a test can check that none outlives the drill. */
export function track<T extends ChildProcess>(child: T): T {
  if (child.pid !== undefined) started.add(child);
  return child;
}

/** Every process the drill has started in this process's life (most are gone by now). */
export function startedPids(): number[] {
  return [...started].map((c) => c.pid ?? 0);
}

/** SIGKILL a child and resolve once it has exited (so no check right after sees it still running). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

/** SIGKILL every process the drill started that has not exited (the drill is being stopped by a signal). */
export function killRunning(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** A process started inside a namespace; its JSON stdout lines reach `onLine`. */
export interface NsProcess {
  child: ChildProcess;
  /** Resolves with the first line that satisfies `pred` (seen already or still to come). */
  line<T>(pred: (l: T) => boolean, timeoutMs: number, what: string): Promise<T>;
  lines: unknown[];
}

/** Start `cmd` in namespace `ns` (ip netns exec runs it in place: its pid is the command's). */
export function spawnIn(ns: string, cmd: string[], env: Record<string, string> = {}): NsProcess {
  const child = track(
    spawn('ip', ['netns', 'exec', ns, ...cmd], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? MINIMAL_PATH, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const lines: unknown[] = [];
  let waiters: (() => void)[] = [];
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (!l.startsWith('{')) return;
      lines.push(JSON.parse(l));
      const pending = waiters;
      waiters = [];
      for (const w of pending) w();
    });
  const line = <T>(pred: (l: T) => boolean, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`drill: timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const check = () => {
        const hit = (lines as T[]).find(pred);
        if (hit !== undefined) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      check();
    });
  return { child, line, lines };
}

/** A TypeScript agent under drill/agents, run by node with tsx inside namespace `ns`. */
export function spawnAgent(ns: string, agent: string, args: string[]): NsProcess {
  return spawnIn(ns, [process.execPath, '--import', 'tsx', `drill/agents/${agent}`, ...args]);
}

export { MINIMAL_PATH };

/** A long-running command in namespace `ns` with a writable stdin; each raw stdout line reaches `onLine`. */
export function spawnPiped(ns: string, cmd: string[], onLine: (line: string) => void): ChildProcess {
  const child = track(spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['pipe', 'pipe', 'ignore'] }));
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  child.stdin?.on('error', () => {}); // the namespace's processes are killed at cleanup: a late write must not throw
  return child;
}
