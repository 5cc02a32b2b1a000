import { ConfigError } from '../../shared/errors.ts';

/** The ConfigError that `fn` throws; anything else, or nothing, fails the test. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** The status and service code an OCI SDK call failed with; a call that succeeds fails the test. */
export async function ociFailure(p: Promise<unknown>): Promise<{ status?: number; code?: string }> {
  try {
    await p;
  } catch (e: unknown) {
    const err = e as { statusCode?: number; serviceCode?: string };
    return { status: err.statusCode, code: err.serviceCode };
  }
  throw new Error('expected the call to fail');
}
