import { execFileSync } from 'node:child_process';

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
