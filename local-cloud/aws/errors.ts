/** An error the emulated API answers with: a stable code, a message and the HTTP status the real service uses. */
export class EmulatorApiError extends Error {
  override readonly name = 'EmulatorApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400 MissingParameter naming the absent parameter, as EC2 words it. */
export function missingParameter(name: string): EmulatorApiError {
  return new EmulatorApiError('MissingParameter', `The request must contain the parameter ${name}`);
}

/** 400 InvalidParameterValue. */
export function invalidValue(message: string): EmulatorApiError {
  return new EmulatorApiError('InvalidParameterValue', message);
}
