import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureBundle, ROOT } from '../../local-cloud/bundles.ts';
import { runCli } from '../support/cli.ts';

const run = promisify(execFile);

/** A free loopback port (listen on 0, note it, close). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** Everything the child printed so far, and a wait for a line matching `re` (on output, never on a timer). */
function watch(child: ChildProcess) {
  let text = '';
  const waiters: { re: RegExp; done: (m: string) => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    text += d.toString();
    for (const w of waiters.splice(0)) {
      const m = w.re.exec(text);
      if (m) w.done(m[0]);
      else waiters.push(w);
    }
  });
  const until = (re: RegExp) =>
    new Promise<string>((done) => {
      const m = re.exec(text);
      if (m) done(m[0]);
      else waiters.push({ re, done });
    });
  const ended = new Promise<void>((r) => child.stdout?.on('close', () => r()));
  return { until, ended, text: () => text };
}

describe('demo flags: honoured or refused per cloud', () => {
  it.each([
    [['--cloud', 'gcp', '--tables', '3'], '--tables is not supported by the gcp demo'],
    [['--cloud', 'gcp', '--port', '9999', '--serve'], '--port is not supported by the gcp demo'],
    [['--cloud', 'aws', '--operation-delay', '5'], '--operation-delay is not supported by the aws demo'],
  ])('%j exits 2, naming the flag', async (args, says) => {
    const r = await runCli(['demo', ...args], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(says);
  });

  it('a busy --port is one clear line (exit 1), not a stack', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const { port } = holder.address() as { port: number };
    const r = await runCli(['demo', '--serve', '--port', String(port)], {});
    holder.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`mirror-vip: port ${port} is in use: choose another with --port`);
  });
});

describe('the bundled CLI (dist/cli.mjs) shows the failing preflight and its fix', () => {
  it.each([
    ['azure', 'FAIL azure.permission'],
    ['oci', 'FAIL oci.skipSourceDestCheck'],
  ])('%s', async (cloud, fail) => {
    await ensureBundle('dist/cli.mjs');
    const r = await runCli(['demo', '--cloud', cloud, '--latency', '0', '--json'], {});
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; steps: { step: string; detail: string }[] };
    const detail = (name: string) => out.steps.find((s) => s.step === name)?.detail ?? '';
    expect(detail('the scheduled check')).toContain(fail);
    expect(detail('the check again')).toMatch(
      /^\d+ checks, (all pass|no failure \(write rights cannot be proven on OCI: statements printed\)), 0 writes$/,
    );
    expect(out.ok).toBe(true);
  });
});

describe('demo --serve', () => {
  it('switches the primary on command, shows each request with its outcome, and closes on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/mirror-vip.mjs'), 'demo', '--serve', '--port', String(port), '--latency', '0'],
      { cwd: ROOT },
    );
    const out = watch(child);
    const notify = (await out.until(/npx mirror-vip notify [^\n]+/)).replace('npx mirror-vip', '').trim().split(' ');
    await out.until(/Type: "primary/);
    await run(process.execPath, [join(ROOT, 'bin/mirror-vip.mjs'), ...notify], { cwd: ROOT });
    await out.until(/request: event → moved to iris-a, \d+ writes/);
    child.stdin?.write('primary iris-b\n');
    await out.until(/primary: iris-b/);
    child.stdin?.write('reconcile\n');
    await out.until(/request: schedule → moved to iris-b/);
    await out.until(/reconcile: moved to iris-b/);
    child.kill('SIGTERM');
    await out.until(/stopped: the emulated cloud and the function are closed/);
    await out.ended;
    expect(await canListen(port)).toBe(true);
  }, 240_000); // npm, tsx and the demo start on a machine shared by several test runs

  // SIGTERM: npm passes it to its `sh -c`, which dies without passing it on; SIGKILL / SIGHUP: npm dies at once. Either
  // way the shell and the demo are left re-parented, and the demo must notice and stop.
  it.each(['SIGTERM', 'SIGKILL', 'SIGHUP'] as const)(
    'killing `npm run demo -- --serve` with %s leaves no process behind and frees the port',
    async (signal) => {
      const port = await freePort();
      const npm = spawn('npm', ['run', 'demo', '--', '--serve', '--port', String(port), '--latency', '0'], {
        cwd: ROOT,
        detached: true,
      });
      const out = watch(npm);
      await out.until(/Type: "primary/);
      expect(await canListen(port)).toBe(false);
      const exited = new Promise((r) => npm.once('exit', r));
      process.kill(npm.pid ?? 0, signal);
      await out.ended; // every process holding the output pipe (npm, its shell, the demo) has exited
      await exited;
      expect(out.text()).toContain('stopped: the emulated cloud and the function are closed');
      // the process group npm led (detached): nothing of it may be left running. Not running: an exited, not reaped
      // entry (Z), and one that is exiting — it has already released its memory, so ps shows no command line but its
      // [name]; a loaded machine catches the shell there, after it closed the pipe (seen: `R [sh]`)
      const { stdout } = await run('ps', ['-eo', 'pgid=,stat=,pid=,args=']);
      const exiting = (l: string) => /^\S+\s+Z/.test(l) || /^\S+\s+\S+\s+\d+\s+\[[^\]]+\]$/.test(l);
      const left = stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.split(/\s+/)[0] === String(npm.pid) && !exiting(l));
      expect(left).toEqual([]);
      expect(await canListen(port)).toBe(true);
    },
    240_000,
  );
});
