import type { IncomingMessage } from 'node:http';

/**
 * A request body, at most `maxBytes`. Past the cap it stops buffering and fails with `tooLarge()` at once, but keeps
 * reading (and dropping) the rest, so the emulator's error answer still reaches the client.
 */
export function readCapped(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) reject(tooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
