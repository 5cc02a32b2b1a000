import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { probeMember } from '../../shared/core/health.ts';
import type { ProbeSpec } from '../../shared/core/probe-kinds.ts';

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
  const pg = { state: 'running', role: 'primary', server_version: 160004, timeline: 2, xlog: { location: 50331648 },
    patroni: { version: '4.0.4', scope: 'pg', name: 'pg-a' } };
  const json = (status, doc, pad = '') => { res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc) + pad); };
  if (p === '/patroni-primary') return json(200, pg);
  if (p === '/patroni-padded') return json(200, pg, ' '.repeat(17 * 1024));
  if (p === '/patroni-lie') return json(200, { ...pg, role: 'replica' });
  if (p === '/patroni-paused-unlocked') return json(200, { ...pg, pause: true, cluster_unlocked: true });
  if (p === '/patroni-array') return json(200, [pg]);
  if (p === '/patroni-deep') { res.writeHead(200); res.end('['.repeat(12000)); return; }
  if (p === '/http-primary') { res.writeHead(200).end('MASTER\n'); return; }
  if (p === '/http-almost') { res.writeHead(200).end('MASTERFUL'); return; }
  if (p === '/http-long') { res.writeHead(200).end('MASTER' + ' '.repeat(2048)); return; }
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

/** The probe kinds the hostile pages are read with: each has its control page and its own near misses. */
export const PROBE_KINDS = ['iris', 'patroni', 'http'] as const;
export type AbuseKind = (typeof PROBE_KINDS)[number];

const KIND: Record<AbuseKind, { spec?: ProbeSpec; control: string; extra: string[] }> = {
  iris: { control: 'primary', extra: [] },
  patroni: {
    spec: { kind: 'patroni' },
    control: 'patroni-primary',
    extra: ['patroni-padded', 'patroni-lie', 'patroni-paused-unlocked', 'patroni-array', 'patroni-deep', 'primary'],
  },
  http: {
    spec: {
      kind: 'http',
      primary: { status: 200, body: 'MASTER' },
      backup: { status: 200, body: 'BACKUP' },
      maxBytes: 1024,
    },
    control: 'http-primary',
    extra: ['http-almost', 'http-long', 'patroni-primary', 'primary'],
  },
};

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

/**
 * Probe each hostile page (the common ones and the kind's near misses) `rounds` times with `timeoutMs`, read as
 * `kind`; report role, slowest probe and RSS growth. The kind's control page must read primary first.
 */
export async function probeAbuse(timeoutMs = 1000, rounds = 5, kind: AbuseKind = 'iris'): Promise<AbuseFigure[]> {
  const { port, child } = await startServer();
  const { spec, control, extra } = KIND[kind];
  try {
    const sane = await probeMember(`http://127.0.0.1:${port}/${control}`, timeoutMs, spec);
    if (sane.role !== 'primary') throw new Error(`the ${kind} control page should be primary, got ${sane.role}`);
    const out: AbuseFigure[] = [];
    for (const path of [...ABUSE_PATHS, ...extra]) {
      globalThis.gc?.();
      const rss0 = process.memoryUsage().rss;
      let worst = 0;
      const roles = new Set<string>();
      for (let i = 0; i < rounds; i++) {
        const r = await probeMember(`http://127.0.0.1:${port}/${path}`, timeoutMs, spec);
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
