import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FnReply, viaGateway } from './fn-invoke.ts';

/** Largest request body the emulated gateway forwards (OCI API Gateway bounds bodies too; the core bounds again). */
const MAX_BODY = 1024 * 1024;

/**
 * An API Gateway deployment in front of a function on an FDK socket: the request's method, path, headers and raw
 * body go to the function as Fn-Http-*; its Fn-Http-Status and Fn-Http-H-* headers come back as the response.
 */
export async function serveApiGateway(
  socketFor: () => string,
  host = '127.0.0.1',
  onReply?: (r: FnReply) => void,
  port = 0,
) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
      );
      try {
        const r = await viaGateway(socketFor(), { body: Buffer.concat(chunks), headers }, req.method, req.url);
        onReply?.(r);
        const out: Record<string, string> = { 'content-type': String(r.headers['content-type'] ?? 'application/json') };
        for (const [k, v] of Object.entries(r.headers)) {
          if (k.startsWith('fn-http-h-')) out[k.slice('fn-http-h-'.length)] = String(v);
        }
        res.writeHead(r.status, out).end(r.text);
      } catch {
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Bad Gateway"}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}/mirror-vip/event`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
