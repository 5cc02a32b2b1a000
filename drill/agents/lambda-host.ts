// A Lambda stand-in for the drill: imports the deployed bundle (BUNDLE) in its own process, as the platform does, and
// serves it twice: as a function URL on 0.0.0.0 (the members' notifier), and as the Invoke API on 127.0.0.1, where a
// POSTed JSON event is passed as is (what EventBridge delivers for the schedule). Prints {"ev":"listening",…} once up.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LambdaHandler, serveFunctionUrl } from '../../local-cloud/lambda-url.ts';

const MAX_EVENT_BYTES = 256 * 1024; // Lambda's asynchronous invocation payload limit

const { handler } = (await import(process.env.BUNDLE ?? '')) as { handler: LambdaHandler };
const url = await serveFunctionUrl(handler, 0, '0.0.0.0');
const invoke = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_EVENT_BYTES) return void res.writeHead(413).end();
  }
  try {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await handler(JSON.parse(body))));
  } catch (e: unknown) {
    res.writeHead(500).end(String(e));
  }
});
await new Promise<void>((r) => invoke.listen(0, '127.0.0.1', r));
const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
process.stdout.write(
  `${JSON.stringify({ ev: 'listening', port: port(url.server), invoke: `http://127.0.0.1:${port(invoke)}/` })}\n`,
);
