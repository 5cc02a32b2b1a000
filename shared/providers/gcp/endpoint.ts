import { ConfigError } from '../../errors.ts';
import type { ComputeEndpoint } from './compute-sdk.ts';

/** Environment variables of the GCP function besides the configuration (see shared/config/load.ts). */
export const GCP_ENV = {
  /** Compute API base URL, e.g. an emulator `http://127.0.0.1:8085`; default the real API. */
  computeEndpoint: 'MIRROR_VIP_GCP_COMPUTE_ENDPOINT',
  /** Secret Manager API base URL; default https://secretmanager.googleapis.com. */
  secretsEndpoint: 'MIRROR_VIP_GCP_SECRETS_ENDPOINT',
} as const;

/** A pause secret's reference in MIRROR_VIP_PAUSE_SECRETS; the project is an id or a number. */
export const SECRET_REF = /^projects\/[a-z0-9][-a-z0-9.:]{0,62}\/secrets\/[A-Za-z0-9_-]{1,255}$/;
export const SECRET_REF_FORM = 'projects/P/secrets/S';

/** Parse an endpoint variable into the client's options; plain http means an emulator, which gets no credentials. */
export function parseEndpoint(env: Record<string, string | undefined>, variable: string): ComputeEndpoint | undefined {
  const raw = env[variable];
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${variable}: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${variable}: use http:// or https://`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}
