// An Azure Functions host stand-in for the drill: imports the deployed bundle (BUNDLE) in its own process, as the Node
// worker loads it, and serves its HTTP trigger on 0.0.0.0 (the members' notifier; the request becomes
// @azure/functions' own HttpRequest, as the host hands it over), and the timer trigger on 127.0.0.1 (a POST fires it
// once, what the schedule does). Prints {"ev":"listening",…} once up.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timer } from '@azure/functions';
import { type AzureHttpHandler, azureRequest, callAzureHttp, invocation } from '../../local-cloud/azure-http.ts';

const MAX_BODY_BYTES = 1 << 20; // the trigger reads only what it needs; more than this is never a signed event

type TimerHandler = (t: Timer, ctx: ReturnType<typeof invocation>) => Promise<unknown>;
const mod = (await import(process.env.BUNDLE ?? '')) as {
  mirrorVip: AzureHttpHandler;
  mirrorVipSchedule: TimerHandler;
};

async function body(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const http = createServer(async (req, res) => {
  const raw = await body(req);
  if (!raw) return void res.writeHead(413).end();
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
  );
  const url = `https://mirror-vip.azurewebsites.net${req.url ?? '/'}`;
  try {
    const out = await callAzureHttp(
      mod.mirrorVip,
      'mirrorVip',
      azureRequest(url, req.method ?? 'GET', headers, new Uint8Array(raw)),
    );
    res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
  } catch (e: unknown) {
    res.writeHead(500).end(String(e));
  }
});
const timer = createServer(async (_req, res) => {
  const tick: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  try {
    const out = await mod.mirrorVipSchedule(tick, invocation('mirrorVipSchedule'));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  } catch (e: unknown) {
    res.writeHead(500).end(String(e));
  }
});
await new Promise<void>((r) => http.listen(0, '0.0.0.0', r));
await new Promise<void>((r) => timer.listen(0, '127.0.0.1', r));
const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
process.stdout.write(
  `${JSON.stringify({ ev: 'listening', port: port(http), invoke: `http://127.0.0.1:${port(timer)}/` })}\n`,
);
