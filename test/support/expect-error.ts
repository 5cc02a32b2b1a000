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
