import { ProviderError, TransientError } from '../../errors.ts';
import type { OperationView } from './compute-api.ts';

/** gRPC codes that google-gax 5+ puts in `e.code` for Compute's HTTP statuses (sdk-notes). */
const GRPC = {
  INVALID_ARGUMENT: 3, // 400
  DEADLINE_EXCEEDED: 4, // 504 or a client-side timeout
  NOT_FOUND: 5, // 404
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, // 403
  RESOURCE_EXHAUSTED: 8, // 429
  FAILED_PRECONDITION: 9, // 412
  ABORTED: 10, // 409
  INTERNAL: 13, // 500
  UNAVAILABLE: 14, // 503
  UNAUTHENTICATED: 16, // 401
} as const;

/** Stable API codes the provider reacts to (in ProviderError.detail.apiCode). */
export const API_CODES = {
  staleFingerprint: 'conditionNotMet',
  notFound: 'notFound',
  alreadyExists: 'alreadyExists',
  invalid: 'invalid',
  notReady: 'resourceNotReady',
  rateLimited: 'rateLimitExceeded',
} as const;

const NAMES: Record<number, string> = {
  [GRPC.INVALID_ARGUMENT]: API_CODES.invalid,
  [GRPC.DEADLINE_EXCEEDED]: 'deadlineExceeded',
  [GRPC.NOT_FOUND]: API_CODES.notFound,
  [GRPC.ALREADY_EXISTS]: API_CODES.alreadyExists,
  [GRPC.PERMISSION_DENIED]: 'forbidden',
  [GRPC.RESOURCE_EXHAUSTED]: 'rateLimitExceeded',
  [GRPC.FAILED_PRECONDITION]: API_CODES.staleFingerprint,
  [GRPC.ABORTED]: 'aborted',
  [GRPC.INTERNAL]: 'backendError',
  [GRPC.UNAVAILABLE]: 'backendError',
  [GRPC.UNAUTHENTICATED]: 'unauthenticated',
};
const TRANSIENT_CODES = new Set<number>([
  GRPC.DEADLINE_EXCEEDED,
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.INTERNAL,
  GRPC.UNAVAILABLE,
]);
const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|network|fetch failed/i;

interface GaxErrorShape {
  code?: number | string;
  /** ErrorInfo reason, when the answer carries one (RATE_LIMIT_EXCEEDED). */
  reason?: string;
  httpStatusCode?: number;
  message?: string;
  name?: string;
}

/**
 * Turn a Compute client error into ProviderError, or TransientError when a retry may help: 429, 5xx, timeouts,
 * network failures, 403 rate limits (Compute's rateLimitExceeded), and 400 resourceNotReady (another operation
 * is still running on the same instance).
 * A 409 on routes.insert means the name exists; any other 409 is a concurrent change and is retried.
 */
export function classifyGcpError(op: string, e: unknown): Error {
  if (e instanceof ProviderError) return e;
  const err = (e ?? {}) as GaxErrorShape;
  const grpc = typeof err.code === 'number' ? err.code : undefined;
  const message = err.message ?? String(e);
  const notReady = /is not ready|resourceNotReady/i.test(message);
  // Compute rate-limits with 403 rateLimitExceeded (not 429): "Quota exceeded for quota metric|group … per minute"
  const rateLimited =
    grpc === GRPC.PERMISSION_DENIED &&
    (err.reason === 'RATE_LIMIT_EXCEEDED' || /rate ?limit|Quota exceeded for quota (metric|group)/i.test(message));
  const conflict = grpc === GRPC.ABORTED && !/already exists/i.test(message);
  let apiCode = grpc !== undefined ? (NAMES[grpc] ?? `grpc-${grpc}`) : (err.name ?? 'Error');
  if (grpc === GRPC.ABORTED && !conflict) apiCode = API_CODES.alreadyExists;
  if (notReady) apiCode = API_CODES.notReady;
  if (rateLimited) apiCode = API_CODES.rateLimited;
  const transient =
    rateLimited ||
    (grpc !== undefined && TRANSIENT_CODES.has(grpc)) ||
    (err.httpStatusCode !== undefined && err.httpStatusCode >= 500) ||
    notReady ||
    conflict ||
    (grpc === undefined && NETWORK.test(`${err.code ?? ''} ${message}`));
  const detail = { apiCode, status: err.httpStatusCode, grpcCode: grpc, op };
  const text = `${op} failed: ${apiCode}: ${message.split('\n')[0]?.slice(0, 300)}`;
  return transient ? new TransientError(text, { cause: e, detail }) : new ProviderError(text, { cause: e, detail });
}

/** A DONE operation that ended in an error: fail clearly, naming the operation and the API's own code and message. */
export function operationFailure(op: string, what: string, done: OperationView): ProviderError {
  const code = done.error?.code ?? `HTTP_${done.httpErrorStatusCode ?? '?'}`;
  const message = done.error?.message ?? 'the operation ended with an error';
  return new ProviderError(`${op} on ${what} ended with ${code}: ${message}`, {
    code: 'operation_failed',
    detail: { apiCode: code, operation: done.name, status: done.httpErrorStatusCode, op },
  });
}

/** The API code inside a ProviderError, if any. */
export function apiCodeOf(e: unknown): string | undefined {
  return e instanceof ProviderError ? (e.detail?.apiCode as string | undefined) : undefined;
}
