import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../local-cloud/bundles.ts';
import type { CloudSession } from './clouds/types.ts';
import { type DrillMember, PREFIX, type Topology } from './netns.ts';
import { MINIMAL_PATH, type NsProcess, spawnIn } from './processes.ts';

/** How the new primary tells the cloud: the project's notifier, the seed's script, or a notifier that fails. */
export type Variant = 'mirror-vip' | 'seed' | 'notify-failed';
export const VARIANTS: readonly Variant[] = ['mirror-vip', 'seed', 'notify-failed'];

export interface MemberSetup {
  session: CloudSession;
  topo: Topology;
  variant: Variant;
  advertIntMs: number;
  /** Where the seed variant's hook asks for the seed algorithm to run. */
  seedUrl: string;
  /** What the seed's script spends on the member before its first cloud call (profiles.ts `seedStartMs`). */
  seedStartMs: number;
}

/** A member host's files, laid out as docs/keepalived.md installs them: notifier, settings, key, hook, keepalived.conf. */
export function memberHost(m: DrillMember, s: MemberSetup): string {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}-${m}-`));
  chmodSync(dir, 0o755); // keepalived's script security refuses scripts in a directory others could write
  for (const [from, to] of [
    ['iris/mirror_vip_notify.py', 'mirror_vip_notify.py'],
    ['drill/agents/mirror-hook.py', 'mirror-hook.py'],
  ] as const) {
    copyFileSync(join(ROOT, from), join(dir, to));
    chmodSync(join(dir, to), 0o755);
  }
  const key = s.session.keys[m];
  writeFileSync(join(dir, `${m}.key`), `${key.secret}\n`, { mode: 0o600 });
  // notify-failed: the member signs with a key id the function does not know, so every event is refused
  const keyId = s.variant === 'notify-failed' ? `${m}-revoked` : key.id;
  const settings = [
    `MIRROR_VIP_URL=${s.session.functionUrl}`,
    `MIRROR_VIP_MIRROR=${s.session.mirror}`,
    `MIRROR_VIP_MEMBER=${m}`,
    `MIRROR_VIP_KEY_ID=${keyId}`,
    `MIRROR_VIP_KEY_FILE=${join(dir, `${m}.key`)}`,
    'MIRROR_VIP_DEADLINE_SECONDS=120',
  ];
  writeFileSync(join(dir, 'notify.conf'), `${settings.join('\n')}\n`, { mode: 0o644 });
  writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf(m, s, dir));
  return dir;
}

function keepalivedConf(m: DrillMember, s: MemberSetup, dir: string): string {
  const hook = `/usr/bin/python3 ${join(dir, 'mirror-hook.py')}`;
  const how =
    s.variant === 'seed'
      ? `seed ${s.seedUrl}${m} ${Math.round(s.seedStartMs)}`
      : `notify ${join(dir, 'mirror_vip_notify.py')} ${join(dir, 'notify.conf')}`;
  const peer = m === 'iris-a' ? s.topo.mgmtIp['iris-b'] : s.topo.mgmtIp['iris-a'];
  const dev = `${PREFIX}${s.topo.id}m${m.slice(-1)}`;
  const primary = m === 'iris-a';
  return `global_defs {
  router_id ${PREFIX}-${m}
  vrrp_version 3
  enable_script_security
  script_user root
}
vrrp_instance VI_MIRROR {
  state ${primary ? 'MASTER' : 'BACKUP'}
  interface ${dev}
  virtual_router_id 51
  priority ${primary ? 100 : 90}
  advert_int ${(s.advertIntMs / 1000).toFixed(2)}
  unicast_src_ip ${s.topo.mgmtIp[m]}
  unicast_peer {
    ${peer}
  }
  # VRRPv3 requires an address; the real VIP is the cloud's business, so this one is a TEST-NET placeholder on lo
  virtual_ipaddress {
    192.0.2.51/32 dev lo
  }
  notify_master "${hook} master http://127.0.0.1:57772 ${how}"
  notify_backup "${hook} backup http://127.0.0.1:57772 none"
}
`;
}

/** Start keepalived (VRRP only) inside the member's namespace, with a PATH-only environment as systemd gives it. */
export function startKeepalived(m: DrillMember, topo: Topology, dir: string): NsProcess {
  const args = ['keepalived', '--dont-fork', '--log-console', '--vrrp', '-f', join(dir, 'keepalived.conf')];
  args.push('-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid'));
  return spawnIn(topo.ns[m], args, { PATH: MINIMAL_PATH });
}
