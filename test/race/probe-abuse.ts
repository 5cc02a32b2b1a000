import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { probeMember } from '../../shared/core/health.ts';

/** A hostile status page in its own process, so the RSS measured here is the probe's alone. */
const SERVER = String.raw`
const http = require('node:http');
const zlib = require('node:zlib');
const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
const chunk = Buffer.alloc(64 * 1024, 'A');
http.createServer((req, res) => {
  const p = req.url;
  if (p === '/endless') { res.writeHead(200); const w = () => { while (res.write(chunk)); }; res.on('drain', w); w(); return; }
  if (p === '/huge') { res.writeHead(200, { 'content-length': 200 * 1024 * 1024 }); let left = 3200;
    const w = () => { while (left-- > 0) if (!res.write(chunk)) return; res.end(); }; res.on('drain', w); w(); return; }
  if (p === '/gzip-bomb') { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end(bomb); return; }
  if (p === '/gzip-bomb-unlabelled') { res.writeHead(200); res.end(bomb); return; }
  if (p === '/slow-loris') { res.writeHead(200); res.write('S'); const t = setInterval(() => res.write('U'), 200);
    res.on('close', () => clearInterval(t)); return; }
  if (p === '/slow-headers') { req.socket.write('HTTP/1.1 200 OK\r\n'); return; }
  if (p === '/not-really') { res.writeHead(200).end('SUCCESS-NOT-REALLY'); return; }
  if (p === '/503-success') { res.writeHead(503).end('SUCCESS'); return; }
  if (p === '/redirect') { res.writeHead(302, { location: '/primary' }).end(); return; }
  if (p === '/primary') { res.writeHead(200).end('SUCCESS\r\n'); return; }
  res.writeHead(404).end();
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\n'); });
`;

export const ABUSE_PATHS = [
  'endless',
  'huge',
  'gzip-bomb',
  'gzip-bomb-unlabelled',
  'slow-loris',
  'slow-headers',
  'not-really',
  '503-success',
  'redirect',
] as const;

export interface AbuseFigure {
  path: string;
  role: string;
  ms: number;
  rssGrowthMb: number;
}

async function startServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [data] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { port: Number(data.toString().trim()), child };
}

/** Probe each hostile page `rounds` times with `timeoutMs`; report role, slowest probe and RSS growth. */
export async function probeAbuse(timeoutMs = 1000, rounds = 5): Promise<AbuseFigure[]> {
  const { port, child } = await startServer();
  try {
    const sane = await probeMember(`http://127.0.0.1:${port}/primary`, timeoutMs);
    if (sane.role !== 'primary') throw new Error(`the control page should be primary, got ${sane.role}`);
    const out: AbuseFigure[] = [];
    for (const path of ABUSE_PATHS) {
      globalThis.gc?.();
      const rss0 = process.memoryUsage().rss;
      let worst = 0;
      const roles = new Set<string>();
      for (let i = 0; i < rounds; i++) {
        const r = await probeMember(`http://127.0.0.1:${port}/${path}`, timeoutMs);
        worst = Math.max(worst, r.ms);
        roles.add(r.role);
      }
      const growth = (process.memoryUsage().rss - rss0) / 2 ** 20;
      out.push({ path, role: [...roles].join('/'), ms: Math.round(worst), rssGrowthMb: Math.round(growth * 10) / 10 });
    }
    return out;
  } finally {
    child.kill();
  }
}
