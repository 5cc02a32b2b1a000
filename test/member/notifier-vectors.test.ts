import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyOnce } from '../../cli/notify-once.ts';
import { ROOT } from '../../local-cloud/bundles.ts';
import { verifyRequest } from '../../shared/protocol/verify.ts';

const run = promisify(execFile);
interface SettingsCase {
  name: string;
  env: Record<string, string>;
  keyFile: string;
  file?: string;
  exitCode: number;
  mentions: string[];
}
interface ResponseCase {
  name: string;
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
  exitCode: number;
  mentions: string[];
  attempts?: number;
  deadline?: string;
}
const vectors = JSON.parse(readFileSync(join(ROOT, 'test/vectors/notifier-settings.json'), 'utf8')) as {
  settings: SettingsCase[];
  responses: ResponseCase[];
};
interface Outcome {
  exitCode: number;
  message: string;
  attempts: number;
  request?: { headers: Record<string, string>; body: string };
}

const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-vectors-'));
const secret = randomBytes(32).toString('base64url');
const keyFiles: Record<string, string> = {};
let server: Server;
let base: string;

beforeAll(async () => {
  const write = (name: string, text: string, mode: number) => {
    keyFiles[name] = join(dir, `${name}.key`);
    writeFileSync(keyFiles[name], text, { mode });
  };
  write('good', `${secret}\n`, 0o600);
  write('open', `${secret}\n`, 0o644);
  write('short', 'abc\n', 0o600);
  write('multiline', `${secret}\nsecond line that is not the secret\n`, 0o600);
  keyFiles.missing = join(dir, 'nothing-here.key');
  keyFiles.directory = join(dir, 'a-directory');
  mkdirSync(keyFiles.directory, { mode: 0o700 });
  server = createServer((req, res) => {
    req.resume();
    const v = vectors.responses[Number(req.url?.split('/').pop())];
    if (!v) return res.writeHead(500).end();
    const text = v.text ?? JSON.stringify(v.body);
    res.writeHead(v.status, { 'content-type': v.text ? 'text/html' : 'application/json', ...v.headers }).end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A case as both notifiers get it: the environment with the key file and an optional settings file. */
function prepared(c: SettingsCase, i: number) {
  const env = Object.fromEntries(
    Object.entries(c.env).map(([k, v]) => [k, v.replace('{keyFile}', keyFiles[c.keyFile] ?? '')]),
  );
  let file: string | undefined;
  if (c.file !== undefined) {
    file = join(dir, `settings-${i}.conf`);
    writeFileSync(file, c.file);
  }
  return { env, file };
}

const PYTHON_RUNNER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import mirror_vip_notify as n
out = []
for case in json.load(sys.stdin):
    try:
        s = n.load_settings(case.get("file"), environ=case["env"])
        s["dry_run"] = case.get("dry", True)
        out.append(n.notify(s))
    except n.SettingsError as e:
        out.append({"exitCode": 2, "message": "settings error: %s" % e, "attempts": 0})
print(json.dumps(out))
`;

/** Every case through the Python notifier in one process (its own notify(), as the command and ZMIRROR call it). */
async function python(cases: { env: Record<string, string>; file?: string; dry?: boolean }[]): Promise<Outcome[]> {
  const child = spawn('python3', ['-c', PYTHON_RUNNER, join(ROOT, 'iris')], { env: { PATH: process.env.PATH ?? '' } });
  child.stdin.end(JSON.stringify(cases));
  let out = '';
  for await (const c of child.stdout) out += c;
  return JSON.parse(out) as Outcome[];
}

const node = (c: { env: Record<string, string>; file?: string; dry?: boolean }) =>
  notifyOnce(c.file, c.env, {}, c.dry ?? true) as Promise<Outcome>;

describe('one set of notifier rules (test/vectors/notifier-settings.json)', () => {
  it('both notifiers give every settings case its exit code and name what is wrong', async () => {
    const cases = vectors.settings.map(prepared);
    const py = await python(cases);
    for (const [i, c] of vectors.settings.entries()) {
      const js = await node(cases[i] as (typeof cases)[number]);
      for (const [who, o] of [
        ['python', py[i]],
        ['node', js],
      ] as const) {
        expect({ case: c.name, who, exitCode: o?.exitCode }).toEqual({ case: c.name, who, exitCode: c.exitCode });
        for (const m of c.mentions) expect(o?.message, `${who}: ${c.name}`).toContain(m);
      }
    }
  });

  it('both sign with the first line of the key file only', async () => {
    const i = vectors.settings.findIndex((c) => c.keyFile === 'multiline');
    const c = prepared(vectors.settings[i] as SettingsCase, i);
    const [py] = await python([c]);
    const js = await node(c);
    const keys = new Map([['iris-a-k1', { id: 'iris-a-k1', secret, mirror: 'IRISMIRROR', member: 'iris-a' }]]);
    for (const r of [py?.request, js.request]) {
      const v = verifyRequest({
        rawBody: r?.body ?? '',
        headers: r?.headers ?? {},
        nowSeconds: Date.now() / 1000,
        keys,
      });
      expect(v.event.member).toBe('iris-a');
    }
  });

  it("both report each answer alike, with the server's code and message", async () => {
    const cases = vectors.responses.map((v, i) => ({
      env: {
        ...(vectors.settings[0]?.env ?? {}),
        MIRROR_VIP_KEY_FILE: keyFiles.good ?? '',
        MIRROR_VIP_URL: `${base}/v/${i}`,
        MIRROR_VIP_DEADLINE_SECONDS: v.deadline ?? '10',
      },
      dry: false,
    }));
    const py = await python(cases);
    for (const [i, v] of vectors.responses.entries()) {
      const js = await node(cases[i] as (typeof cases)[number]);
      for (const [who, o] of [
        ['python', py[i]],
        ['node', js],
      ] as const) {
        expect({ case: v.name, who, exitCode: o?.exitCode }).toEqual({ case: v.name, who, exitCode: v.exitCode });
        for (const m of v.mentions) expect(o?.message, `${who}: ${v.name}`).toContain(m);
        if (v.attempts) expect(o?.attempts).toBe(v.attempts);
      }
    }
  });
});

describe('bad settings fail at once, before any request', () => {
  const common = ['--mirror', 'IRISMIRROR', '--member', 'iris-a', '--key-id', 'k1'];
  it.each([
    ['--deadline 2s', ['--url', 'URL', '--deadline', '2s'], 'MIRROR_VIP_DEADLINE_SECONDS'],
    ['a scheme-less URL', ['--url', '127.0.0.1:1/fn'], 'MIRROR_VIP_URL'],
  ])('%s exits 2 from both notifiers, and nothing reaches the function', async (_n, extra, named) => {
    let requests = 0;
    const counting = createServer((_req, res) => {
      requests++;
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((r) => counting.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/fn`;
    const args = [...common, '--key-file', keyFiles.good ?? '', ...extra.map((a) => (a === 'URL' ? url : a))];
    const env = { PATH: process.env.PATH ?? '', MIRROR_VIP_NOTIFY_CONFIG: join(dir, 'empty.conf') };
    writeFileSync(env.MIRROR_VIP_NOTIFY_CONFIG, '');
    for (const cmd of [
      ['python3', join(ROOT, 'iris/mirror_vip_notify.py')],
      [process.execPath, join(ROOT, 'bin/mirror-vip.mjs'), 'notify'],
    ]) {
      const r = await run(cmd[0] ?? '', [...cmd.slice(1), ...args], { env }).then(
        (x) => ({ code: 0, stderr: x.stderr }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(named);
    }
    expect(requests).toBe(0);
    counting.close();
  });
});
