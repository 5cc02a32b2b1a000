import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { DRILL_CLOUDS } from '../../drill/clouds/index.ts';
import { DrillError, runDrill } from '../../drill/drill.ts';
import { drillLinks, drillNamespaces, PREFIX } from '../../drill/netns.ts';
import { startedPids } from '../../drill/processes.ts';

// A killed child not yet reaped is a zombie: it exists in /proc but runs nothing.
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const STEP_MS = 8_000;

describe('a drill that fails', () => {
  // every cloud the drill runs: its emulator, its function host and the members all started, then the drill fails
  for (const cloud of Object.keys(DRILL_CLOUDS))
    it(`still removes every namespace and process it made (${cloud})`, async () => {
      const before = startedPids().length;
      // notify-failed at real scale: only the schedule (every 60 s, first tick 30 s after the kill) can move the VIP,
      // so waiting 8 s for iris-b fails after the kill, with keepalived, the stand-ins, the client and the function
      const failing = runDrill({ cloud, variants: ['notify-failed'], runs: 1, scale: 1, stepTimeoutMs: STEP_MS });
      const e = await failing.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DrillError);
      // on a loaded machine a start-up step may be the one that times out: either way the drill failed midway
      expect((e as DrillError).message).toMatch(new RegExp(`timed out after ${STEP_MS} ms`));
      const id = (e as DrillError).topologyId;
      expect(id).toBeTypeOf('number');
      expect(drillNamespaces(id)).toEqual([]);
      expect(drillLinks(id ?? -1)).toEqual([]);
      expect(startedPids().length - before).toBeGreaterThan(5);
      expect(startedPids().filter(alive)).toEqual([]);
    }, 60_000);
});

/** Every process below `root` now (children, grandchildren…), from /proc. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent)
      if (pp === p) {
        out.push(pid);
        walk(pid);
      }
  };
  walk(root);
  return out;
}

describe('a drill stopped by SIGTERM', () => {
  it('removes its namespaces and kills what it started outside them (the function host) before it exits', async () => {
    // its own prefix, so its namespaces are told apart from any other drill's
    const prefix = `${PREFIX.slice(0, 3)}s`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/drill.ts', '--cloud', 'azure', '--variant', 'notify-failed', '--runs', '1'],
      { env: { ...process.env, MIRROR_VIP_DRILL_PREFIX: prefix }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // the Azure host prints its bundle's registration warnings once it has loaded it: the namespaces exist by then
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (l) => {
        if (l.includes('"mirrorVipSchedule"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the drill exited ${code} before its function host started`)));
    });
    const mine = () =>
      execFileSync('ip', ['netns', 'list'])
        .toString()
        .split('\n')
        .filter((n) => n.startsWith(prefix));
    expect(mine().length).toBe(4);
    const started = descendants(child.pid ?? -1);
    expect(started.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(mine()).toEqual([]);
    expect(started.filter(alive)).toEqual([]);
  }, 60_000);
});
