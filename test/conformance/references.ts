import { execFile, execFileSync } from 'node:child_process';
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
