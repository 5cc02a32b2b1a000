import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { rejectedResult } from '../../shared/core/result.ts';
import { readCappedBody } from '../../shared/protocol/capped-body.ts';
import { MAX_BODY_BYTES } from '../../shared/protocol/event.ts';
import { MAX_MESSAGE_BYTES } from './oci-events.ts';

/** The cap of one invocation: a gateway request is a signed event (4 KB); any other, a Notifications message. */
export const capOf = (req: IncomingMessage) => (req.headers['fn-http-method'] ? MAX_BODY_BYTES : MAX_MESSAGE_BYTES);

/**
 * The FDK answers Fn with 200 and carries the gateway's status in Fn-Http-Status (fdk-node's http-stream contract),
 * so a refusal is sent the same way: the API Gateway then answers 413 with this typed body.
 */
function refuse(req: IncomingMessage, res: ServerResponse, cap: number): void {
  const body = JSON.stringify(rejectedResult('body_too_large', `body is over the ${cap}-byte limit`));
  // no `connection: close`: a server that closes while the sender still writes makes the sender's next write fail
  // (EPIPE), and the sender drops the answer still unread in its buffer
  res.writeHead(200, { 'content-type': 'application/json', 'fn-http-status': '413' });
  res.end(body);
  lingerThenClose(req, res);
}

/** What a refused sender may still push after the answer (dropped, never kept), and for how long. */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 2000;

/**
 * A lingering close: the rest of the body is read and dropped, bounded in bytes and time, so the sender reads the
 * 413 before it stops writing instead of meeting a closed socket; then the socket closes.
 */
function lingerThenClose(req: IncomingMessage, res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  let drained = 0;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    drained += c.length;
    if (drained > LINGER_BYTES) close();
  });
  req.once('end', close);
  socket.once('close', () => clearTimeout(timer));
  req.resume();
}

/** The FDK's listener, fed a request whose body was read (capped) first: the FDK buffers what it is given. */
function capped(fdkListener: RequestListener): RequestListener {
  return (req, res) => {
    const cap = capOf(req);
    const declared = Number(req.headers['content-length'] ?? 0);
    const read = declared > cap ? Promise.resolve(null) : readCappedBody(req, cap);
    read.then(
      (raw) => {
        if (raw === null) return refuse(req, res, cap);
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
