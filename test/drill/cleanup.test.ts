import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRILL_CLOUDS } from '../../drill/clouds/index.ts';
import { DrillError, runDrill } from '../../drill/drill.ts';
import { drillLinks, drillNamespaces } from '../../drill/netns.ts';
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
