// How fast `mirror-vip notify` starts on a member, against `node -e 0` on the same machine (runs interleaved).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../local-cloud/bundles.ts';

/**
 * A preload that writes the process's peak RSS (KiB) to fd 3 as it exits: VmHWM from /proc/self/status, the high-water
 * mark of this program's own memory. Not `resourceUsage().maxRSS`: Linux keeps ru_maxrss across execve, so a child
 * forked from this (large) bench process would report the bench's own RSS (87 MiB for `node -e 0`, against 42 MiB
 * measured with /usr/bin/time -v from a shell). Where /proc is absent, maxRSS is the fallback.
 */
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "import{writeSync,readFileSync}from'node:fs';process.on('exit',()=>{let k=process.resourceUsage().maxRSS;try{k=Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1])}catch{}try{writeSync(3,String(k))}catch{}})",
)}`;

interface Run {
  ms: number;
  rssKiB: number;
}

function timed(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', RSS_HOOK, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let rss = '';
    let err = '';
    child.stdio[3]?.on('data', (d: Buffer) => {
      rss += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(0, 300)}`));
      else resolve({ ms, rssKiB: Number(rss) });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** `node -e 0`, `mirror-vip notify --help` and a signed `notify --dry-run`, `runs` times each, interleaved. */
export async function measureCliStart(runs = 7) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-cli-'));
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, `${'k'.repeat(40)}\n`);
  chmodSync(keyFile, 0o600);
  const cli = join(ROOT, 'bin/mirror-vip.mjs');
  const cases = {
    node: ['-e', '0'],
    notifyHelp: [cli, 'notify', '--help'],
    notifyDryRun: [
      cli,
      ...['notify', '--dry-run', '--url', 'http://127.0.0.1:9/', '--mirror', 'm', '--member', 'a'],
      ...['--key-id', 'k1', '--key-file', keyFile],
    ],
  };
  const seen: Record<keyof typeof cases, Run[]> = { node: [], notifyHelp: [], notifyDryRun: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const k of Object.keys(cases) as (keyof typeof cases)[]) seen[k].push(await timed(cases[k]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sum = (k: keyof typeof cases) => ({
    medianMs: median(seen[k].map((r) => r.ms)),
    maxRssMiB: Math.max(...seen[k].map((r) => r.rssKiB)) / 1024,
  });
  const node = sum('node');
  const help = sum('notifyHelp');
  const dry = sum('notifyDryRun');
  return {
    runs,
    node,
    notifyHelp: { ...help, ratioToNode: help.medianMs / node.medianMs },
    notifyDryRun: { ...dry, ratioToNode: dry.medianMs / node.medianMs },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureCliStart(), null, 2));
