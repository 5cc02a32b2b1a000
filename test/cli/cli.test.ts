import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../cli/demo.ts';
import { ROOT } from '../../local-cloud/bundles.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, MIRROR, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveKeys } from '../../shared/config/secrets.ts';
import { notifyArgs, runCli } from '../support/cli.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-cli-'));
let world: AwsWorld;
let fn: Awaited<ReturnType<typeof serveFunctionUrl>>;
let configFile: string;
const keyFile = (member: 'iris-a' | 'iris-b', mode = 0o600) => {
  const path = join(dir, `${member}-${mode.toString(8)}.key`);
  writeFileSync(path, `${world.secrets[member]}\n`, { mode });
  return path;
};

/** The real CLI with the emulator as its AWS endpoint. */
const cli = (args: string[]) => runCli(args, { AWS_ENDPOINT_URL: world.emu.url, MIRROR_VIP_NOTIFY_CONFIG: '' });

beforeAll(async () => {
  world = await startAwsWorld();
  fn = await serveFunctionUrl(world.handler);
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(world.config));
});
afterAll(async () => {
  await fn.close();
  await world.close();
});
beforeEach(() => world.emu.reset());

/** Notify options to this file's function URL. */
const memberArgs = (member: 'iris-a' | 'iris-b', key: string) => notifyArgs(fn.url, key, member);

describe('mirror-vip CLI', () => {
  it('status shows where the VIP points and who answers primary, read-only', async () => {
    const { code, stdout } = await cli(['status', '--config', configFile, '--json']);
    expect(code).toBe(0);
    const [s] = JSON.parse(stdout) as { holder: string; members: Record<string, unknown>; bindings: unknown[] }[];
    expect(s).toMatchObject({
      holder: 'iris-a',
      members: { 'iris-a': { role: 'primary' }, 'iris-b': { role: 'backup' } },
    });
    expect(s?.bindings).toHaveLength(3);
    expect(world.emu.calls.filter((c) => c.write)).toHaveLength(0);
    const table = await cli(['status', '--config', configFile]);
    expect(table.stdout).toMatch(/MIRROR\s+VIP\s+ADDRESS\s+MODE/);
    expect(table.stdout).toContain('the VIP is on the sole primary iris-a');
  });

  it('plan --to shows the changes without making them', async () => {
    // iris-b answers backup: the plan is shown, and exit 8 says the function would refuse it now
    const { code, stdout } = await cli(['plan', '--config', configFile, '--to', 'iris-b', '--json']);
    expect(code).toBe(8);
    const r = JSON.parse(stdout) as { outcome: string; plan: { from: string; to: string }[]; writeCalls: number };
    expect(JSON.parse(stdout).wouldRefuse).toContain('iris-b answers backup');
    expect(r.outcome).toBe('planned');
    expect(r.plan).toHaveLength(3);
    expect(r.plan.every((c) => c.from === 'iris-a' && c.to === 'iris-b')).toBe(true);
    expect(r.writeCalls).toBe(0);
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
    const none = await cli(['plan', '--config', configFile, '--to', 'iris-a']);
    expect(none.stdout).toContain('nothing to do');
    const bad = await cli(['plan', '--config', configFile, '--to', 'iris-z']);
    expect(bad.code).toBe(1);
    expect(bad.stderr + bad.stdout).toContain('iris-z is not a member');
  });

  it('notify signs and sends an event that the function accepts, and the VIP moves', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const { code, stdout } = await cli(['notify', ...memberArgs('iris-b', keyFile('iris-b')), '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      status: 200,
      attempts: 1,
      response: { outcome: 'moved', to: 'iris-b' },
    });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
  });

  it('notify refuses a key file others can read (exit 3) and a missing setting (exit 2)', async () => {
    const open = await cli(['notify', ...memberArgs('iris-b', keyFile('iris-b', 0o644))]);
    expect(open.code).toBe(3);
    expect(open.stderr).toMatch(/mode 0?644.*chmod 600/);
    const missing = await cli(['notify', '--url', fn.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('MIRROR_VIP_MIRROR');
    expect(world.emu.calls).toHaveLength(0);
  });

  it('notify against a rejecting function exits 1 with the error code, without retrying', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    const { code, stderr } = await cli(['notify', ...memberArgs('iris-b', keyFile('iris-b'))]);
    expect(code).toBe(1);
    expect(stderr).toContain('claimant_not_primary');
  });

  it('keygen writes a 256-bit secret to a new mode-600 file that the function accepts, and prints no secret', async () => {
    const out = join(dir, `keygen-${Date.now()}.key`);
    const { code, stdout } = await cli([
      'keygen',
      '--cloud',
      'aws',
      '--mirror',
      MIRROR,
      '--member',
      'iris-b',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const k = JSON.parse(stdout) as { keyId: string; reference: string; store: string[] };
    const secret = readFileSync(out, 'utf8');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(stdout).not.toContain(secret);
    expect(k.reference).toBe(`ssm:/mirror-vip/${MIRROR}/${k.keyId}`);
    expect(k.store).toEqual([
      `aws ssm put-parameter --name /mirror-vip/${MIRROR}/${k.keyId} --type SecureString --value file://${out}`,
    ]);
    const config = parseConfig(
      JSON.stringify({
        ...world.config,
        mirrors: [{ ...world.config.mirrors[0], keys: [{ id: k.keyId, member: 'iris-b', secret: `file:${out}` }] }],
      }),
    );
    expect((await resolveKeys(config, {})).get(k.keyId)?.secret).toBe(secret);
    const again = await cli(['keygen', '--cloud', 'aws', '--mirror', MIRROR, '--member', 'iris-b', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('never overwrites');
    expect(readFileSync(out, 'utf8')).toBe(secret);
  });

  it('keygen --cloud gcp adds a version to the secret terraform/gcp creates from the reference', async () => {
    const out = join(dir, `gcp-${Date.now()}.key`);
    const args = ['keygen', '--cloud', 'gcp', '--mirror', MIRROR, '--member', 'iris-a', '--key-id', 'iris-a-k9'];
    const missing = await cli([...args, '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--cloud gcp needs --project');
    const { stdout } = await cli([...args, '--project', 'iris-prod-123', '--out', out, '--json']);
    const k = JSON.parse(stdout) as { reference: string; store: string[] };
    expect(k.reference).toBe('gcp-sm:projects/iris-prod-123/secrets/mirror-vip-iris-a-k9/versions/latest');
    // terraform/gcp/locals.tf takes the secret id from the reference with this regex, and creates that secret
    const secretId = /\/secrets\/([^/]+)\//.exec(k.reference)?.[1];
    expect(readFileSync(join(ROOT, 'terraform/gcp/locals.tf'), 'utf8')).toContain(
      'regex("/secrets/([^/]+)/", k.secret)',
    );
    expect(k.store).toEqual([`gcloud secrets versions add ${secretId} --project iris-prod-123 --data-file=${out}`]);
  });

  it('every command has --help', async () => {
    const commands = ['notify', 'status', 'plan', 'keygen', 'demo', 'inspect', 'reconcile', 'pause', 'resume', 'check'];
    const runs = await Promise.all(commands.map((c) => cli([c, '--help'])));
    for (const [i, { code, stdout }] of runs.entries()) {
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: mirror-vip ${commands[i]}`);
    }
  }, 90_000);
});

describe('the Python notifier against the function', () => {
  it('a real POST from iris/mirror_vip_notify.py moves the VIP', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    await cli(['notify', ...memberArgs('iris-a', keyFile('iris-a'))]);
    world.emu.reset();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const script = join(ROOT, 'iris/mirror_vip_notify.py');
    const args = [script, ...memberArgs('iris-b', keyFile('iris-b')), '--json'];
    const { stdout } = await run('python3', args, { env: { PATH: process.env.PATH ?? '' }, cwd: '/' });
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      status: 200,
      response: { outcome: 'moved', from: 'iris-a', to: 'iris-b' },
    });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
  });
});

describe('a lost answer', () => {
  /** In front of the function: the first request gets through, but its answer is dropped on the way back. */
  async function lossyFront() {
    let n = 0;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k.startsWith('x-') || k === 'content-type'),
      ) as Record<string, string>;
      const answer = await fetch(fn.url, { method: 'POST', headers, body: Buffer.concat(chunks) });
      const text = await answer.text();
      if (++n === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      close: () => new Promise((r) => server.close(r)),
    };
  }

  it.each([
    ['the Python notifier', 'python3', [join(ROOT, 'iris/mirror_vip_notify.py')]],
    ['the CLI', process.execPath, [join(ROOT, 'bin/mirror-vip.mjs'), 'notify']],
  ])(
    '%s learns from the replay refusal that its first attempt was accepted (exit 0), and the VIP moved once',
    async (_who, cmd, pre) => {
      world.members.set('iris-a', 'primary');
      world.members.set('iris-b', 'backup');
      await cli(['notify', ...memberArgs('iris-a', keyFile('iris-a'))]);
      world.members.set('iris-a', 'down');
      world.members.set('iris-b', 'primary');
      world.emu.reset();
      const front = await lossyFront();
      try {
        const args = [...pre, ...notifyArgs(front.url, keyFile('iris-b')), '--json'];
        const { stdout } = await run(cmd, args, { env: { PATH: process.env.PATH ?? '' }, cwd: ROOT });
        const out = JSON.parse(stdout) as {
          ok: boolean;
          exitCode: number;
          attempts: number;
          response: { error: { code: string }; original: { outcome: string } };
        };
        expect(out).toMatchObject({ ok: true, attempts: 2 }); // and run() resolved: exit code 0
        expect(out.response).toMatchObject({
          error: { code: 'replayed_event' },
          original: { status: 200, outcome: 'moved', to: 'iris-b' },
        });
        expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
        expect(world.emu.calls.filter((c) => c.action === 'ReplaceRoute')).toHaveLength(2);
      } finally {
        await front.close();
      }
    },
  );
});

describe('the demo', () => {
  it('plays the failover on each cloud and reports it as JSON', async () => {
    const lines: string[] = [];
    for (const cloud of ['aws', 'gcp'] as const) {
      lines.length = 0;
      const o = { cloud, latency: 0, tables: 3, opDelay: 0, json: true, serve: false, port: 0 };
      const { ok, steps } = await runDemo(o, (s) => lines.push(s));
      expect(ok).toBe(true);
      expect(steps.map((s) => s.result?.outcome).filter(Boolean)).toEqual(['moved', 'rejected', 'unchanged']);
      // the failing check and its fix, before the failover
      const checks = steps.filter((s) => s.step.startsWith('the check') || s.step === 'the scheduled check');
      expect(checks.map((s) => s.detail.split(' ').slice(0, 2).join(' '))).toEqual([
        cloud === 'aws' ? 'FAIL aws.dryrun.ReplaceRoute' : 'FAIL gcp.permission.instance',
        expect.stringMatching(/^\d+ checks,$/),
      ]);
      expect(checks[1]?.detail).toContain('all pass, 0 writes');
      expect(JSON.parse(lines.join('\n'))).toMatchObject({ ok: true, cloud });
    }
  });

  it('shows the failing check and its fix on Azure and OCI too', async () => {
    for (const cloud of ['azure', 'oci'] as const) {
      const o = { cloud, latency: 0, tables: 1, opDelay: 0, json: true, serve: false, port: 0 };
      const { ok, steps } = await runDemo(o, () => {});
      expect(ok).toBe(true);
      expect(steps.map((s) => s.result?.outcome).filter(Boolean)).toEqual(['moved', 'rejected', 'unchanged']);
      const names = steps.map((s) => s.step);
      expect(names.slice(1, 5)).toEqual([
        'a permission is removed',
        'the scheduled check',
        'the fix is applied',
        'the check again',
      ]);
      const [failed, again] = [steps[2]?.detail ?? '', steps[4]?.detail ?? ''];
      if (cloud === 'azure') {
        expect(failed).toMatch(
          /^FAIL azure\.permission .*networkInterfaces\/.*fix: grant Microsoft\.Network\/networkInterfaces\/write /,
        );
        expect(again).toMatch(/^\d+ checks, all pass, 0 writes$/);
      } else {
        expect(failed).toMatch(
          /^FAIL oci\.skipSourceDestCheck .*\(-> iris-b\); fix: oci network vnic update .*--skip-source-dest-check true/,
        );
        expect(again).toMatch(
          /^\d+ checks, no failure \(write rights cannot be proven on OCI: statements printed\), 0 writes$/,
        );
      }
      expect(failed).toMatch(/; 0 writes$/);
    }
  });

  it('plays it with a Patroni-shaped pair and with a generic page (--members)', async () => {
    for (const [cloud, members] of [
      ['aws', 'patroni'],
      ['gcp', 'http'],
    ] as const) {
      const lines: string[] = [];
      const o = { cloud, members, latency: 0, tables: 1, opDelay: 0, json: false, serve: false, port: 0 };
      const { ok, steps } = await runDemo(o, (s) => lines.push(s));
      expect(ok).toBe(true);
      expect(steps.map((s) => s.result?.outcome).filter(Boolean)).toEqual(['moved', 'rejected', 'unchanged']);
      expect(lines[0]).toContain(`${members} members`);
    }
  });
});
