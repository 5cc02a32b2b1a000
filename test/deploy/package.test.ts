import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';

const run = promisify(execFile);

describe('npm pack: the CLI and the notifier for a member or an admin machine', () => {
  it('packs the bundled CLI, its bin, the one-file notifier and the docs, and no sources or tests', async () => {
    // --ignore-scripts: the test must not rebuild; prepack builds dist/cli.mjs on a real pack.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining(['bin/mirror-vip.mjs', 'iris/mirror_vip_notify.py', 'docs/iris.md', 'package.json']),
    );
    if (existsSync(join(ROOT, 'dist/cli.mjs'))) {
      expect(files).toContain('dist/cli.mjs');
      // the CLI is split into chunks that the entry imports: every one of them must ship
      const chunks = readdirSync(join(ROOT, 'dist/cli-chunks')).map((f) => `dist/cli-chunks/${f}`);
      expect(chunks.length).toBeGreaterThan(0);
      expect(files).toEqual(expect.arrayContaining(chunks));
    }
    expect(files.filter((f) => /^(test|local-cloud|shared|functions|cli|terraform)\//.test(f))).toEqual([]);
  }, 60_000);
});
