import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

describe('a drill that fails', () => {
  it('still removes every namespace and process it made', async () => {
    // notify-failed at real scale: only the schedule (every 60 s) can move the VIP, so waiting 20 s for iris-b fails
    // after the kill, with keepalived, the stand-ins, the client and the function all running
    const failing = runDrill({ cloud: 'aws', variants: ['notify-failed'], runs: 1, scale: 1, stepTimeoutMs: 20_000 });
    const e = await failing.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DrillError);
    // on a loaded machine a start-up step may be the one that times out: either way the drill failed midway
    expect((e as DrillError).message).toMatch(/timed out after 20000 ms/);
    const id = (e as DrillError).topologyId;
    expect(id).toBeTypeOf('number');
    expect(drillNamespaces(id)).toEqual([]);
    expect(drillLinks(id ?? -1)).toEqual([]);
    expect(startedPids().length).toBeGreaterThan(5);
    expect(startedPids().filter(alive)).toEqual([]);
  }, 60_000);
});
