/** The most of an answer the clients read: a mirror-vip answer is a few KB; anything longer is not one. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** A body read to at most `max` bytes; the rest is never read (the stream is cancelled), so memory stays bounded. */
export async function readBounded(
  res: Response,
  max = MAX_ANSWER_BYTES,
): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!res.body) return { text: '', bytes: 0, truncated: false };
  const chunks: Buffer[] = [];
  let bytes = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated: false };
      bytes += value.length;
      chunks.push(Buffer.from(value));
      if (bytes > max) {
        await reader.cancel().catch(() => undefined);
        return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), bytes, truncated: true };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** The body as a JSON object, or undefined (not JSON, or not an object). */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a 2xx body is a mirror-vip answer that says the request was done: `ok: true` and, per kind, the fields
 * the function always sends (an event: `outcome`; an operator request: `action` equal to the one asked). A 200 HTML
 * page, `{"ok":false}` or any other shape is not.
 */
export function isDone(body: Record<string, unknown> | undefined, want: { outcome: true } | { action: string }) {
  if (body?.ok !== true) return false;
  if ('outcome' in want) return typeof body.outcome === 'string' && body.outcome.length > 0;
  return body.action === want.action;
}
