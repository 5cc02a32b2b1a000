import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

/** Fail with a clear message (never skip) when an independent reference tool is not installed. */
export function requireTool(what: string, check: () => void, install: string): void {
  try {
    check();
  } catch (e: unknown) {
    throw new Error(
      `${what} is required by the conformance tests and is not usable here (${(e as Error).message.split('\n')[0]}); install it: ${install}`,
    );
  }
}

export const requireGcloud = () =>
  requireTool(
    'the gcloud CLI',
    () => execFileSync('gcloud', ['--version'], { stdio: 'pipe', timeout: 60_000 }),
    'https://cloud.google.com/sdk/docs/install (Debian: apt-get install google-cloud-cli)',
  );

export const requireMoto = () =>
  requireTool(
    'python3 with moto[server] 5.x',
    () => execFileSync('python3', ['-c', 'import moto, moto.server, flask'], { stdio: 'pipe' }),
    "pip install 'moto[server]>=5.2'",
  );

const run = promisify(execFile);

/**
 * Run `gcloud <group> …` against an emulator: its own config folder, no credentials, no prompts, no update check or
 * usage report; `overrides` are the API endpoint variables (CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>). Never throws.
 */
export function gcloudRunner(opts: { config: () => string; project: string; overrides: () => Record<string, string> }) {
  return async (args: string[]) => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: opts.config(),
      CLOUDSDK_CONFIG: opts.config(),
      ...opts.overrides(),
      CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_PROJECT: opts.project,
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    };
    try {
      const { stdout, stderr } = await run('gcloud', args, { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (e: unknown) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: x.code ?? 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const MOTO = `
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
server.start()
print("ready", flush=True)
sys.stdin.read()
server.stop()
`;

/** moto's server (ThreadedMotoServer) from python3 on a free loopback port; stop it by closing its stdin. */
export async function startMoto(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('python3', ['-c', MOTO, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    proc.once('exit', (code) => reject(new Error(`moto exited with ${code}: ${err.slice(-500)}`)));
  });
  return { url: `http://127.0.0.1:${port}`, proc };
}
