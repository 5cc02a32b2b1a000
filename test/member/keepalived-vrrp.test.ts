import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, MIRROR, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

// Two real keepalived daemons, each in a network namespace of its own, joined by a bridge that also reaches the
// function: VRRP (unicast) elects a MASTER, and keepalived itself runs the documented notify_master line.
const n = process.pid % 10_000;
const BRIDGE = `mvbr${n}`;
const SUBNET = { function: '10.231.7.1', 'iris-a': '10.231.7.2', 'iris-b': '10.231.7.3' } as const;
type Member = 'iris-a' | 'iris-b';
const ns = (m: Member) => `mv-${m}-${n}`;
const veth = (m: Member) => `mv${m.slice(-1)}${n}`;
const MINIMAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inNs = (m: Member, ...args: string[]) => ip('netns', 'exec', ns(m), 'ip', ...args);

let world: AwsWorld;
let fn: Awaited<ReturnType<typeof serveFunctionUrl>>;
const daemons: Partial<Record<Member, ChildProcess>> = {};
const results: FailoverResult[] = [];
let waiters: (() => void)[] = [];

/** Resolves when the function has answered an event that satisfies `pred` (no polling: each answer wakes it). */
function answered(pred: (r: FailoverResult) => boolean): Promise<FailoverResult> {
  return new Promise((resolve) => {
    const check = () => {
      const hit = results.find(pred);
      if (hit) resolve(hit);
      else waiters.push(check);
    };
    check();
  });
}

function network(): void {
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${SUBNET.function}/29`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  for (const m of ['iris-a', 'iris-b'] as const) {
    ip('netns', 'add', ns(m));
    ip('link', 'add', veth(m), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(m));
    ip('link', 'set', veth(m), 'master', BRIDGE, 'up');
    inNs(m, 'addr', 'add', `${SUBNET[m]}/29`, 'dev', 'eth0');
    inNs(m, 'link', 'set', 'eth0', 'up');
    inNs(m, 'link', 'set', 'lo', 'up');
  }
}

/** A member host: the notifier installed as docs/keepalived.md says, its settings, its key, its keepalived.conf. */
function host(m: Member, priority: number): string {
  const dir = mkdtempSync(join(tmpdir(), `mirror-vip-${m}-`));
  chmodSync(dir, 0o755);
  const script = join(dir, 'mirror_vip_notify.py');
  copyFileSync(join(ROOT, 'iris/mirror_vip_notify.py'), script);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, `${m}.key`), `${world.secrets[m]}\n`, { mode: 0o600 });
  const settings = [
    `MIRROR_VIP_URL=${fn.url}`,
    `MIRROR_VIP_MIRROR=${MIRROR}`,
    `MIRROR_VIP_MEMBER=${m}`,
    `MIRROR_VIP_KEY_ID=${m}-k1`,
    `MIRROR_VIP_KEY_FILE=${join(dir, `${m}.key`)}`,
    'MIRROR_VIP_DEADLINE_SECONDS=10',
  ];
  writeFileSync(join(dir, 'notify.conf'), `${settings.join('\n')}\n`, { mode: 0o644 });
  // The documented notify_master line, with this host's paths.
  const documented = readFileSync(join(ROOT, 'docs/keepalived.conf.example'), 'utf8');
  const line = (/^\s*notify_master "([^"]+)"/m.exec(documented)?.[1] ?? '')
    .replace('/usr/local/bin/mirror_vip_notify.py', script)
    .replace('/etc/mirror-vip/notify.conf', join(dir, 'notify.conf'));
  const peer = m === 'iris-a' ? SUBNET['iris-b'] : SUBNET['iris-a'];
  // As the example, less track_script: no IRIS answers inside these namespaces.
  const conf = `global_defs {
  router_id mirror-vip-${m}
  enable_script_security
  script_user root
}
vrrp_instance VI_MIRROR {
  state BACKUP
  nopreempt
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  unicast_src_ip ${SUBNET[m]}
  unicast_peer {
    ${peer}
  }
  notify_master "${line}"
}
`;
  writeFileSync(join(dir, 'keepalived.conf'), conf);
  return dir;
}

function startKeepalived(m: Member, dir: string): void {
  const args = ['netns', 'exec', ns(m), 'keepalived', '--dont-fork', '--log-console', '--vrrp'];
  args.push('-f', join(dir, 'keepalived.conf'), '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid'));
  daemons[m] = spawn('ip', args, { env: { PATH: MINIMAL_PATH }, stdio: 'ignore', cwd: '/' });
}

beforeAll(async () => {
  world = await startAwsWorld({ topic: false });
  network();
  const handler = async (event: unknown) => {
    const out = (await world.handler(event)) as { body: string };
    results.push(JSON.parse(out.body) as FailoverResult);
    const pending = waiters;
    waiters = [];
    for (const w of pending) w();
    return out;
  };
  fn = await serveFunctionUrl(handler, 0, SUBNET.function);
}, 30_000);

afterAll(async () => {
  for (const d of Object.values(daemons)) d?.kill('SIGKILL');
  // deleting a namespace deletes its veth end, and the host end with it
  for (const name of [ns('iris-a'), ns('iris-b')]) execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  execFileSync('ip', ['link', 'del', BRIDGE], { stdio: 'ignore' });
  await fn?.close();
  await world?.close();
});

describe('keepalived (real daemons, VRRP unicast between two network namespaces)', () => {
  it('the elected MASTER notifies through the documented notify_master line; on its death the other takes over and the VIP follows', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    startKeepalived('iris-a', host('iris-a', 100));
    const first = await answered((r) => r.ok && r.to === 'iris-a');
    expect(first).toMatchObject({ outcome: 'unchanged', trigger: 'event', writeCalls: 0 });
    // iris-b joins as BACKUP: it hears iris-a's adverts and stays quiet.
    startKeepalived('iris-b', host('iris-b', 90));
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);

    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    daemons['iris-a']?.kill('SIGTERM'); // keepalived resigns (priority 0 advert): the backup takes over at once
    const second = await answered((r) => r.ok && r.to === 'iris-b');
    expect(second).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, 40_000);
});
