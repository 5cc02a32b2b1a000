import { z } from 'zod';

/** Largest request body accepted, in bytes; anything longer is refused before it is parsed. */
export const MAX_BODY_BYTES = 4096;

/** Default accepted clock difference between the member and the function, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export const EVENT_TYPES = ['became-primary'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, . _ - (1 to 63, starting alphanumeric)');

/** The body of a signed event, protocol v1. Unknown fields are refused so that a typo is not silently ignored. */
export const eventSchema = z.strictObject({
  version: z.literal(1),
  type: z.enum(EVENT_TYPES),
  eventId: z.string().regex(/^[A-Za-z0-9._:-]{16,128}$/, '16 to 128 of A-Z a-z 0-9 . _ : -'),
  mirror: name,
  member: name,
  host: z.string().max(253).optional(),
  reason: z.string().max(256).optional(),
});

export type MirrorEvent = z.infer<typeof eventSchema>;

/** A body as a member sends it; eventId should be random (e.g. a UUID). */
export function eventBody(e: Omit<MirrorEvent, 'version' | 'type'> & { type?: EventType }): string {
  return JSON.stringify({ version: 1, ...e, type: e.type ?? 'became-primary' });
}
