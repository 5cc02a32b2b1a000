import { ProviderError, TransientError } from '../../errors.ts';

const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InternalFailure',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError', 'RequestTimeout']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Turn an AWS SDK error into ProviderError, or TransientError when a retry may help (throttling, 5xx, network). */
export function classifyAwsError(op: string, e: unknown): Error {
  if (e instanceof Error && e.name === 'AbortError') return e;
  const err = (e ?? {}) as SdkErrorShape;
  const apiCode = err.name ?? err.code ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const detail = { apiCode, status, requestId: err.$metadata?.requestId, op };
  const message = `${op} failed: ${apiCode}: ${err.message ?? ''}`.trim();
  const transient =
    THROTTLING.has(apiCode) ||
    (status !== undefined && status >= 500) ||
    NETWORK.has(apiCode) ||
    NETWORK.has(err.code ?? '');
  return transient
    ? new TransientError(message, { cause: e, detail })
    : new ProviderError(message, { cause: e, detail });
}

/** The API error code inside a ProviderError, if any. */
export function apiCodeOf(e: unknown): string | undefined {
  return e instanceof ProviderError ? (e.detail?.apiCode as string | undefined) : undefined;
}
