// A stand-in for a Patroni member on a drill member, run inside the member's network namespace. It plays the parts
// the drill measures the same way as the IRIS stand-in, with Patroni's REST API in place of IRIS's status page:
// - TCP on port 1972 (the drill client's port): answers every connection with "<member> <role>\n";
// - HTTP on port 8008 (Patroni's restapi.listen default): GET /primary answers as Patroni 4 does
//   (local-cloud/member-pages.ts patroniPage: 200 + status JSON on the leader, 503 + the replica's JSON otherwise);
// - HTTP on 127.0.0.1-reachable port 57772: POST /promote (the leader race and promotion) and POST /event/<name>
//   (the hook's milestones), as the drill's keepalived hook expects.
// Every milestone is printed as one JSON line {ev, t, member} on stdout; t is epoch milliseconds.
import { createServer as createHttp, type RequestListener } from 'node:http';
import { createServer as createTcp } from 'node:net';
import { patroniPage } from '../../local-cloud/member-pages.ts';

const [member = '?', initial = 'backup', promotionArg = '0'] = process.argv.slice(2);
const promotionMs = Number(promotionArg);
let role: 'primary' | 'backup' = initial === 'primary' ? 'primary' : 'backup';
const now = () => performance.timeOrigin + performance.now();
const emit = (ev: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ ev, t: now(), member, ...extra })}\n`);

const tcp = createTcp((socket) => {
  socket.on('error', () => {});
  socket.end(`${member} ${role}\n`);
});

const restApi: RequestListener = (req, res) => {
  if (req.method !== 'GET' || req.url !== '/primary') return void res.writeHead(404).end();
  const page = patroniPage(member, role);
  res.writeHead(page.status, { 'content-type': page.type }).end(page.body);
};

const control: RequestListener = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://standin');
  const local = req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::ffff:127.0.0.1';
  if (local && req.method === 'POST' && url.pathname === '/promote') {
    emit('detected', { was: role });
    // Patroni's promotion (leader lock, pg_promote) takes as long as the profile says; answered once primary.
    setTimeout(() => {
      role = 'primary';
      emit('promoted');
      res.writeHead(200).end('primary');
    }, promotionMs);
  } else if (local && req.method === 'POST' && url.pathname.startsWith('/event/')) {
    emit(url.pathname.slice('/event/'.length), Object.fromEntries(url.searchParams));
    res.writeHead(204).end();
  } else {
    res.writeHead(404).end('not found');
  }
};

const listen = (server: { listen: (p: number, h: string, cb: () => void) => unknown }, port: number) =>
  new Promise<void>((r) => server.listen(port, '0.0.0.0', r));
Promise.all([listen(tcp, 1972), listen(createHttp(restApi), 8008), listen(createHttp(control), 57772)]).then(() =>
  emit('listening', { role }),
);
