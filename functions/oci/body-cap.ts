import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { rejectedResult } from '../../shared/core/result.ts';
import { MAX_BODY_BYTES } from '../../shared/protocol/event.ts';
import { MAX_MESSAGE_BYTES } from './oci-events.ts';

/** The cap of one invocation: a gateway request is a signed event (4 KB); any other, a Notifications message. */
export const capOf = (req: IncomingMessage) => (req.headers['fn-http-method'] ? MAX_BODY_BYTES : MAX_MESSAGE_BYTES);

/**
 * The FDK answers Fn with 200 and carries the gateway's status in Fn-Http-Status (fdk-node's http-stream contract),
 * so a refusal is sent the same way: the API Gateway then answers 413 with this typed body.
 */
function refuse(res: ServerResponse, cap: number): void {
  const body = JSON.stringify(rejectedResult('body_too_large', `body is over the ${cap}-byte limit`));
  res.writeHead(200, { 'content-type': 'application/json', 'fn-http-status': '413', connection: 'close' });
  res.end(body, () => res.socket?.destroy());
}

/** Read at most `cap` bytes; null as soon as the body is longer (nothing past the cap is kept or read on). */
function readCapped(req: IncomingMessage, cap: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > cap) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The FDK's listener, fed a request whose body was read (capped) first: the FDK buffers what it is given. */
function capped(fdkListener: RequestListener): RequestListener {
  return (req, res) => {
    const cap = capOf(req);
    const declared = Number(req.headers['content-length'] ?? 0);
    const read = declared > cap ? Promise.resolve(null) : readCapped(req, cap);
    read.then(
      (raw) => {
        if (raw === null) return refuse(res, cap);
        const replay = Object.assign(Readable.from([raw]), {
          method: req.method,
          url: req.url,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
        });
        fdkListener(replay as unknown as IncomingMessage, res);
      },
      () => res.socket?.destroy(),
    );
  };
}

/**
 * Start the FDK (`start` calls fdk.handle) with its http.createServer listener wrapped so that no invocation body is
 * buffered past its cap: the FDK itself reads every body whole before calling the function (fn-fdk.js,
 * handleHTTPStream), so a 1 GB body would otherwise be held in memory before any check could run.
 */
export function withBodyCap<T>(start: () => T): T {
  const original = http.createServer;
  http.createServer = ((...args: unknown[]) => {
    const i = args.findIndex((a) => typeof a === 'function');
    if (i >= 0) args[i] = capped(args[i] as RequestListener);
    return (original as (...a: unknown[]) => http.Server)(...args);
  }) as typeof http.createServer;
  try {
    return start();
  } finally {
    http.createServer = original;
  }
}
