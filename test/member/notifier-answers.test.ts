import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { notifyArgs } from '../support/cli.ts';
import { operatorKeyFiles, randomSecret } from '../support/operator-keys.ts';

// Both notifiers against answers that are not the function's: a 2xx counts only when the body is a mirror-vip
// answer accepting this event; secrets in the URL are never echoed.
const run = promisify(execFile);
const { keyFile } = operatorKeyFiles('notifier-answers');
const key = keyFile('iris-b.key', randomSecret());
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});

const NOTIFIERS = [
  ['the Python notifier', 'python3', [join(ROOT, 'iris/mirror_vip_notify.py')]],
  ['the CLI', process.execPath, [join(ROOT, 'bin/mirror-vip.mjs'), 'notify']],
] as const;

/** A server answering every POST with `status` and the body `answer` makes of the request's event id. */
async function serve(status: number, type: string, answer: (eventId: string) => string): Promise<string> {
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const eventId = String((JSON.parse(Buffer.concat(chunks).toString()) as { eventId?: string }).eventId);
      res.writeHead(status, { 'content-type': type }).end(answer(eventId));
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

const send = (cmd: string, pre: readonly string[], url: string) =>
  run(cmd, [...pre, ...notifyArgs(url, key), '--deadline', '5', '--json'], {
    env: { PATH: process.env.PATH ?? '' },
    cwd: '/',
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

describe.each(NOTIFIERS)('%s', (_n, cmd, pre) => {
  it.each([
    ['a 200 HTML page', 'text/html', () => '<html><body>Sign in to the proxy</body></html>'],
    ['{"ok":false} with 200', 'application/json', () => '{"ok":false}'],
    ['200 with ok but no outcome', 'application/json', () => '{"ok":true}'],
    ['an answer for another event', 'application/json', () => '{"ok":true,"outcome":"moved","eventId":"other"}'],
  ])(
    'takes %s as rejected (exit 1), not accepted',
    async (_c, type, body) => {
      const r = await send(cmd, pre, await serve(200, type, body));
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'unexpected_answer' } });
    },
    30_000,
  );

  it("takes the function's answer accepting its event as accepted (exit 0)", async () => {
    const url = await serve(200, 'application/json', (id) =>
      JSON.stringify({ ok: true, outcome: 'moved', eventId: id }),
    );
    const r = await send(cmd, pre, url);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, status: 200 });
  }, 30_000);

  it('never echoes user:password@ or a function key (?code=) of its URL', async () => {
    const refusing = await serve(403, 'text/plain', () => 'no');
    const runs = [
      await send(cmd, pre, 'http://admin:hunter2@127.0.0.1:9/api?code=fnkey123'),
      await send(cmd, pre, `${refusing}api?code=fnkey123`),
      await send(cmd, pre, refusing.replace('http://', 'http://admin:hunter2@')),
    ];
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(r.out + r.err).not.toMatch(/hunter2|fnkey123/);
    }
  }, 60_000);
});
