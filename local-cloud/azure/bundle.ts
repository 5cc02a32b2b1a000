import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../bundles.ts';

const run = promisify(execFile);

/**
 * Import the bundled Azure function (a real .mjs file, as the Node worker loads it) in a fresh node process, hand
 * its exported HTTP trigger one request built with @azure/functions' own HttpRequest, and return the response, the
 * time from process start to the answer, and the function's stdout lines (its log).
 */
export async function invokeAzureBundle(
  bundle: string,
  req: { body: string; headers: Record<string, string> },
  env: Record<string, string>,
  exportName = 'mirrorVip',
) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-azure-bundle-'));
  const script = join(dir, 'invoke.mjs');
  const functionsLib = join(ROOT, 'node_modules/@azure/functions/dist/azure-functions.js');
  writeFileSync(
    script,
    [
      'const t0 = performance.now();',
      `const { default: azf } = await import(${JSON.stringify(functionsLib)});`,
      'const mod = await import(process.env.BUNDLE);',
      'const loadedMs = performance.now() - t0;',
      'const r = JSON.parse(process.env.REQUEST);',
      "const req = new azf.HttpRequest({ method: 'POST', url: 'https://mirror-vip.azurewebsites.net/api/mirrorVip', headers: r.headers, body: { string: r.body } });",
      "const ctx = new azf.InvocationContext({ functionName: 'mirrorVip', invocationId: 'bundle-test' });",
      'const out = await mod[process.env.EXPORT](req, ctx);',
      "process.stdout.write('\\n@@RESULT ' + JSON.stringify({ out, loadedMs, ms: performance.now() - t0 }) + '\\n');",
    ].join('\n'),
  );
  const { stdout, stderr } = await run(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env, BUNDLE: bundle, REQUEST: JSON.stringify(req), EXPORT: exportName },
  });
  const marker = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (!marker) throw new Error(`bundle printed no result; stderr: ${stderr}`);
  const parsed = JSON.parse(marker.slice('@@RESULT '.length)) as {
    out: { status?: number; jsonBody?: unknown };
    loadedMs: number;
    ms: number;
  };
  const log = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...parsed, log, stderr };
}
