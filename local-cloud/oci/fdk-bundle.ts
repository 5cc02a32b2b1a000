import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socketReady } from './fn-invoke.ts';

/**
 * Start a bundled OCI Function as Fn starts its container: `node func.mjs` with FN_FORMAT=http-stream and
 * FN_LISTENER=unix:<socket>; resolves once the FDK has created its socket. `spawnedAt` is for cold-start figures.
 */
export async function serveFdkBundle(bundle: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-fn-'));
  const socket = join(dir, 'fn.sock');
  const spawnedAt = performance.now();
  const ready = socketReady(socket);
  const child: ChildProcess = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH ?? '', ...env, FN_FORMAT: 'http-stream', FN_LISTENER: `unix:${socket}` },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await Promise.race([
    ready,
    new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`function exited ${code}: ${err}`))),
    ),
  ]);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { child, socket, spawnedAt, readyAt: performance.now(), stop, output: () => out, errors: () => err };
}
