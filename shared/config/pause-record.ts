import { z } from 'zod';
import type { PauseState, PauseView } from '../core/operator.ts';

/**
 * The one pause record format of all four clouds (AWS SSM parameter; GCP, Azure, OCI secret version):
 * `{"paused":true,by,since,reason?,generation}` while paused, `{"paused":false,by,since,generation}` after a resume.
 * `generation` counts the writes made through the function: a pause or resume names the generation it was based on
 * and is refused when that is no longer the current one, so a captured request cannot be replayed (docs/protocol.md).
 */
const MAX_RECORD = 4096;

/** A pause store whose text is not a well-formed record (never counted as paused). */
export class PauseRecordError extends Error {
  override name = 'PauseRecordError';
}
const generation = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31);
const record = z.discriminatedUnion('paused', [
  z.strictObject({
    paused: z.literal(true),
    by: z.string().min(1).max(200),
    since: z.iso.datetime(),
    reason: z.string().max(500).optional(),
    generation: generation.optional(),
  }),
  z.strictObject({
    paused: z.literal(false),
    by: z.string().min(1).max(200),
    since: z.iso.datetime(),
    generation: generation.optional(),
  }),
]);

/** The text of a record: `state` while paused, null for a resume (`resumedBy` says who and when). */
export function encodePause(state: PauseState | null, resumedBy?: { by: string; since: string }, gen = 0): string {
  if (state) return JSON.stringify({ paused: true, ...state, generation: gen });
  return JSON.stringify({
    paused: false,
    by: resumedBy?.by ?? 'mirror-vip',
    since: resumedBy?.since ?? new Date().toISOString(),
    generation: gen,
  });
}

/**
 * Reads a record's text; anything but a well-formed record throws, naming `where` (the engine then logs it loudly
 * and counts the mirror as not paused: a malformed store never pauses by accident). A record written before
 * generations existed is generation 0.
 */
export function decodePauseRecord(where: string, text: string): PauseView {
  if (text.length > MAX_RECORD)
    throw new PauseRecordError(`pause ${where} holds ${text.length} characters, not a record`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PauseRecordError(`pause ${where} does not hold JSON`);
  }
  const parsed = record.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PauseRecordError(
      `pause record ${where} is not a pause record: ${issue?.path.join('.') || 'value'}: ${issue?.message}`,
    );
  }
  const { paused, generation: gen = 0, ...rest } = parsed.data;
  if (!paused) return { paused: null, generation: gen };
  return { paused: rest as PauseState, generation: gen };
}

/** The pause state alone (null when not paused): what the engine and older callers need. */
export function decodePause(where: string, text: string): PauseState | null {
  return decodePauseRecord(where, text).paused;
}
