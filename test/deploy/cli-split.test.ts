import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';

const DIST = join(ROOT, 'dist');

/** The files a module loads before it runs: itself and its static imports, transitively (dynamic ones excluded). */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    // esbuild's minified static imports: import{a as b}from"./chunk.mjs" / import"./chunk.mjs"
    for (const m of code.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      const spec = m[1];
      if (spec) queue.push(join(file, '..', spec));
    }
  }
  return [...seen];
}

/** Strings only the cloud SDKs, the emulators or the drill carry. */
const HEAVY = ['DescribeRouteTablesCommand', 'arm-network', 'compute.v1', '"/privateIps"', '"netns","exec"'];

describe("the CLI bundle: a member's `mirror-vip notify` loads no cloud SDK", () => {
  const chunks = readdirSync(join(DIST, 'cli-chunks'));
  const notifyChunk = chunks.find((f) => f.startsWith('notify-once-'));

  it('splits the CLI: the entry and the notify path are small, the SDKs are chunks loaded on demand', () => {
    expect(notifyChunk).toBeDefined();
    const files = [
      ...new Set([
        ...staticClosure(join(DIST, 'cli.mjs')),
        ...staticClosure(join(DIST, 'cli-chunks', notifyChunk ?? '')),
      ]),
    ];
    const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
    const all = chunks.reduce((n, f) => n + statSync(join(DIST, 'cli-chunks', f)).size, 0);
    // zod, commander and the signing code: well under a tenth of the whole CLI
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(bytes * 10).toBeLessThan(all);
    for (const f of files) {
      const code = readFileSync(f, 'utf8');
      for (const marker of HEAVY) expect(code.includes(marker), `${f} carries ${marker}`).toBe(false);
    }
  });

  it('keeps the SDKs in the bundle for the commands that need them (the markers are real)', () => {
    const code = chunks.map((f) => readFileSync(join(DIST, 'cli-chunks', f), 'utf8')).join('\n');
    for (const marker of HEAVY) expect(code.includes(marker), marker).toBe(true);
  });
});
