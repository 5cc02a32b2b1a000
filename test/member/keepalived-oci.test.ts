import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { MIRROR, type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

// Seed 004 on OCI, without the VMs' network rights: two real keepalived daemons in network namespaces elect a MASTER,
// notify_master runs the project's notifier, which calls the API Gateway; the function (the real FDK on its unix
// socket) moves the secondary private IP and its reserved public IP on the OCI emulator.
const n = process.pid % 10_000;
const BRIDGE = `mvobr${n}`;
const SUBNET = { function: '10.231.9.1', 'iris-a': '10.231.9.2', 'iris-b': '10.231.9.3' } as const;
type Member = 'iris-a' | 'iris-b';
const ns = (m: Member) => `mvo-${m}-${n}`;
const veth = (m: Member) => `mvo${m.slice(-1)}${n}`;
const MINIMAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inNs = (m: Member, ...args: string[]) => ip('netns', 'exec', ns(m), 'ip', ...args);

let world: OciWorld;
let fn: Awaited<ReturnType<typeof serveApiGateway>>;
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
  world = await startOciWorld({ assigningMs: 50 });
  network();
  const first = world.instances[0];
  if (!first) throw new Error('no function instance');
  fn = await serveApiGateway(
    () => first.socket,
    SUBNET.function,
    (r) => {
      results.push(JSON.parse(r.text) as FailoverResult);
      const pending = waiters;
      waiters = [];
      for (const w of pending) w();
    },
  );
}, 30_000);

afterAll(async () => {
  for (const d of Object.values(daemons)) d?.kill('SIGKILL');
  // deleting a namespace deletes its veth end, and the host end with it; each step runs even if one before failed
  const quietly = (...args: string[]) => {
    try {
      execFileSync('ip', args, { stdio: 'ignore' });
    } catch {
      // already gone (network() stopped half way)
    }
  };
  // the host end first: a namespace outlives `netns del` while a socket in it is in TIME_WAIT
  for (const m of ['iris-a', 'iris-b'] as const) quietly('link', 'del', veth(m));
  for (const name of [ns('iris-a'), ns('iris-b')]) quietly('netns', 'del', name);
  quietly('link', 'del', BRIDGE);
  await fn?.close();
  await world?.close();
});

describe('keepalived on OCI (seed 004: real daemons, VRRP unicast between two network namespaces)', () => {
  it('the MASTER notifies through notify_master; on its death the other takes over and the private IP and its public IP follow', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    startKeepalived('iris-a', host('iris-a', 100));
    const first = await answered((r) => r.ok && r.to === 'iris-a');
    expect(first).toMatchObject({ outcome: 'unchanged', trigger: 'event', writeCalls: 0 });
    // iris-b joins as BACKUP: it hears iris-a's adverts and stays quiet.
    startKeepalived('iris-b', host('iris-b', 90));
    expect(world.privateIpHolder()).toBe('iris-a');

    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    daemons['iris-a']?.kill('SIGTERM'); // keepalived resigns (priority 0 advert): the backup takes over at once
    const second = await answered((r) => r.ok && r.to === 'iris-b');
    expect(second).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect(world.privateIpHolder()).toBe('iris-b');
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
    expect(world.emu.calls.filter((c) => c.write && c.status === 200).map((c) => c.op)).toEqual(['UpdatePrivateIp']);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, 40_000);
});
