import { execFile, spawn } from 'node:child_process';
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

/**
 * A stand-in for the Functions host serving one HTTP trigger of the bundled Azure function: a fresh node process
 * (so NODE_EXTRA_CA_CERTS and the managed identity variables in `env` apply as on the platform) imports the bundle
 * and answers every path on 127.0.0.1 with that export, each request built with @azure/functions' own HttpRequest.
 * The URL returned ends in /api/mirrorVip: the operator route mirrorVip/operator is <url>/operator.
 */
export async function serveAzureBundle(bundle: string, env: Record<string, string>, exportName = 'mirrorVipOperator') {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-azure-host-'));
  const script = join(dir, 'host.mjs');
  const functionsLib = join(ROOT, 'node_modules/@azure/functions/dist/azure-functions.js');
  writeFileSync(
    script,
    [
      "import { createServer } from 'node:http';",
      `const { default: azf } = await import(${JSON.stringify(functionsLib)});`,
      'const mod = await import(process.env.BUNDLE);',
      'const handler = mod[process.env.EXPORT];',
      'const server = createServer(async (req, res) => {',
      '  const chunks = [];',
      '  for await (const c of req) chunks.push(c);',
      '  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));',
      "  const body = req.method === 'GET' ? {} : { body: { bytes: new Uint8Array(Buffer.concat(chunks)) } };",
      '  const request = new azf.HttpRequest({ method: req.method, url: "http://127.0.0.1" + req.url, headers, ...body });',
      '  const ctx = new azf.InvocationContext({ functionName: process.env.EXPORT, invocationId: crypto.randomUUID(), logHandler: () => {} });',
      '  try {',
      '    const out = await handler(request, ctx);',
      "    res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...(out.headers ?? {}) });",
      '    res.end(JSON.stringify(out.jsonBody));',
      '  } catch (e) {',
      "    res.writeHead(500, { 'content-type': 'text/plain' });",
      '    res.end(String(e));',
      '  }',
      '});',
      "server.listen(0, '127.0.0.1', () => process.stdout.write('\\n@@LISTENING ' + server.address().port + '\\n'));",
    ].join('\n'),
  );
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env, BUNDLE: bundle, EXPORT: exportName },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /@@LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the Azure host stand-in exited ${code}: ${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/api/mirrorVip`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
