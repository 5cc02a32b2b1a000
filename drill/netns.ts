import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { MirrorVipError } from '../shared/errors.ts';
import { spawnPiped } from './processes.ts';

const run = promisify(execFile);

/**
 * Every namespace, veth and bridge the drill creates starts with this: `mvd`, or MIRROR_VIP_DRILL_PREFIX (1–4
 * lower-case letters) when several drills share a machine and each must keep to its own names.
 */
export const PREFIX = drillPrefix(process.env.MIRROR_VIP_DRILL_PREFIX);

function drillPrefix(v: string | undefined): string {
  if (v === undefined || v === '') return 'mvd';
  if (!/^[a-z]{1,4}$/.test(v))
    throw new MirrorVipError('drill_prefix', `MIRROR_VIP_DRILL_PREFIX must be 1–4 lower-case letters, got "${v}"`);
  return v;
}
export const MEMBERS = ['iris-a', 'iris-b'] as const;
export type DrillMember = (typeof MEMBERS)[number];

/** The addresses of one drill's networks: client ↔ cloud network ↔ members (data), members ↔ host (management). */
export interface Topology {
  id: number;
  ns: { client: string; net: string; 'iris-a': string; 'iris-b': string };
  bridge: string;
  /** The host's address on the management bridge: the function and the emulator are reached there. */
  hostIp: string;
  /** Each member's management address (VRRP, health probe, notifier). */
  mgmtIp: Record<DrillMember, string>;
  /** Each member's data address behind the cloud network: the VIP is routed to it. */
  dataIp: Record<DrillMember, string>;
  vip: string;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();
const letter = (m: DrillMember) => m.slice(-1);

/** The drill's namespaces that exist now (all drills, or only drill `id`). */
export function drillNamespaces(id?: number): string[] {
  const names = ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(PREFIX));
  return id === undefined ? names : names.filter((n) => new RegExp(`^${PREFIX}${id}[a-z]$`).test(n));
}

/** The drill's devices in the host namespace (its bridge and the host ends of the member links). */
export function drillLinks(id: number): string[] {
  return ip('-o', 'link', 'show')
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
    .filter((d) => new RegExp(`^${PREFIX}${id}(br|r[ab])$`).test(d));
}

function topology(id: number, vip: string): Topology {
  const name = (s: string) => `${PREFIX}${id}${s}`;
  return {
    id,
    ns: { client: name('c'), net: name('n'), 'iris-a': name('a'), 'iris-b': name('b') },
    bridge: name('br'),
    hostIp: `10.232.${id}.1`,
    mgmtIp: { 'iris-a': `10.232.${id}.2`, 'iris-b': `10.232.${id}.3` },
    dataIp: { 'iris-a': '10.77.1.2', 'iris-b': '10.77.2.2' },
    vip,
  };
}

/** Claim a free drill id by creating its bridge (creation is atomic, so parallel drills never share one). */
function claimId(): number {
  const start = 1 + (process.pid % 250);
  // a drill with another prefix may hold the same id: its host address must stay its own
  const hostAddrs = ip('-o', 'addr', 'show');
  for (let i = 0; i < 250; i++) {
    const id = 1 + ((start + i) % 250);
    if (hostAddrs.includes(` 10.232.${id}.1/`)) continue;
    try {
      ip('link', 'add', `${PREFIX}${id}br`, 'type', 'bridge');
      return id;
    } catch {
      // taken by another drill: try the next
    }
  }
  throw new Error('no free drill id (250 drills running?)');
}

function link(a: [string, string], b: [string, string]): void {
  ip('-n', a[0], 'link', 'add', a[1], 'type', 'veth', 'peer', 'name', b[1], 'netns', b[0]);
}

function addr(ns: string, dev: string, cidr: string): void {
  ip('-n', ns, 'addr', 'add', cidr, 'dev', dev);
  ip('-n', ns, 'link', 'set', dev, 'up');
}

/**
 * Build the namespaces: client → cloud network (routes the VIP) → member A / B; members on a bridge to the host.
 * Without `id` a free one is claimed; with it (a later run of the same drill) the same addresses are built again.
 */
export function createTopology(vipCidr: string, reuse?: number): Topology {
  const id = reuse ?? claimId();
  if (reuse !== undefined) ip('link', 'add', `${PREFIX}${id}br`, 'type', 'bridge');
  const t = topology(id, vipCidr.split('/')[0] ?? vipCidr);
  try {
    for (const ns of Object.values(t.ns)) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    const p = `${PREFIX}${id}`;
    link([t.ns.client, `${p}cl`], [t.ns.net, `${p}nc`]);
    addr(t.ns.client, `${p}cl`, '10.77.0.2/30');
    addr(t.ns.net, `${p}nc`, '10.77.0.1/30');
    ip('-n', t.ns.client, 'route', 'add', 'default', 'via', '10.77.0.1');
    execFileSync('ip', ['netns', 'exec', t.ns.net, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    ip('addr', 'add', `${t.hostIp}/24`, 'dev', t.bridge);
    ip('link', 'set', t.bridge, 'up');
    for (const m of MEMBERS) {
      const l = letter(m);
      const ns = t.ns[m];
      link([ns, `${p}d${l}`], [t.ns.net, `${p}n${l}`]);
      addr(ns, `${p}d${l}`, `${t.dataIp[m]}/30`);
      addr(t.ns.net, `${p}n${l}`, `${t.dataIp[m].replace(/\.2$/, '.1')}/30`);
      ip('-n', ns, 'route', 'add', 'default', 'via', t.dataIp[m].replace(/\.2$/, '.1'));
      ip('-n', ns, 'addr', 'add', `${t.vip}/32`, 'dev', 'lo');
      ip('link', 'add', `${p}r${l}`, 'type', 'veth', 'peer', 'name', `${p}m${l}`, 'netns', ns);
      ip('link', 'set', `${p}r${l}`, 'master', t.bridge, 'up');
      addr(ns, `${p}m${l}`, `${t.mgmtIp[m]}/24`);
    }
    ip('-n', t.ns.net, 'route', 'add', 'blackhole', `${t.vip}/32`);
    return t;
  } catch (e: unknown) {
    destroyTopology(id);
    throw e;
  }
}

const routeArgs = (t: Topology, holder: DrillMember | undefined) =>
  holder ? [`${t.vip}/32`, 'via', t.dataIp[holder]] : ['blackhole', `${t.vip}/32`];

/** Point the cloud network's VIP route at a member, or drop the VIP's packets when no member holds it. */
export async function routeVip(t: Topology, holder: DrillMember | undefined): Promise<void> {
  await run('ip', ['-n', t.ns.net, 'route', 'replace', ...routeArgs(t, holder)]);
}

/**
 * The cloud network's router: one `ip -batch` process takes route changes without a process start each, and
 * `ip monitor route` reports the moment the kernel has the new VIP route (`onApplied(holder, epochMs)`).
 */
export function startVipRouter(t: Topology, onApplied: (holder: DrillMember | 'none', at: number) => void) {
  const byIp = Object.fromEntries(MEMBERS.map((m) => [t.dataIp[m], m]));
  // -ts: ip stamps each message as it reads it from netlink, so a busy drill process does not delay the figure
  const monitor = spawnPiped(t.ns.net, ['ip', '-ts', 'monitor', 'route'], (raw) => {
    const stamp = /^\[([0-9T:.-]+)\]/.exec(raw)?.[1];
    const at = stamp ? new Date(stamp).getTime() : performance.timeOrigin + performance.now();
    const line = raw.replace(/^\[[^\]]*\]\s*/, '');
    if (line.startsWith('Deleted') || !line.includes(t.vip)) return;
    const via = / via (\S+)/.exec(line)?.[1];
    onApplied(via ? (byIp[via] ?? 'none') : 'none', at);
  });
  const batch = spawnPiped(t.ns.net, ['ip', '-batch', '-'], () => {});
  return {
    route: (holder: DrillMember | undefined) => batch.stdin?.write(`route replace ${routeArgs(t, holder).join(' ')}\n`),
    stop: () => {
      for (const c of [monitor, batch]) c.kill('SIGKILL');
    },
  };
}

/**
 * The member's VM dies: its links go down first, so nothing leaves it any more (keepalived's VRRP child, seeing its
 * parent die, would otherwise resign with a priority-0 advert and hand over faster than a crash does), then every
 * process in its namespace is killed.
 */
export function killMember(t: Topology, m: DrillMember): void {
  const p = `${PREFIX}${t.id}`;
  for (const dev of [`${p}d${letter(m)}`, `${p}m${letter(m)}`]) ip('-n', t.ns[m], 'link', 'set', dev, 'down');
  killNamespaceProcesses(t.ns[m]);
}

function killNamespaceProcesses(ns: string): void {
  let pids: string[] = [];
  try {
    pids = ip('netns', 'pids', ns).split('\n').filter(Boolean);
  } catch {
    return; // the namespace is gone already
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Remove drill `id`'s namespaces (killing what runs in them by pid) and its bridge; safe to call twice. */
export function destroyTopology(id: number): void {
  // the kernel frees a deleted namespace's devices later, so the host ends go first, by name
  for (const dev of drillLinks(id).filter((d) => d !== `${PREFIX}${id}br`)) {
    try {
      ip('link', 'del', dev);
    } catch {
      // gone with its peer
    }
  }
  for (const ns of drillNamespaces(id)) {
    killNamespaceProcesses(ns);
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
  }
  try {
    ip('link', 'del', `${PREFIX}${id}br`);
  } catch {
    // already gone
  }
}
