import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a Lambda function URL hands the function: payload format 2.0. */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: {
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export type LambdaHandler = (event: FunctionUrlEvent) => Promise<unknown>;

/** Real function URLs refuse request payloads over 6 MB before the function runs. */
const PAYLOAD_LIMIT = 6 * 1024 * 1024;
const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/;

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > PAYLOAD_LIMIT) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Turn a Node request into the 2.0 event; headers are lower-cased and repeated ones joined with commas. */
export function toFunctionUrlEvent(req: IncomingMessage, body: Buffer): FunctionUrlEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const text = TEXT.test(headers['content-type'] ?? 'text/plain');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      timeEpoch: Date.now(),
    },
    ...(body.length ? { body: body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/**
 * Serve a Lambda handler the way a function URL does: a returned {statusCode, headers, body} is the response,
 * any other value is sent as 200 JSON, and a thrown error is a 502, as on AWS.
 */
export async function serveFunctionUrl(
  handler: LambdaHandler,
  port = 0,
  host = '127.0.0.1',
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (body === null) {
      res
        .writeHead(413, { 'content-type': 'application/json' })
        .end('{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}');
      return;
    }
    try {
      const out = (await handler(toFunctionUrlEvent(req, body))) as
        | { statusCode?: number; headers?: Record<string, string>; body?: string }
        | undefined;
      if (out && typeof out.statusCode === 'number') {
        res.writeHead(out.statusCode, out.headers ?? {}).end(out.body ?? '');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out ?? null));
      }
    } catch {
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"Message":"Internal Server Error"}');
    }
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${p}/`,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
