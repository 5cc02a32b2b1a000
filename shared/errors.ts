/** Every error the product raises on purpose: a stable code, an HTTP status, and whether the message may be shown to the caller. */
export class MirrorVipError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly detail: Record<string, unknown> | undefined;
  constructor(
    code: string,
    message: string,
    opts: { status?: number; expose?: boolean; cause?: unknown; detail?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'MirrorVipError';
    this.code = code;
    this.status = opts.status ?? 500;
    this.expose = opts.expose ?? this.status < 500;
    this.detail = opts.detail;
  }
}

/** The configuration document or an environment variable is wrong; raised at cold start. */
export class ConfigError extends MirrorVipError {
  constructor(message: string, opts: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super('config_invalid', message, { status: 500, expose: false, ...opts });
    this.name = 'ConfigError';
  }
}

/** The request itself is unusable: too big, not JSON, missing headers, wrong shape. */
export class RequestError extends MirrorVipError {
  constructor(code: string, message: string, status = 400, detail?: Record<string, unknown>) {
    super(code, message, { status, expose: true, detail });
    this.name = 'RequestError';
  }
}

/** The signature, key, timestamp or event id does not pass. */
export class VerificationError extends MirrorVipError {
  constructor(code: string, message: string, status = 401, detail?: Record<string, unknown>) {
    super(code, message, { status, expose: true, detail });
    this.name = 'VerificationError';
  }
}

/** The event is authentic but must not move the VIP (unknown mirror, claimant not primary, stale, no single primary). */
export class DecisionError extends MirrorVipError {
  constructor(code: string, message: string, status = 409, detail?: Record<string, unknown>) {
    super(code, message, { status, expose: true, detail });
    this.name = 'DecisionError';
  }
}

/** A cloud call failed in a way a retry will not fix. */
export class ProviderError extends MirrorVipError {
  constructor(message: string, opts: { cause?: unknown; detail?: Record<string, unknown>; code?: string } = {}) {
    super(opts.code ?? 'provider_error', message, {
      status: 502,
      expose: true,
      cause: opts.cause,
      detail: opts.detail,
    });
    this.name = 'ProviderError';
  }
}

/** A cloud call failed in a way a retry may fix (throttling, 5xx, timeout, stale version token). */
export class TransientError extends ProviderError {
  constructor(message: string, opts: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super(message, { ...opts, code: 'provider_transient' });
    this.name = 'TransientError';
  }
}

/** The overall deadline ran out before the move converged. */
export class DeadlineError extends MirrorVipError {
  constructor(message: string, opts: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super('deadline_exceeded', message, { status: 504, expose: true, ...opts });
    this.name = 'DeadlineError';
  }
}

/** The move was applied but the read-back does not show the VIP on the target. */
export class ConvergenceError extends MirrorVipError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super('not_converged', message, { status: 502, expose: true, detail });
    this.name = 'ConvergenceError';
  }
}

/** Wrap anything thrown into a MirrorVipError without losing it. */
export function asMirrorVipError(e: unknown): MirrorVipError {
  if (e instanceof MirrorVipError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new MirrorVipError('internal_error', message, { status: 500, expose: false, cause: e });
}
