// A stand-in for IRIS on a drill member, run inside the member's network namespace:
// - TCP on port 1972 (the superserver): answers every connection with "<member> <role>\n", so the client sees who served it;
// - HTTP on port 57772: /csp/bin/mirror_status.cxw as IRIS answers it (200 SUCCESS on the primary, 503 otherwise);
// - from 127.0.0.1 only: POST /promote (the mirror manager's takeover) and POST /event/<name> (the hook's milestones).
// Every milestone is printed as one JSON line {ev, t, member} on stdout; t is epoch milliseconds.
import { createServer as createHttp } from 'node:http';
import { createServer as createTcp } from 'node:net';

const [member = '?', initial = 'backup', promotionArg = '0'] = process.argv.slice(2);
const promotionMs = Number(promotionArg);
let role = initial;
const now = () => performance.timeOrigin + performance.now();
const emit = (ev: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ ev, t: now(), member, ...extra })}\n`);

const tcp = createTcp((socket) => {
  socket.on('error', () => {});
  socket.end(`${member} ${role}\n`);
});

const STATUS = '/csp/bin/mirror_status.cxw';
const http = createHttp((req, res) => {
  const url = new URL(req.url ?? '/', 'http://standin');
  const local = req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::ffff:127.0.0.1';
  if (req.method === 'GET' && url.pathname === STATUS) {
    const primary = role === 'primary';
    res.writeHead(primary ? 200 : 503, { 'content-type': 'text/plain' }).end(primary ? 'SUCCESS' : 'FAILED');
  } else if (local && req.method === 'POST' && url.pathname === '/promote') {
    emit('detected', { was: role });
    // The takeover takes as long as the profile says; the answer comes once this member is primary.
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
});

tcp.listen(1972, '0.0.0.0', () => http.listen(57772, '0.0.0.0', () => emit('listening', { role })));
