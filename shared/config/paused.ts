import type { PauseState, PauseStore } from '../core/operator.ts';
import { ConfigError, DecisionError } from '../errors.ts';
import { decodePauseRecord, encodePause } from './pause-record.ts';
import type { Config } from './schema.ts';

export { decodePause, decodePauseRecord, encodePause } from './pause-record.ts';

/** The deployment's pause on GCP, Azure and OCI: mirror names, comma-separated (terraform `paused_mirrors`). */
export const PAUSED_ENV = 'MIRROR_VIP_PAUSED';
/** Where `mirror-vip pause|resume` write on GCP, Azure and OCI: a JSON object, mirror name → that cloud's secret. */
export const PAUSE_SECRETS_ENV = 'MIRROR_VIP_PAUSE_SECRETS';

/**
 * One secret per mirror that holds its pause as the latest (current) version's text. Each cloud gives two calls on
 * its secret store and nothing else: the function is granted "add a version" and "read the latest" on those named
 * secrets only (GCP Secret Manager, Azure Key Vault, OCI Vault). Resume writes a new version too, so no delete right.
 */
export interface SecretSlot {
  /** The latest version's text, or null when the secret has no version yet. */
  read(ref: string): Promise<string | null>;
  /** Adds a version holding `text` and makes it the latest. */
  write(ref: string, text: string): Promise<void>;
}

/** MIRROR_VIP_PAUSE_SECRETS checked at cold start: JSON, configured mirrors only, each reference in the cloud's form. */
export function pauseSecretsFromEnv(
  config: Config,
  env: Record<string, string | undefined>,
  refPattern: RegExp,
  refForm: string,
): Map<string, string> {
  const raw = env[PAUSE_SECRETS_ENV]?.trim();
  if (!raw) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${PAUSE_SECRETS_ENV} is not JSON (an object: mirror name → ${refForm})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError(`${PAUSE_SECRETS_ENV} must be a JSON object: mirror name → ${refForm}`);
  const known = new Set(config.mirrors.map((m) => m.name));
  const out = new Map<string, string>();
  for (const [mirror, ref] of Object.entries(json)) {
    if (!known.has(mirror))
      throw new ConfigError(`${PAUSE_SECRETS_ENV} names ${mirror}, not a configured mirror (${[...known].join(', ')})`);
    if (typeof ref !== 'string' || !refPattern.test(ref))
      throw new ConfigError(`${PAUSE_SECRETS_ENV}.${mirror} must be ${refForm}, got ${JSON.stringify(ref)}`);
    out.set(mirror, ref);
  }
  return out;
}

/** The generation a pause secret holds; 0 when it has none or cannot be read (the deployment's pause is in force). */
async function secretGeneration(ref: string | undefined, slot: SecretSlot | undefined): Promise<number> {
  if (!ref || !slot) return 0;
  try {
    const text = await slot.read(ref);
    return text === null ? 0 : decodePauseRecord(ref, text).generation;
  } catch {
    return 0;
  }
}

/**
 * The pause on GCP, Azure and OCI. Two layers, read in this order:
 * - the deployment's MIRROR_VIP_PAUSED (break-glass, needs the deploy rights): honoured and reported, never written
 *   here, so `resume` of a mirror it names is refused (409) and changes nothing;
 * - the mirror's pause secret (MIRROR_VIP_PAUSE_SECRETS), which `pause` / `resume` through the function write.
 * A mirror with no pause secret gets `pause` / `resume` refused (501), naming the setting; nothing is written.
 */
export function deploymentPauseStore(
  config: Config,
  env: Record<string, string | undefined>,
  where: string,
  secrets?: { refs: ReadonlyMap<string, string>; slot: SecretSlot },
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
  const held = new Set(names);
  const deployed: PauseState = { by: PAUSED_ENV, since: startedAt.toISOString(), reason: `set in ${where}` };
  /** Adds a version to the mirror's pause secret; a mirror without one is refused (501) and nothing is written. */
  const write = async (mirror: string, text: string) => {
    const ref = secrets?.refs.get(mirror);
    if (!ref || !secrets)
      throw new DecisionError(
        'pause_store_not_configured',
        `mirror ${mirror} has no pause secret in ${PAUSE_SECRETS_ENV} (terraform creates one per mirror with operator keys); or pause it in ${where} (${PAUSED_ENV}); see docs/operate.md`,
        501,
      );
    await secrets.slot.write(ref, text);
  };
  return {
    async get(mirror) {
      const ref = secrets?.refs.get(mirror);
      if (held.has(mirror)) {
        // the generation still comes from the secret, so a resume after the deployment's pause is lifted can name it
        return { paused: deployed, generation: await secretGeneration(ref, secrets?.slot) };
      }
      if (!ref || !secrets) return { paused: null, generation: 0 };
      const text = await secrets.slot.read(ref);
      return text === null ? { paused: null, generation: 0 } : decodePauseRecord(`secret ${ref}`, text);
    },
    set: (mirror, state, generation) => write(mirror, encodePause(state, undefined, generation)),
    async clear(mirror, by, generation) {
      if (held.has(mirror))
        throw new DecisionError(
          'paused_in_configuration',
          `mirror ${mirror} is paused by the deployment (${PAUSED_ENV}, ${where}): remove it there and apply`,
          409,
        );
      await write(mirror, encodePause(null, by, generation));
    },
  };
}
