import { ProviderError, TransientError } from '../../errors.ts';

/** Stable API codes the provider reacts to (OCI `serviceCode`, in ProviderError.detail.apiCode). */
export const OCI_CODES = {
  conflict: 'Conflict',
  staleEtag: 'NoEtagMatch',
  notFound: 'NotAuthorizedOrNotFound',
  throttled: 'TooManyRequests',
} as const;

interface OciErrorShape {
  statusCode?: number;
  serviceCode?: string;
  message?: string;
  opcRequestId?: string;
  name?: string;
}

const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|fetch failed|network/i;

/**
 * Turn an OciError into ProviderError, or TransientError when a retry may help: 409 (a concurrent change or the
 * resource is busy), 412 (a stale etag: the caller re-reads first), 429 and 5xx, network failures.
 */
export function classifyOciError(op: string, e: unknown): Error {
  if (e instanceof ProviderError) return e;
  if (e instanceof Error && e.name === 'AbortError') return e;
  const err = (e ?? {}) as OciErrorShape;
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const apiCode = err.serviceCode ?? (status ? `HTTP_${status}` : (err.name ?? 'Error'));
  const message = String(err.message ?? e)
    .split('\n')[0]
    ?.slice(0, 300);
  const transient =
    status === 409 ||
    status === 412 ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (status === undefined && NETWORK.test(`${message} ${String((e as { cause?: unknown })?.cause ?? '')}`));
  const detail = { apiCode, status, op, requestId: err.opcRequestId };
  const text = `${op} failed: ${status ?? ''} ${apiCode}: ${message}`;
  return transient ? new TransientError(text, { cause: e, detail }) : new ProviderError(text, { cause: e, detail });
}

/** The HTTP status inside a ProviderError, if any. */
export const statusOf = (e: unknown): number | undefined =>
  e instanceof ProviderError ? (e.detail?.status as number | undefined) : undefined;
