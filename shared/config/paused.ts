import { z } from 'zod';
import type { PauseState, PauseStore } from '../core/operator.ts';
import { ConfigError, DecisionError } from '../errors.ts';
import type { Config } from './schema.ts';

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

const MAX_RECORD = 4096;
const record = z.union([
  z.strictObject({
    paused: z.literal(true),
    by: z.string().min(1).max(200),
    since: z.iso.datetime(),
    reason: z.string().max(500).optional(),
  }),
  z.strictObject({ paused: z.literal(false), by: z.string().min(1).max(200), since: z.iso.datetime() }),
]);

/** The text a pause secret holds: `{"paused":true,by,since,reason?}` while paused, `{"paused":false,by,since}` after. */
export function encodePause(state: PauseState | null, resumedBy?: { by: string; since: string }): string {
  if (state) return JSON.stringify({ paused: true, ...state });
  return JSON.stringify({
    paused: false,
    by: resumedBy?.by ?? 'mirror-vip',
    since: resumedBy?.since ?? new Date().toISOString(),
  });
}

/** Reads a pause secret's text; anything but a well-formed record throws (the engine then logs it and moves on). */
export function decodePause(ref: string, text: string): PauseState | null {
  if (text.length > MAX_RECORD) throw new Error(`pause secret ${ref} holds ${text.length} characters, not a record`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`pause secret ${ref} does not hold JSON`);
  }
  const parsed = record.safeParse(json);
  if (!parsed.success) throw new Error(`pause secret ${ref} is not a pause record: ${parsed.error.issues[0]?.message}`);
  if (!parsed.data.paused) return null;
  const { paused: _, ...state } = parsed.data;
  return state;
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
      if (held.has(mirror)) return deployed;
      const ref = secrets?.refs.get(mirror);
      if (!ref || !secrets) return null;
      const text = await secrets.slot.read(ref);
      return text === null ? null : decodePause(ref, text);
    },
    set: (mirror, state) => write(mirror, encodePause(state)),
    async clear(mirror, by) {
      if (held.has(mirror))
        throw new DecisionError(
          'paused_in_configuration',
          `mirror ${mirror} is paused by the deployment (${PAUSED_ENV}, ${where}): remove it there and apply`,
          409,
        );
      await write(mirror, encodePause(null, by));
    },
  };
}
