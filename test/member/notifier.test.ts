import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MirrorVipError } from '../../shared/errors.ts';
import type { MirrorEvent } from '../../shared/protocol/event.ts';
import { type VerificationKey, verifyRequest } from '../../shared/protocol/verify.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = join(root, 'iris/mirror_vip_notify.py');
const fixture = JSON.parse(readFileSync(join(root, 'test/member/notifier-keys.json'), 'utf8')) as {
  mirror: string;
  member: string;
  keyId: string;
  keys: VerificationKey[];
};
const keys = new Map(fixture.keys.map((k) => [k.id, k]));
const secretOf = (id: string) => keys.get(id)?.secret ?? '';

/** What the stand-in function saw of one request. */
interface Seen {
  body: string;
  headers: Record<string, string>;
  verdict: string;
  event?: MirrorEvent;
}
type Reply = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

interface Outcome {
  ok: boolean;
  status: number | null;
  attempts: number;
  elapsedMs: number;
  eventId?: string;
  response?: { outcome?: string };
  error?: { code: string; message: string };
  request?: { url: string; headers: Record<string, string>; body: string };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const bare = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const servers: Server[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function verdictOf(body: string, headers: Record<string, string>): Pick<Seen, 'verdict' | 'event'> {
  try {
    const { event } = verifyRequest({ rawBody: body, headers, nowSeconds: Date.now() / 1000, keys });
    return { verdict: 'ok', event };
  } catch (e: unknown) {
    return { verdict: e instanceof MirrorVipError ? e.code : 'internal' };
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : `${v}`]));
}

const byVerdict = (seen: Seen): Reply =>
  seen.verdict === 'ok'
    ? { status: 200, body: { ok: true, outcome: 'moved', eventId: seen.event?.eventId } }
    : { status: 401, body: { ok: false, error: { code: seen.verdict, message: 'refused' } } };

/** A local stand-in for the mirror-vip function: verifies every request, then answers as `reply` says. */
async function startFunction(reply: (seen: Seen, index: number) => Reply = byVerdict) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = flatHeaders(req);
      const entry: Seen = { body, headers, ...verdictOf(body, headers) };
      seen.push(entry);
      const answer = reply(entry, seen.length - 1);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mirror-vip?code=not-for-logs`, seen };
}

async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as AddressInfo;
  await new Promise((done) => s.close(done));
  return `http://127.0.0.1:${port}/`;
}

/** A settings file and key file in a fresh directory, as an operator would write them. */
function install(url: string, opts: { keyMode?: number; omit?: string; extra?: Record<string, string> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-notify-'));
  dirs.push(dir);
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, `${secretOf(fixture.keyId)}\n`, { mode: 0o600 });
  chmodSync(keyFile, opts.keyMode ?? 0o600);
  const settings: Record<string, string> = {
    MIRROR_VIP_URL: url,
    MIRROR_VIP_MIRROR: fixture.mirror,
    MIRROR_VIP_MEMBER: fixture.member,
    MIRROR_VIP_KEY_ID: fixture.keyId,
    MIRROR_VIP_KEY_FILE: keyFile,
    ...opts.extra,
  };
  if (opts.omit) delete settings[opts.omit];
  const lines = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  const conf = join(dir, 'notify.conf');
  writeFileSync(conf, `# mirror-vip notifier settings\n\n${lines.join('\n')}\n`);
  return { dir, conf, keyFile };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = bare, cwd = root): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const notifier = (args: string[], env: NodeJS.ProcessEnv = bare) => run('python3', [script, ...args], env);
const outcomeOf = (r: Run) => JSON.parse(r.stdout) as Outcome;

function expectIdentical(seen: Seen[]) {
  const first = seen[0];
  for (const s of seen) {
    expect(s.body).toBe(first?.body);
    for (const h of ['x-mirror-vip-key-id', 'x-mirror-vip-timestamp', 'x-mirror-vip-signature']) {
      expect(s.headers[h]).toBe(first?.headers[h]);
    }
  }
}

describe('mirror_vip_notify.py', () => {
  describe('signing', () => {
    it('reproduces every signing vector of protocol v1', async () => {
      const file = join(root, 'test/vectors/protocol-v1.json');
      const vectors = JSON.parse(readFileSync(file, 'utf8')) as { signing: { name: string; signature: string }[] };
      const r = await notifier(['--sign-vectors', file]);
      expect(r.code).toBe(0);
      const got = JSON.parse(r.stdout) as { name: string; signature: string }[];
      expect(got).toHaveLength(vectors.signing.length);
      expect(got).toEqual(vectors.signing.map((v) => ({ name: v.name, signature: v.signature })));
    });

    it('prints with --dry-run the exact request it would send, which the verifier accepts', async () => {
      const { conf } = install('http://127.0.0.1:9/');
      const r = await notifier(['--config', conf, '--dry-run', '--json', '--reason', 'Übernahme — zone b']);
      expect(r.code).toBe(0);
      const request = outcomeOf(r).request;
      expect(request?.url).toBe('http://127.0.0.1:9/');
      const checked = verdictOf(request?.body ?? '', request?.headers ?? {});
      expect(checked.verdict).toBe('ok');
      expect(checked.event?.reason).toBe('Übernahme — zone b');
    });
  });

  describe('sending', () => {
    it('posts a signed event that the verifier accepts, and exits 0', async () => {
      const fn = await startFunction();
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf, '--json']);
      expect(r.code).toBe(0);
      expect(fn.seen).toHaveLength(1);
      const [req] = fn.seen;
      expect(req?.verdict).toBe('ok');
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.event).toMatchObject({ type: 'became-primary', mirror: 'IRISMIRROR', member: 'iris-b' });
      expect(req?.event?.host).toBe(hostname());
      const out = outcomeOf(r);
      expect(out).toMatchObject({ ok: true, status: 200, attempts: 1, eventId: req?.event?.eventId });
      expect(out.response?.outcome).toBe('moved');
    });

    it('takes flags over environment over the settings file', async () => {
      const fn = await startFunction();
      const { conf } = install(fn.url, { extra: { MIRROR_VIP_MIRROR: 'FROMFILE', MIRROR_VIP_MEMBER: 'from-file' } });
      const env = { ...bare, MIRROR_VIP_NOTIFY_CONFIG: conf, MIRROR_VIP_MIRROR: 'FROMENV', MIRROR_VIP_MEMBER: 'env' };
      const r = await notifier(['--member', 'from-flag', '--reason', 'drill'], env);
      expect(r.code).toBe(0);
      expect(fn.seen[0]?.event).toMatchObject({ mirror: 'FROMENV', member: 'from-flag', reason: 'drill' });
    });

    it('retries 500 with the identical request and gives up (exit 4) within its deadline', async () => {
      const fn = await startFunction(() => ({ status: 500, body: { ok: false, error: { code: 'internal_error' } } }));
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf, '--json', '--deadline', '1.5', '--timeout', '1']);
      expect(r.code).toBe(4);
      expect(fn.seen.length).toBeGreaterThan(1);
      expectIdentical(fn.seen);
      const out = outcomeOf(r);
      expect(out.attempts).toBe(fn.seen.length);
      expect(out.status).toBe(500);
      expect(r.stderr).toContain(`gave up: http://127.0.0.1:`);
      expect(r.stderr).toContain(`after ${fn.seen.length} attempt(s)`);
      expect(r.stderr).toContain('last error: HTTP 500');
      expect(r.stderr).not.toContain('not-for-logs');
    });

    it('gives up (exit 4) when nothing listens', async () => {
      const { conf } = install(await closedPortUrl());
      const r = await notifier(['--config', conf, '--json', '--deadline', '1.5']);
      expect(r.code).toBe(4);
      expect(outcomeOf(r).attempts).toBeGreaterThan(1);
      expect(r.stderr).toContain('last error: connection refused');
    });

    it('gives up (exit 4) when the function never answers within the attempt timeout', async () => {
      const fn = await startFunction(() => 'hang');
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf, '--json', '--deadline', '1.5', '--timeout', '0.4']);
      expect(r.code).toBe(4);
      expect(outcomeOf(r).attempts).toBeGreaterThan(1);
      expect(fn.seen.length).toBeGreaterThan(1);
      expectIdentical(fn.seen);
      expect(r.stderr).toMatch(/last error: timed out after [\d.]+ s/);
    });

    it('is accepted after two 500s: three byte-identical requests, exit 0', async () => {
      const fn = await startFunction((seen, i) => (i < 2 ? { status: 500, body: { ok: false } } : byVerdict(seen)));
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf, '--json']);
      expect(r.code).toBe(0);
      expect(fn.seen).toHaveLength(3);
      expectIdentical(fn.seen);
      expect(fn.seen.map((s) => s.verdict)).toEqual(['ok', 'ok', 'ok']);
      expect(outcomeOf(r)).toMatchObject({ ok: true, status: 200, attempts: 3 });
    });

    it('retries 429 with the identical request', async () => {
      const throttled: Reply = { status: 429, body: { ok: false }, headers: { 'retry-after': '0' } };
      const fn = await startFunction((seen, i) => (i === 0 ? throttled : byVerdict(seen)));
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf, '--json']);
      expect(r.code).toBe(0);
      expect(fn.seen).toHaveLength(2);
      expectIdentical(fn.seen);
    });

    it('stops at a 401 (exit 1): one request, the error code printed', async () => {
      const fn = await startFunction(() => ({
        status: 401,
        body: { ok: false, error: { code: 'bad_signature', message: 'signature does not match' } },
      }));
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf]);
      expect(r.code).toBe(1);
      expect(fn.seen).toHaveLength(1);
      expect(r.stdout).toContain('rejected: HTTP 401 bad_signature');
      expect(r.stderr).toContain('bad_signature (signature does not match)');
    });
  });

  describe('refusing to start', () => {
    it('refuses a key file that group or others can read (exit 3), naming path and mode', async () => {
      const fn = await startFunction();
      const { conf, keyFile } = install(fn.url, { keyMode: 0o644 });
      const r = await notifier(['--config', conf]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`key file ${keyFile} has mode 0644`);
      expect(r.stderr).toContain(`chmod 600 ${keyFile}`);
      expect(fn.seen).toHaveLength(0);
    });

    it('refuses a missing key file (exit 3)', async () => {
      const { conf, dir } = install('http://127.0.0.1:9/');
      const r = await notifier(['--config', conf, '--key-file', join(dir, 'absent')]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`key file ${join(dir, 'absent')} cannot be read`);
    });

    it('names a missing setting (exit 2)', async () => {
      const { conf } = install('http://127.0.0.1:9/', { omit: 'MIRROR_VIP_MEMBER' });
      const r = await notifier(['--config', conf, '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('missing setting MIRROR_VIP_MEMBER');
      expect(outcomeOf(r)).toMatchObject({ ok: false, attempts: 0, error: { code: 'settings' } });
    });

    it('names a settings file that does not exist (exit 2)', async () => {
      const r = await notifier(['--config', '/nonexistent/notify.conf']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('cannot read settings file /nonexistent/notify.conf');
    });
  });

  describe('under keepalived', () => {
    const documented = readFileSync(join(root, 'docs/keepalived.conf.example'), 'utf8');
    const line = /^\s*notify_master "([^"]+)"/m.exec(documented)?.[1] ?? '';

    /** Install the script as docs/keepalived.md says and split the documented command line as keepalived does. */
    function asKeepalived(conf: string, dir: string): [string, string[]] {
      mkdirSync(join(dir, 'bin'));
      const installed = join(dir, 'bin/mirror_vip_notify.py');
      copyFileSync(script, installed);
      chmodSync(installed, 0o755);
      const words = line
        .replace('/usr/local/bin/mirror_vip_notify.py', installed)
        .replace('/etc/mirror-vip/notify.conf', conf)
        .split(/\s+/);
      return [words[0] ?? '', words.slice(1)];
    }

    it('documents notify_master with the settings file', () => {
      expect(line).toBe('/usr/local/bin/mirror_vip_notify.py --config /etc/mirror-vip/notify.conf');
    });

    it('is accepted when run as notify_master: PATH-only environment, no TTY, cwd /', async () => {
      const fn = await startFunction();
      const { conf, dir } = install(fn.url);
      const [command, args] = asKeepalived(conf, dir);
      const r = await run(command, args, bare, '/');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^accepted: HTTP 200 from http:\/\/127\.0\.0\.1:\d+\/mirror-vip after 1 attempt/);
      expect(fn.seen.map((s) => s.verdict)).toEqual(['ok']);
    });

    it('acts on the generic notify form only for MASTER', async () => {
      const fn = await startFunction();
      const { conf, dir } = install(fn.url);
      const [command, args] = asKeepalived(conf, dir);
      const backup = await run(command, [...args, 'INSTANCE', 'VI_MIRROR', 'BACKUP', '90'], bare, '/');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain('ignored: keepalived INSTANCE VI_MIRROR BACKUP');
      expect(fn.seen).toHaveLength(0);
      const master = await run(command, [...args, 'INSTANCE', 'VI_MIRROR', 'MASTER', '100'], bare, '/');
      expect(master.code).toBe(0);
      expect(fn.seen).toHaveLength(1);
      expect(fn.seen[0]?.event?.reason).toBe('keepalived INSTANCE VI_MIRROR MASTER priority 100');
    });
  });

  describe('as a Patroni callback', () => {
    const documented = readFileSync(join(root, 'docs/patroni.md'), 'utf8');
    const line = /^\s*on_role_change: (\S.*)$/m.exec(documented)?.[1] ?? '';

    it('documents on_role_change and on_start with the settings file', () => {
      expect(line).toBe('/usr/local/bin/mirror_vip_notify.py --config /etc/mirror-vip/notify.conf');
      expect(documented).toMatch(/^\s*on_start: \/usr\/local\/bin\/mirror_vip_notify\.py --config/m);
    });

    // Patroni runs shlex.split(command) + [action, role, cluster] (patroni/postgresql/__init__.py call_nowait)
    it.each([
      ['on_role_change', 'primary', true],
      ['on_role_change', 'master', true],
      ['on_start', 'primary', true],
      ['on_role_change', 'replica', false],
      ['on_role_change', 'standby_leader', false],
      ['on_role_change', 'demoted', false],
      ['on_start', 'replica', false],
      ['on_stop', 'primary', false],
      ['on_restart', 'primary', false],
      ['on_reload', 'primary', false],
    ] as const)('%s %s → sends: %s (exit 0 either way)', async (action, role, sends) => {
      const fn = await startFunction();
      const { conf, dir } = install(fn.url);
      const installed = join(dir, 'mirror_vip_notify.py');
      copyFileSync(script, installed);
      chmodSync(installed, 0o755);
      const words = line.replace('/etc/mirror-vip/notify.conf', conf).split(/\s+/).slice(1);
      const r = await run(installed, [...words, action, role, 'pg-cluster'], bare, '/');
      expect(r.code).toBe(0);
      expect(fn.seen).toHaveLength(sends ? 1 : 0);
      if (sends) expect(fn.seen[0]?.event?.reason).toBe(`patroni ${action} ${role} pg-cluster`);
      else expect(r.stdout).toContain(`ignored: patroni ${action} ${role} pg-cluster`);
    });

    it('refuses a callback form it does not know (exit 2, nothing sent)', async () => {
      const fn = await startFunction();
      const { conf } = install(fn.url);
      const r = await notifier(['--config', conf, 'on_role_change', 'primary']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("Patroni's callbacks pass ACTION ROLE CLUSTER");
      expect(fn.seen).toHaveLength(0);
    });
  });

  describe('from Embedded Python', () => {
    const call = (conf: string) =>
      run(
        'python3',
        [
          '-c',
          [
            'import json, sys',
            `sys.path.append(${JSON.stringify(join(root, 'iris'))})`,
            'import mirror_vip_notify',
            `out = mirror_vip_notify.notify_from_config(${JSON.stringify(conf)}, "ZMIRROR NotifyBecomePrimary")`,
            'print(json.dumps({"exitCode": out["exitCode"], "message": out["message"]}))',
          ].join('\n'),
        ],
        { ...bare, PYTHONDONTWRITEBYTECODE: '1' },
      );

    it('notify_from_config returns the outcome that ZMIRROR logs', async () => {
      const fn = await startFunction();
      const { conf } = install(fn.url);
      const r = await call(conf);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { exitCode: number; message: string };
      expect(out.exitCode).toBe(0);
      expect(out.message).toMatch(/^accepted: HTTP 200 from /);
      expect(fn.seen[0]?.event?.reason).toBe('ZMIRROR NotifyBecomePrimary');
    });

    it('notify_from_config returns, never raises, when the settings file is missing', async () => {
      const r = await call('/nonexistent/notify.conf');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ exitCode: 2 });
    });
  });
});

describe('IRIS routines', () => {
  const zmirror = readFileSync(join(root, 'iris/ZMIRROR.mac'), 'utf8');
  const zstart = readFileSync(join(root, 'iris/ZSTART.mac'), 'utf8');
  /** The body of a procedure, comments removed. */
  const procedure = (source: string, label: string) => {
    const start = source.indexOf(`\n${label}`);
    const open = source.indexOf('{', start);
    const close = source.lastIndexOf('}');
    return source
      .slice(open + 1, close)
      .split('\n')
      .map((l) => l.replace(/(^|\s)(;|\/\/).*$/, '').trim())
      .filter((l) => l !== '')
      .join('\n');
  };

  describe('ZMIRROR', () => {
    const body = procedure(zmirror.slice(0, zmirror.indexOf('\nFollow()')), 'NotifyBecomePrimary() PUBLIC');
    const notify = zmirror.slice(zmirror.indexOf('\nNotify(deadline)'));

    it('starts the notifier in a background job, so IRIS is held at most for the JOB timeout', () => {
      expect(zmirror).toMatch(/^ROUTINE ZMIRROR$/m);
      expect(body).toMatch(/^try \{\njob Follow\^ZMIRROR\(\)::5\nif \$test \{/);
      expect(zmirror).toMatch(/\nFollow\(\) PUBLIC \{\n\s+do Notify\(""\)\n\s+quit\n\}/);
      // Only when no job starts: inline, with a deadline far below the default.
      expect(body).toContain('do Notify(15)');
    });

    it('imports the notifier from /opt/mirror-vip and calls it with /etc/mirror-vip/notify.conf', () => {
      expect(notify).toContain('set dir = "/opt/mirror-vip"');
      expect(notify).toContain('##class(%SYS.Python).Import("mirror_vip_notify")');
      expect(notify).toContain(
        'notifier."notify_from_config"("/etc/mirror-vip/notify.conf", "ZMIRROR NotifyBecomePrimary", deadline)',
      );
    });

    it('writes the outcome or the error to messages.log, from the job too', () => {
      const logs = notify.match(/##class\(%SYS\.System\)\.WriteToConsoleLog\([^\n]*"NotifyBecomePrimary:ZMIRROR"\)/g);
      expect(logs).toHaveLength(2);
      expect(logs?.[0]).toContain('"mirror-vip: " _ outcome."__getitem__"("message")');
      expect(logs?.[1]).toContain('"mirror-vip: notifier failed to run: " _ ex.DisplayString()');
    });

    it('runs everything inside try/catch and leaves by one final quit 1', () => {
      expect(body).toMatch(/^try \{[\s\S]*\} catch ex \{[\s\S]*\}\nquit 1$/);
      const code = body.replace(/"(?:[^"]|"")*"/g, '""');
      expect(code.match(/\b(quit|q|return|ret|halt|h|goto|g)\b(?!\.)/gi)).toEqual(['quit']);
    });

    it('notify_from_config takes ZMIRROR\'s "" as the configured deadline and 15 as an override', async () => {
      // A settings file whose deadline is invalid: "" keeps it (exit 2 naming it), 15 replaces it (on to the key file).
      const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-zmirror-'));
      dirs.push(dir);
      const conf = join(dir, 'notify.conf');
      writeFileSync(
        conf,
        'MIRROR_VIP_URL=http://127.0.0.1:9/\nMIRROR_VIP_MIRROR=M\nMIRROR_VIP_MEMBER=a\nMIRROR_VIP_KEY_ID=k\nMIRROR_VIP_KEY_FILE=/nonexistent\nMIRROR_VIP_DEADLINE_SECONDS=abc\n',
      );
      const py = `import sys, json; sys.path.insert(0, "${join(root, 'iris')}"); import mirror_vip_notify as n
print(json.dumps([n.notify_from_config("${conf}", "x", d) for d in ("", 15)]))`;
      const out = await new Promise<string>((resolve) => {
        const c = spawn('python3', ['-c', py], { env: bare });
        let o = '';
        c.stdout.on('data', (d: Buffer) => {
          o += d.toString();
        });
        c.on('close', () => resolve(o));
      });
      const [kept, overridden] = JSON.parse(out) as { exitCode: number; message: string }[];
      expect(kept).toMatchObject({ exitCode: 2, message: expect.stringContaining('MIRROR_VIP_DEADLINE_SECONDS') });
      expect(overridden).toMatchObject({ exitCode: 3 });
    });
  });

  describe('ZSTART', () => {
    const body = procedure(zstart, 'SYSTEM() PUBLIC');

    it('claims the VIP through ZMIRROR only on an instance that is not a mirror member, then quits 1', () => {
      expect(zstart).toMatch(/^ROUTINE ZSTART$/m);
      expect(body).toBe("if '$SYSTEM.Mirror.IsMember() {\ndo NotifyBecomePrimary^ZMIRROR()\n}\nquit 1");
    });
  });
});
