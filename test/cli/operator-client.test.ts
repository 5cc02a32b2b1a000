import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { operatorKeyFiles } from '../support/operator-keys.ts';

// The operator CLI against hostile or broken answers: bounded in bytes and time, exit codes as its --help says.
const { operatorKey } = operatorKeyFiles('operator-client');
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const op = (action: string, url: string, extra: string[] = []) =>
  runCli(
    [
      action,
      '--url',
      url,
      '--mirror',
      'IRISMIRROR',
      '--key-id',
      'ops-2026',
      '--key-file',
      operatorKey,
      '--json',
      ...extra,
    ],
    {},
  );

const GIB = 1024 ** 3;

describe('mirror-vip inspect|pause against a hostile answer', () => {
  it('a 5 GB answer: the CLI stops reading past 1 MiB (exit 4), so at most a few MB ever leave the server', async () => {
    let sent = 0;
    let closed = false;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * GIB) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      res.on('close', () => {
        closed = true;
      });
      const pump = () => {
        while (!closed && sent < 5 * GIB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const r = await op('inspect', url);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('over 1048576 bytes');
    // what the client read is bounded by the cap plus the sockets' buffers, never the 5 GB on offer
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);

  it('a stalled answer (headers, then nothing) ends in exit 4 with a message, not an uncaught TimeoutError', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":tr');
    });
    const r = await op('inspect', url, ['--timeout', '1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no full answer within 1 s');
    expect(r.stderr).not.toContain('TimeoutError');
  });

  it.each([
    ['a 200 HTML page', 'text/html', '<html><body>Welcome</body></html>'],
    ['{"ok":false} with 200', 'application/json', '{"ok":false}'],
    ['an answer to another action', 'application/json', '{"ok":true,"action":"inspect","mirror":"IRISMIRROR"}'],
  ])('pause answered by %s is not "done": exit 4, whether it was done is unknown', async (_n, type, body) => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
    const r = await op('pause', url, ['--generation', '0']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('is not a mirror-vip answer to pause');
  });

  it('pause answered as mirror-vip answers it exits 0; a typed refusal exits 1', async () => {
    const done = await serve((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"ok":true,"action":"pause","mirror":"IRISMIRROR","generation":1,"paused":{"by":"ops-2026"}}'),
    );
    expect((await op('pause', done, ['--generation', '0'])).code).toBe(0);
    const stale = await serve((_req, res) =>
      res
        .writeHead(409, { 'content-type': 'application/json' })
        .end('{"ok":false,"error":{"code":"stale_generation","message":"based on 0, current 2"},"generation":2}'),
    );
    const r = await op('pause', stale, ['--generation', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HTTP 409 stale_generation');
  }, 60_000);

  it('pause without --generation reads it with inspect first and sends it signed in the pause', async () => {
    const bodies: Record<string, unknown>[] = [];
    const url = await serve((_req, res, body) => {
      const b = JSON.parse(body) as Record<string, unknown>;
      bodies.push(b);
      const answer = { ok: true, action: b.action, mirror: 'IRISMIRROR', generation: b.action === 'inspect' ? 7 : 8 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    const r = await op('pause', url);
    expect(r.code, r.stderr).toBe(0);
    expect(bodies.map((b) => [b.action, b.generation])).toEqual([
      ['inspect', undefined],
      ['pause', 7],
    ]);
  });
});

describe('secrets in URLs are never echoed', () => {
  it('user:password@ and ?code= are redacted from usage errors, network errors and refusals', async () => {
    const usage = await op('inspect', 'ftp://admin:hunter2@example.com/?code=fnkey123');
    expect(usage.code).toBe(2);
    const refusing = await serve((_req, res) =>
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end('denied for http://u:hunter2@h/x?code=fnkey123&sig=sas456'),
    );
    const refused = await op('inspect', refusing.replace('http://', 'http://admin:hunter2@'));
    const unreachable = await op('inspect', 'http://admin:hunter2@127.0.0.1:9/api?code=fnkey123');
    const viaQuery = await op('inspect', `${refusing}/api?code=fnkey123`);
    expect([refused.code, unreachable.code, viaQuery.code]).toEqual([4, 4, 1]);
    for (const r of [usage, refused, unreachable, viaQuery]) {
      const all = r.stdout + r.stderr;
      expect(all).not.toMatch(/hunter2|fnkey123|sas456/);
    }
    expect(viaQuery.stderr).toContain('HTTP 403');
  }, 90_000);
});
