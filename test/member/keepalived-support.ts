import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from '../../local-cloud/bundles.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

export type Member = 'iris-a' | 'iris-b';
const MEMBERS = ['iris-a', 'iris-b'] as const;
const MINIMAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const IFNAMSIZ = 15;

/** `own`, behind MIRROR_VIP_NETNS_PREFIX when set: parallel runs of the same test on one host then never collide. */
export const netnsPrefix = (own: string) => `${process.env.MIRROR_VIP_NETNS_PREFIX ?? ''}${own}`;

export interface PairOptions {
  /** Every bridge, veth and namespace this pair creates starts with it. */
  prefix: string;
  /** The first three octets of the /29: the function's address is .1, iris-a .2, iris-b .3. */
  subnet: string;
}

/** What a member's notifier needs to reach the function: its URL, the mirror and the member's key. */
export interface NotifierSettings {
  url: string;
  mirror: string;
  secret: string;
}

/**
 * Two member hosts, each a network namespace of its own, joined by a bridge that carries the function's address:
 * VRRP (unicast) between two real keepalived daemons, whose notify_master runs the documented line.
 */
export function keepalivedPair(o: PairOptions) {
  const n = process.pid % 10_000;
  const bridge = `${o.prefix}br${n}`;
  if (bridge.length > IFNAMSIZ) throw new Error(`prefix "${o.prefix}" makes interface names longer than ${IFNAMSIZ}`);
  const addr = { function: `${o.subnet}.1`, 'iris-a': `${o.subnet}.2`, 'iris-b': `${o.subnet}.3` } as const;
  const ns = (m: Member) => `${o.prefix}-${m}-${n}`;
  const veth = (m: Member) => `${o.prefix}${m.slice(-1)}${n}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  const inNs = (m: Member, ...args: string[]) => ip('netns', 'exec', ns(m), 'ip', ...args);
  const daemons: Partial<Record<Member, ChildProcess>> = {};

  /** Create the bridge (with the function's address) and both namespaces, each with its eth0 on the bridge. */
  const up = () => {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${addr.function}/29`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (const m of MEMBERS) {
      ip('netns', 'add', ns(m));
      ip('link', 'add', veth(m), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(m));
      ip('link', 'set', veth(m), 'master', bridge, 'up');
      inNs(m, 'addr', 'add', `${addr[m]}/29`, 'dev', 'eth0');
      inNs(m, 'link', 'set', 'eth0', 'up');
      inNs(m, 'link', 'set', 'lo', 'up');
    }
  };

  /** Start keepalived for `m` at `priority` in its namespace, on a host set up as docs/keepalived.md says. */
  const start = (m: Member, priority: number, settings: NotifierSettings) => {
    const dir = memberHost(m, priority, settings, { self: addr[m], peer: addr[m === 'iris-a' ? 'iris-b' : 'iris-a'] });
    const args = ['netns', 'exec', ns(m), 'keepalived', '--dont-fork', '--log-console', '--vrrp'];
    args.push('-f', join(dir, 'keepalived.conf'), '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid'));
    daemons[m] = spawn('ip', args, { env: { PATH: MINIMAL_PATH }, stdio: 'ignore', cwd: '/' });
  };

  /** Stop `m`'s keepalived as a shutdown does: it resigns (a priority 0 advert), so the backup takes over at once. */
  const resign = (m: Member) => daemons[m]?.kill('SIGTERM');

  /** Kill the daemons and remove what `up` created; each step runs even if one before it failed. */
  const down = () => {
    for (const d of Object.values(daemons)) d?.kill('SIGKILL');
    const quietly = (...args: string[]) => {
      try {
        execFileSync('ip', args, { stdio: 'ignore' });
      } catch {
        // already gone (up() stopped half way)
      }
    };
    // the host end first: a namespace outlives `netns del` while a socket in it is in TIME_WAIT
    for (const m of MEMBERS) quietly('link', 'del', veth(m));
    for (const m of MEMBERS) quietly('netns', 'del', ns(m));
    quietly('link', 'del', bridge);
  };

  return { functionIp: addr.function, up, start, resign, down };
}

/** A member host's directory: the notifier installed as docs/keepalived.md says, its settings, key and keepalived.conf. */
function memberHost(m: Member, priority: number, s: NotifierSettings, at: { self: string; peer: string }): string {
  const dir = mkdtempSync(join(tmpdir(), `mirror-vip-${m}-`));
  chmodSync(dir, 0o755);
  const script = join(dir, 'mirror_vip_notify.py');
  copyFileSync(join(ROOT, 'iris/mirror_vip_notify.py'), script);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, `${m}.key`), `${s.secret}\n`, { mode: 0o600 });
  const settings = [
    `MIRROR_VIP_URL=${s.url}`,
    `MIRROR_VIP_MIRROR=${s.mirror}`,
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
  unicast_src_ip ${at.self}
  unicast_peer {
    ${at.peer}
  }
  notify_master "${line}"
}
`;
  writeFileSync(join(dir, 'keepalived.conf'), conf);
  return dir;
}

/** The function's answers in order; `answered(pred)` resolves on the first that satisfies it (each answer wakes it). */
export function answerLog() {
  const results: FailoverResult[] = [];
  let waiters: (() => void)[] = [];
  const record = (r: FailoverResult) => {
    results.push(r);
    const pending = waiters;
    waiters = [];
    for (const w of pending) w();
  };
  const answered = (pred: (r: FailoverResult) => boolean) =>
    new Promise<FailoverResult>((resolve) => {
      const check = () => {
        const hit = results.find(pred);
        if (hit) resolve(hit);
        else waiters.push(check);
      };
      check();
    });
  return { results, record, answered };
}

/** What the scenario needs of a cloud's world: the members' health pages and their keys. */
export interface MemberWorld {
  members: { set(member: string, role: 'primary' | 'backup' | 'down'): void };
  secrets: Record<Member, string>;
}

/**
 * Seed's scenario on real daemons: iris-a is elected MASTER and notifies (nothing to move); iris-b joins as BACKUP and
 * stays quiet; iris-a resigns and iris-b takes over and notifies: the move. `expectVipOn(m)` checks the cloud's view.
 */
export async function electThenFailOver(
  pair: ReturnType<typeof keepalivedPair>,
  log: ReturnType<typeof answerLog>,
  world: MemberWorld,
  notifier: { url: string; mirror: string },
  expectVipOn: (m: Member) => void,
): Promise<void> {
  const settings = (m: Member) => ({ ...notifier, secret: world.secrets[m] });
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
  pair.start('iris-a', 100, settings('iris-a'));
  const first = await log.answered((r) => r.ok && r.to === 'iris-a');
  expect(first).toMatchObject({ outcome: 'unchanged', trigger: 'event', writeCalls: 0 });
  // iris-b joins as BACKUP: it hears iris-a's adverts and stays quiet.
  pair.start('iris-b', 90, settings('iris-b'));
  expectVipOn('iris-a');

  world.members.set('iris-a', 'down');
  world.members.set('iris-b', 'primary');
  pair.resign('iris-a');
  const second = await log.answered((r) => r.ok && r.to === 'iris-b');
  expect(second).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
  expectVipOn('iris-b');
  expect(log.results.filter((r) => !r.ok)).toEqual([]);
}
