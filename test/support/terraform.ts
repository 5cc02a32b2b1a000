import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Terraform with no network and no user configuration: nothing to download, nothing to phone home. */
export const tfEnv = (dir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_CLI_CONFIG_FILE: join(dir, 'none.tfrc'),
});

/** `${expr}`, as an HCL interpolation. */
export const ref = (expr: string) => `\${${expr}}`;

/**
 * Evaluate expressions with `terraform console` in `dir` (a module of variables and locals needs no provider).
 * A failed expression still exits 0 and prints diagnostics on stderr, so any stderr is a failure.
 */
export function terraformConsole(dir: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', ['console', '-no-color'], { cwd: dir, env: tfEnv(dir) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => reject(new Error(`terraform is needed for this test: ${e.message}`)));
    child.on('close', (code) =>
      code === 0 && !err ? resolve(out) : reject(new Error(`terraform console: ${err}${out}`)),
    );
    child.stdin.end(`${input}\n`);
  });
}

/**
 * Evaluates HCL expressions against a module's own variables and locals files, with no provider: `stub` stands in
 * for the locals that come from data sources or resources. Returns one JSON value per expression.
 */
export async function evaluateModule(
  moduleDir: string,
  files: string[],
  stub: Record<string, unknown>,
  vars: Record<string, unknown>,
  exprs: string[],
): Promise<unknown[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tf-'));
  try {
    for (const f of files) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    const lines = [
      ...Object.entries(stub).map(([k, v]) => `  ${k} = ${v === null ? 'null' : JSON.stringify(v)}`),
      ...exprs.map((e, i) => `  probe_${i} = ${e}`),
    ];
    if (lines.length) writeFileSync(join(dir, 'probe.tf'), `locals {\n${lines.join('\n')}\n}\n`);
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify(vars));
    const out = await terraformConsole(dir, `jsonencode([${exprs.map((_, i) => `local.probe_${i}`).join(', ')}])`);
    return JSON.parse(JSON.parse(out.trim())) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
