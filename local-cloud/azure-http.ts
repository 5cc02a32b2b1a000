import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import azf, { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

export type AzureHttpHandler = (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>;

/** Build the request object the Functions host would hand to an HTTP trigger (the library's own test classes). */
export function azureRequest(url: string, method: string, headers: Record<string, string>, body?: string | Uint8Array) {
  const init = typeof body === 'string' ? { string: body } : body ? { bytes: body } : undefined;
  return new azf.HttpRequest({ method, url, headers, ...(init && method !== 'GET' ? { body: init } : {}) });
}

export const invocation = (functionName: string) =>
  new azf.InvocationContext({ functionName, invocationId: crypto.randomUUID(), logHandler: () => {} });

/** Call an HTTP trigger as the host does and return status and parsed JSON. */
export async function callAzureHttp(handler: AzureHttpHandler, name: string, req: HttpRequest) {
  const res = await handler(req, invocation(name));
  return { status: res.status ?? 200, body: res.jsonBody as unknown, headers: res.headers };
}

/**
 * Serve an HTTP trigger on 127.0.0.1 for local runs (the demo, `mirror-vip notify`): each request becomes the
 * library's HttpRequest and the handler's HttpResponseInit the answer, as the Functions host would do.
 */
export async function serveAzureHttp(handler: AzureHttpHandler, name: string, port = 0) {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1 << 20) break; // the host's own request limit is larger; the trigger reads only what it needs
      chunks.push(c as Buffer);
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    const request = azureRequest(
      `http://127.0.0.1${req.url ?? '/'}`,
      req.method ?? 'GET',
      headers,
      new Uint8Array(Buffer.concat(chunks)),
    );
    const out = await callAzureHttp(handler, name, request);
    res.writeHead(out.status, { 'content-type': 'application/json', ...(out.headers as Record<string, string>) });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/${name}`;
  return {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
