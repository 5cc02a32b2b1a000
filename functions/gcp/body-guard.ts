import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { rejectedResult } from '../../shared/core/result.ts';
import { readCappedBody } from '../../shared/protocol/capped-body.ts';
import { MAX_BODY_BYTES } from '../../shared/protocol/event.ts';
import { MAX_MESSAGE_CHARS } from './gcp-events.ts';

/** Largest CloudEvent request accepted (a Pub/Sub push carries the base64 message plus a small envelope). */
export const MAX_EVENT_REQUEST_BYTES = MAX_MESSAGE_CHARS + 16 * 1024;

const refuse = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(rejectedResult(code, message)));
};

const isCloudEvent = (req: IncomingMessage) =>
  req.headers['ce-id'] !== undefined || String(req.headers['content-type'] ?? '').includes('cloudevents');

/** The charset parameter of the content type, lower case, if any. */
function charsetOf(contentType: string): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
}

/** Parse a JSON body for the framework's CloudEvent wrapper; anything else stays undefined (never an HTML 400). */
function parsedBody(req: IncomingMessage, raw: Buffer): unknown {
  if (!/json/i.test(String(req.headers['content-type'] ?? ''))) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    return undefined;
  }
}

/**
 * Run before the Functions Framework's body parsers (which read up to 1 GB, gunzip, and answer HTML errors): refuse
 * an encoded body (never decompressed), a charset other than UTF-8, or a body over the cap, with a typed JSON error;
 * otherwise read the capped body once and hand it on as `rawBody` (and `body` when it is JSON), which makes the
 * framework's parsers skip the request.
 */
export async function guardRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const cap = isCloudEvent(req) ? MAX_EVENT_REQUEST_BYTES : MAX_BODY_BYTES;
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    refuse(res, 415, 'unsupported_encoding', `content-encoding ${encoding.slice(0, 40)} is not accepted`);
    return false;
  }
  const charset = charsetOf(String(req.headers['content-type'] ?? ''));
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    refuse(res, 415, 'unsupported_charset', `charset ${charset.slice(0, 40)} is not accepted; use utf-8`);
    return false;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  const raw = declared > cap ? null : await readCappedBody(req, cap);
  if (raw === null) {
    refuse(res, 413, 'body_too_large', `body is over the ${cap}-byte limit`);
    return false;
  }
  Object.assign(req, { rawBody: raw, body: parsedBody(req, raw) });
  return true;
}

const isExpressApp = (l: unknown): l is RequestListener =>
  typeof l === 'function' && 'handle' in l && 'set' in l && 'use' in l;

let installed = false;

/**
 * Put guardRequest in front of every Express app served by node:http from now on. The Functions Framework builds
 * its server with http.createServer(app) after the function module has loaded, so this is the one place that runs
 * before its parsers. Other servers (plain listeners) are left alone.
 */
export function installBodyGuard(): void {
  if (installed) return;
  installed = true;
  const original = http.createServer;
  const patched = (...args: unknown[]) => {
    const i = args.findIndex(isExpressApp);
    if (i >= 0) {
      const app = args[i] as RequestListener;
      args[i] = (req: IncomingMessage, res: ServerResponse) => {
        guardRequest(req, res).then(
          (ok) => ok && app(req, res),
          () => refuse(res, 400, 'unreadable_body', 'the request body could not be read'),
        );
      };
    }
    return (original as (...a: unknown[]) => http.Server)(...args);
  };
  http.createServer = patched as typeof http.createServer;
}
