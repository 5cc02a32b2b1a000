import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../shared/config/load.ts';
import { FailoverEngine } from '../shared/core/engine.ts';
import type { Provider } from '../shared/providers/types.ts';

/** One scheduled reconcile of N mirrors: its time and cloud calls (list/describe, per-resource reads, writes). */
export interface MirrorsRow {
  mirrors: number;
  ms: number;
  calls: number;
  /** List or Describe calls: one serves many mirrors. */
  lists: number;
  /** Reads of one named resource (Get…): one per resource, so they grow with the mirrors. */
  reads: number;
  writes: number;
}

/** Each mirror's members on their own loopback port (iris-a answers primary): no accept queue is shared by all. */
async function memberPages(n: number) {
  const pages: Server[] = Array.from({ length: n }, () =>
    createServer((req, res) => {
      const primary = (req.url ?? '').endsWith('/iris-a');
      res.writeHead(primary ? 200 : 503).end(primary ? 'SUCCESS' : 'FAILED');
    }).listen(0, '127.0.0.1'),
  );
  await Promise.all(pages.map((p) => once(p, 'listening')));
  const port = (i: number) => (pages[i]?.address() as AddressInfo | undefined)?.port;
  return {
    url: (i: number, member: string) => `http://127.0.0.1:${port(i)}/M${i}/${member}`,
    close: () => {
      for (const p of pages) p.close();
    },
  };
}

/** One deployment on an emulator: its mirrors (each member's page from `url`), the provider, the calls it records. */
export interface ReconcileSetup {
  mirrors: unknown[];
  provider: Provider;
  calls: () => readonly { op: string; write: boolean }[];
  close: () => Promise<void>;
}

/**
 * The row of one scheduled reconcile of `n` mirrors: their pages up, the deployment `setup` builds (one function's
 * configuration, one provider), the calls recorded during the reconcile alone; `isList` tells a list call by its op.
 */
export async function measureReconcile(
  n: number,
  isList: (op: string) => boolean,
  setup: (url: (i: number, member: string) => string) => Promise<ReconcileSetup>,
): Promise<MirrorsRow> {
  const pages = await memberPages(n);
  try {
    const s = await setup(pages.url);
    try {
      const config = parseConfig(JSON.stringify({ mirrors: s.mirrors }));
      const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => s.provider });
      const before = s.calls().length;
      const ms = await timedReconcile(engine);
      return rowOf(n, ms, s.calls().slice(before), isList);
    } finally {
      await s.close();
    }
  } finally {
    pages.close();
  }
}

/** Run one scheduled reconcile; every mirror must come out unchanged (the VIPs are on their primaries). */
async function timedReconcile(engine: FailoverEngine): Promise<number> {
  const t0 = performance.now();
  const replies = await engine.reconcile('schedule');
  const ms = performance.now() - t0;
  const bad = replies.filter((r) => r.result.outcome !== 'unchanged');
  if (bad.length) throw new Error(`${bad.length} mirrors did not reconcile: ${JSON.stringify(bad[0]?.result)}`);
  return ms;
}

/** The row of `n` mirrors from the emulator's recorded calls; `isList` tells a list/describe call by its op. */
function rowOf(
  n: number,
  ms: number,
  calls: readonly { op: string; write: boolean }[],
  isList: (op: string) => boolean,
): MirrorsRow {
  const lists = calls.filter((c) => !c.write && isList(c.op)).length;
  const writes = calls.filter((c) => c.write).length;
  return { mirrors: n, ms, calls: calls.length, lists, reads: calls.length - lists - writes, writes };
}

/** Print one cloud's rows as a table. */
export function printRows(title: string, rows: readonly MirrorsRow[]): void {
  console.log(title);
  console.log('mirrors | time     | calls | list/describe | per-resource reads | writes');
  for (const r of rows) {
    const cells = [
      String(r.mirrors).padStart(7),
      `${Math.round(r.ms)} ms`.padEnd(8),
      String(r.calls).padEnd(5),
      String(r.lists).padEnd(13),
      String(r.reads).padEnd(18),
      String(r.writes),
    ];
    console.log(cells.join(' | '));
  }
}
