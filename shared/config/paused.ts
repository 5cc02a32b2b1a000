import type { PauseState, PauseStore } from '../core/operator.ts';
import { ConfigError, DecisionError } from '../errors.ts';
import type { Config } from './schema.ts';

/** The setting that pauses mirrors on GCP, Azure and OCI: mirror names, comma-separated (terraform `paused_mirrors`). */
export const PAUSED_ENV = 'MIRROR_VIP_PAUSED';

/**
 * A pause held in the function's own configuration (GCP, Azure, OCI). Every instance reads the same setting, a
 * change rolls out as a new revision / restart, and the function needs no write right on any store: its role stays
 * the narrow client's list. So `pause` / `resume` through the function are refused (typed, 501), naming the setting;
 * the engine honours the pause and `inspect` reports it. AWS keeps its SSM store (functions/aws/aws-operator.ts).
 */
export function configPauseStore(
  config: Config,
  env: Record<string, string | undefined>,
  where: string,
  startedAt = new Date(),
): PauseStore {
  const names = (env[PAUSED_ENV] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const known = new Set(config.mirrors.map((m) => m.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length)
    throw new ConfigError(
      `${PAUSED_ENV} names ${unknown.join(', ')}, not a configured mirror (${[...known].join(', ')})`,
    );
  const paused = new Set(names);
  const state: PauseState = { by: PAUSED_ENV, since: startedAt.toISOString(), reason: `set in ${where}` };
  const refuse = (): never => {
    throw new DecisionError(
      'pause_in_configuration',
      `on this cloud a pause is part of the deployment: add the mirror to ${where} (${PAUSED_ENV}) and apply; see docs/operate.md`,
      501,
    );
  };
  return {
    get: async (mirror) => (paused.has(mirror) ? state : null),
    set: async () => refuse(),
    clear: async () => refuse(),
  };
}
