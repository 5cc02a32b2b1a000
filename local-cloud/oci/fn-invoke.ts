import { randomUUID } from 'node:crypto';
import { watch } from 'node:fs';
import { access } from 'node:fs/promises';
import http from 'node:http';
import { basename, dirname } from 'node:path';

/** What Fn answered: the HTTP status the gateway would return (Fn-Http-Status), the body and headers. */
export interface FnReply {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** Resolve once the FDK's socket (a symlink it creates after listening) exists. */
export async function socketReady(path: string): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  await new Promise<void>((resolve, reject) => {
    const w = watch(dir, (_e, f) => {
      if (f === name) {
        w.close();
        resolve();
      }
    });
    // it may already be there
    access(path).then(
      () => {
        w.close();
        resolve();
      },
      () => undefined,
    );
    w.on('error', reject);
  });
}

/** POST /call on an FDK's unix socket, as Fn's agent does (http-stream format). */
export function callFn(socketPath: string, headers: Record<string, string>, body: Buffer | string): Promise<FnReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        path: '/call',
        method: 'POST',
        headers: {
          'Fn-Call-Id': randomUUID(),
          'Fn-Deadline': new Date(Date.now() + 60_000).toISOString(),
          'Content-Length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const fnStatus = Number(res.headers['fn-http-status']);
          resolve({
            status: Number.isFinite(fnStatus) && fnStatus > 0 ? fnStatus : (res.statusCode ?? 0),
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An API Gateway deployment with a function back end, as seen by the function: Fn-Intent httprequest, the method
 * and URL in Fn-Http-Method / Fn-Http-Request-Url, every request header as Fn-Http-H-<name>, the raw body.
 */
export function viaGateway(
  socketPath: string,
  req: { body: string | Uint8Array; headers: Record<string, string> },
  method = 'POST',
  path = '/mirror-vip/event',
) {
  const fnHeaders: Record<string, string> = {
    'Fn-Intent': 'httprequest',
    'Fn-Invoke-Type': 'sync',
    'Fn-Http-Method': method,
    'Fn-Http-Request-Url': path,
    'Content-Type': req.headers['content-type'] ?? 'application/octet-stream',
  };
  for (const [k, v] of Object.entries(req.headers)) fnHeaders[`Fn-Http-H-${k}`] = v;
  return callFn(socketPath, fnHeaders, Buffer.from(req.body));
}

/** A direct invocation (Notifications subscription, a schedule): the message is the body, no gateway headers. */
export const invokeDirect = (socketPath: string, body: string) =>
  callFn(socketPath, { 'Content-Type': 'application/json', 'Fn-Invoke-Type': 'sync' }, body);
