import { ProviderError, TransientError } from '../../errors.ts';

/** Resource Manager error codes the provider reacts to (in ProviderError.detail.apiCode). */
export const ARM_CODES = {
  staleEtag: 'PreconditionFailed',
  notFound: 'NotFound',
  throttled: 'TooManyRequests',
  busy: 'AnotherOperationInProgress',
  retryable: 'RetryableError',
  privateIpInUse: 'PrivateIPAddressIsAllocated',
  publicIpInUse: 'PublicIPAddressInUse',
} as const;

const TRANSIENT_CODES = new Set<string>([ARM_CODES.throttled, ARM_CODES.busy, ARM_CODES.retryable]);
const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|network|fetch failed/i;

interface RestErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  request?: { headers?: { get(n: string): string | undefined } };
  response?: { headers?: { get(n: string): string | undefined }; bodyAsText?: string | null };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Turn an @azure/arm-network RestError into ProviderError, or TransientError when a retry may help: 429, 5xx,
 * `AnotherOperationInProgress`, `RetryableError`, network failures. A 412 (stale ETag) is a ProviderError whose
 * apiCode tells the caller to re-read and write again: a retry of the same body would fail the same way.
 */
export function classifyArmError(op: string, e: unknown): Error {
  if (e instanceof ProviderError) return e;
  const err = (e ?? {}) as RestErrorShape;
  const status = err.statusCode;
  const header = (n: string) => err.response?.headers?.get(n);
  let apiCode = typeof err.code === 'string' && err.code ? err.code : status ? `HTTP_${status}` : (err.name ?? 'Error');
  if (status === 412) apiCode = ARM_CODES.staleEtag;
  if (status === 404 && !/NotFound$/.test(apiCode)) apiCode = ARM_CODES.notFound;
  if (status === 429) apiCode = ARM_CODES.throttled;
  const message = (err.message ?? String(e)).split('\n')[0]?.slice(0, 300);
  const transient =
    TRANSIENT_CODES.has(apiCode) ||
    (status !== undefined && status >= 500) ||
    (status === undefined && NETWORK.test(`${err.code ?? ''} ${message}`));
  const detail = {
    apiCode,
    status,
    op,
    requestId: header('x-ms-request-id'),
    retryAfterMs: retryAfterMs(header('retry-after')),
  };
  const text = `${op} failed: ${apiCode}: ${message}`;
  return transient ? new TransientError(text, { cause: e, detail }) : new ProviderError(text, { cause: e, detail });
}

/** An LRO that ended Failed or Canceled: fail clearly, with the operation's own code and message. */
export function operationFailure(op: string, target: string, e: unknown): ProviderError {
  const err = (e ?? {}) as { code?: string; message?: string };
  // core-lro puts the operation's error code in the message: "The long-running operation has failed. CODE. text"
  const inMessage = /operation has failed\. (\w+)\./.exec(err.message ?? '')?.[1];
  const code = err.code ?? inMessage ?? (/cancel/i.test(err.message ?? '') ? 'Canceled' : 'Failed');
  return new ProviderError(`${op} on ${target} ended ${code}: ${err.message ?? 'the operation failed'}`, {
    code: 'operation_failed',
    cause: e,
    detail: { apiCode: code, op, target },
  });
}

/** The API code inside a ProviderError, if any. */
export function apiCodeOf(e: unknown): string | undefined {
  return e instanceof ProviderError ? (e.detail?.apiCode as string | undefined) : undefined;
}
