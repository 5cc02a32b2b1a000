import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { MirrorVipError } from '../shared/errors.ts';
import type { DemoCloud, Scenario } from './demo-scenarios.ts';

/** Which demo flags each cloud honours; any other given explicitly is refused (exit 2). */
export const DEMO_FLAGS: Record<DemoCloud, string[]> = {
  aws: ['members', 'latency', 'tables', 'port', 'serve', 'json', 'cloud'],
  gcp: ['members', 'latency', 'operationDelay', 'serve', 'json', 'cloud'],
  azure: ['members', 'latency', 'operationDelay', 'port', 'serve', 'json', 'cloud'],
  oci: ['members', 'latency', 'port', 'serve', 'json', 'cloud'],
};

/** Refuse a flag the chosen cloud's demo would ignore, naming it. */
export function checkDemoFlags(cloud: DemoCloud, given: string[]): void {
  const ignored = given.filter((f) => !DEMO_FLAGS[cloud].includes(f));
  if (ignored.length) {
    const flags = ignored.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new MirrorVipError(
      'usage',
      `${flags} ${ignored.length > 1 ? 'are' : 'is'} not supported by the ${cloud} demo`,
    );
  }
}

/** Fail at once, before anything starts, when the --port is taken. */
export async function requireFreePort(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new MirrorVipError(
          'port_busy',
          e.code === 'EADDRINUSE'
            ? `port ${port} is in use: choose another with --port`
            : `cannot listen on port ${port}: ${e.message}`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** One line per decision the function makes while serving: each request's outcome. */
export function requestLogger(out: (s: string) => void) {
  return (l: Record<string, unknown>) => {
    if (l.msg !== 'mirror-vip decision') return;
    const err = (l.error as { code?: string } | undefined)?.code;
    out(
      `request: ${l.trigger} → ${l.outcome}${l.to ? ` to ${l.to}` : ''}${err ? ` (${err})` : ''}, ${l.writeCalls} writes`,
    );
  };
}

const HELP = 'Type: "primary iris-a" | "primary iris-b" | "primary none" | "reconcile" | "where" | "quit".';

/** Serve until Ctrl-C, SIGTERM or "quit": commands on stdin switch the primary; everything is closed on the way out. */
export function serveUntilStopped(s: Scenario, out: (line: string) => void, from: Lineage = lineage()): Promise<void> {
  out(HELP);
  return new Promise<void>((resolve) => {
    const rl = createInterface({ input: process.stdin });
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      clearInterval(watchdog);
      rl.close();
      await s.close();
      out('stopped: the emulated cloud and the function are closed.');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
    // `npm run demo` passes SIGTERM to its `sh -c` only, which dies without passing it on (dash): the demo is
    // re-parented. So is it when npm is SIGKILLed. Watch the parent and stop when it is gone.
    const watchdog = watchParent(() => void stop(), from);
    // stdin at its end (e.g. </dev/null) keeps serving: only quit, Ctrl-C or SIGTERM stop.
    rl.on('line', async (line) => {
      const [cmd, arg] = line.trim().split(/\s+/);
      if (cmd === 'primary' && (arg === 'iris-a' || arg === 'iris-b' || arg === 'none')) {
        s.setRole('iris-a', arg === 'iris-a' ? 'primary' : 'backup');
        s.setRole('iris-b', arg === 'iris-b' ? 'primary' : 'backup');
        out(`primary: ${arg} (the other answers backup)`);
      } else if (cmd === 'reconcile') {
        const r = await s.reconcile();
        out(`reconcile: ${r?.outcome}${r?.to ? ` to ${r.to}` : ''}`);
      } else if (cmd === 'where') out(s.where());
      else if (cmd === 'quit') await stop();
      else if (cmd) out(HELP);
    });
  });
}

/**
 * The parent pid of `pid` now, from /proc (Linux). Node 20 reads `process.ppid` once at start-up (a plain value, never
 * updated), so it cannot tell a re-parenting. Undefined when /proc cannot say (another OS, or the process is gone).
 */
function parentOf(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export interface Lineage {
  parent: number;
  grand?: number;
}

/**
 * This process's parent and grandparent now. Take it as early as possible: once the demo has printed that it serves,
 * the one who reads that may kill npm before this process is scheduled again (a loaded machine), and a lineage taken
 * after that would already be the re-parented one.
 */
export function lineage(): Lineage {
  const parent = parentOf('self') ?? process.ppid;
  return { parent, grand: parent > 1 ? parentOf(parent) : undefined };
}

/**
 * Call `gone` once when the process that started this one, or the one that started it, has exited. Two links, because
 * `npm run demo` starts the demo through `sh -c`: npm SIGKILLed (or hung up) leaves the shell running, re-parented,
 * with the demo still its child; npm's SIGTERM reaches that shell only, and dash dies of it without passing it on.
 * Where /proc is missing (not Linux) only the parent is watched, by signal 0.
 */
export function watchParent(gone: () => void, from: Lineage = lineage(), everyMs = 250): NodeJS.Timeout {
  const { parent, grand } = from;
  const alive = () => {
    const now = parentOf('self');
    if (now === undefined) {
      try {
        process.kill(parent, 0);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    return now === parent && (grand === undefined || grand <= 1 || parentOf(parent) === grand);
  };
  const timer = setInterval(() => {
    if (!alive()) {
      clearInterval(timer);
      gone();
    }
  }, everyMs);
  return timer;
}
