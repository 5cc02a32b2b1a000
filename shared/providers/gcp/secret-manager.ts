import { type AuthClient, GoogleAuth, PassThroughClient } from 'google-auth-library';

export const SECRET_MANAGER_URL = 'https://secretmanager.googleapis.com';

export interface SecretManagerOptions {
  /** Base URL of the Secret Manager API; a plain-http one (an emulator) gets no credentials. */
  baseUrl?: string;
  authClient?: AuthClient;
  timeoutMs?: number;
}

interface AccessResponse {
  payload?: { data?: string };
}

/**
 * Read a secret version (`projects/P/secrets/S/versions/latest`) with one REST call, `…:access`. The REST call
 * through the auth client avoids loading the Secret Manager client library for one read at cold start.
 */
export function secretManagerReader(opts: SecretManagerOptions = {}): (name: string) => Promise<string> {
  const base = (opts.baseUrl ?? SECRET_MANAGER_URL).replace(/\/+$/, '');
  let auth: Promise<AuthClient> | undefined;
  const client = () => {
    auth ??= opts.authClient
      ? Promise.resolve(opts.authClient)
      : base.startsWith('http:')
        ? Promise.resolve(new PassThroughClient())
        : new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getClient();
    return auth;
  };
  return async (name) => {
    if (!/^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/.test(name)) {
      throw new Error(`not a secret version name: ${name}`);
    }
    const res = await (await client()).request<AccessResponse>({
      url: `${base}/v1/${name}:access`,
      method: 'GET',
      timeout: opts.timeoutMs ?? 5000,
    });
    const data = res.data.payload?.data;
    if (typeof data !== 'string') throw new Error(`${name} has no payload`);
    return Buffer.from(data, 'base64')
      .toString('utf8')
      .replace(/\r?\n$/, '');
  };
}
