import { type AuthClient, GoogleAuth, PassThroughClient } from 'google-auth-library';
import type { SecretSlot } from '../../config/paused.ts';
import { ProviderError, TransientError } from '../../errors.ts';
import { SECRET_REF, SECRET_REF_FORM } from './endpoint.ts';

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

/** The base URL without a trailing slash and one auth client for it, made on first use. */
function session(opts: SecretManagerOptions) {
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
  return { base, client };
}

/**
 * Read a secret version (`projects/P/secrets/S/versions/latest`) with one REST call, `…:access`. The REST call
 * through the auth client avoids loading the Secret Manager client library for one read at cold start.
 */
export function secretManagerReader(opts: SecretManagerOptions = {}): (name: string) => Promise<string> {
  const { base, client } = session(opts);
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

/** The HTTP status of a failed call (gaxios puts the answer on the error), or undefined when none came back. */
const statusOf = (e: unknown) => (e as { response?: { status?: number } }).response?.status;

/** A failed Secret Manager call as the product's error, naming the secret and the status, never the payload. */
function secretError(what: string, ref: string, e: unknown): ProviderError {
  const status = statusOf(e);
  const detail = { ref, status: status ?? null };
  const message = `Secret Manager ${what} ${ref} failed: ${status ? `HTTP ${status}` : (e as Error).message}`;
  return status === undefined || status === 429 || status >= 500
    ? new TransientError(message, { cause: e, detail })
    : new ProviderError(message, { cause: e, detail, code: 'secret_store_error' });
}

/**
 * A mirror's pause secret (`projects/P/secrets/S`) through two REST calls: read `versions/latest:access` (404, no
 * version yet: null) and write `:addVersion`, the two permissions the function is granted on that secret only.
 */
export function secretManagerSlot(opts: SecretManagerOptions = {}): SecretSlot {
  const { base, client } = session(opts);
  const timeout = opts.timeoutMs ?? 3000;
  const checked = (ref: string) => {
    if (!SECRET_REF.test(ref)) throw new ProviderError(`not a secret name (${SECRET_REF_FORM}): ${ref}`);
    return ref;
  };
  return {
    async read(ref) {
      const url = `${base}/v1/${checked(ref)}/versions/latest:access`;
      try {
        const res = await (await client()).request<AccessResponse>({ url, method: 'GET', timeout, retry: false });
        const data = res.data.payload?.data;
        if (typeof data !== 'string') throw new ProviderError(`${ref}: the latest version has no payload`);
        return Buffer.from(data, 'base64').toString('utf8');
      } catch (e: unknown) {
        if (e instanceof ProviderError) throw e;
        if (statusOf(e) === 404) return null;
        throw secretError('read of', ref, e);
      }
    },
    async write(ref, text) {
      const url = `${base}/v1/${checked(ref)}:addVersion`;
      const data = { payload: { data: Buffer.from(text, 'utf8').toString('base64') } };
      try {
        await (await client()).request({ url, method: 'POST', data, timeout, retry: false });
      } catch (e: unknown) {
        throw secretError('addVersion on', ref, e);
      }
    },
  };
}
