import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The checkout (or installed package): the nearest folder with a package.json above this module's folder. From the
 * sources that is one level up; from the split CLI bundle, dist/cli-chunks/, two.
 */
function rootAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
export const ROOT = rootAbove(resolve(import.meta.dirname, '..'));

/** The bundle as deployed; built on demand when a test runs without `npm run build` first. */
export async function ensureBundle(relative: string): Promise<string> {
  const path = join(ROOT, relative);
  if (!existsSync(path)) await run('npx', ['tsx', 'scripts/build.ts'], { cwd: ROOT });
  return path;
}

/**
 * Import a bundled handler in a fresh node process (a real .mjs file, as the platform loads it), call it with one
 * event, and return what it returned plus the process's stdout lines (the function's log).
 */
export async function invokeBundle(bundle: string, event: unknown, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-bundle-'));
  const script = join(dir, 'invoke.mjs');
  writeFileSync(
    script,
    [
      'const t0 = performance.now();',
      'const { handler } = await import(process.env.BUNDLE);',
      'const out = await handler(JSON.parse(process.env.EVENT));',
      "process.stdout.write('\\n@@RESULT ' + JSON.stringify({ out, ms: performance.now() - t0 }) + '\\n');",
    ].join('\n'),
  );
  const { stdout, stderr } = await run(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env, BUNDLE: bundle, EVENT: JSON.stringify(event) },
  });
  const marker = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (!marker) throw new Error(`bundle printed no result; stderr: ${stderr}`);
  const { out, ms } = JSON.parse(marker.slice('@@RESULT '.length)) as { out: unknown; ms: number };
  const log = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { out, ms, log, stderr };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const FRAMEWORK = join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

/**
 * Start a bundle under the Functions Framework CLI, as Cloud Functions runs it, and resolve once it listens.
 * `spawnedAt` (performance.now()) is when the process was started, for cold-start figures.
 */
export async function serveFunctionsFramework(
  bundle: string,
  target: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
  onSpawn: (child: ChildProcess) => void = () => {},
) {
  const port = await freePort();
  const spawnedAt = performance.now();
  const args = [FRAMEWORK, `--source=${bundle}`, `--target=${target}`, `--port=${port}`, ...extraArgs];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env } });
  onSpawn(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('URL: http://localhost:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`functions-framework exited ${code}: ${err}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/`, spawnedAt, output: () => out, errors: () => err };
}
