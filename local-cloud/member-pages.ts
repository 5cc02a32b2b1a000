import type { MemberRole } from '../shared/core/health.ts';

/** The kinds of page a stand-in member can serve: IRIS's mirror_status, Patroni's GET /primary, a generic page. */
export const MEMBER_SHAPES = ['iris', 'patroni', 'http'] as const;
export type MemberShape = (typeof MEMBER_SHAPES)[number];

/** Where each shape's page lives on a member (under the stand-in's per-member prefix, if any). */
export const SHAPE_PATH: Record<MemberShape, string> = {
  iris: '/csp/bin/mirror_status.cxw',
  patroni: '/primary',
  http: '/vrrp-state',
};

/** The probe spec each shape is read with: the configuration's `health.probe`. */
export const SHAPE_PROBE: Record<MemberShape, Record<string, unknown>> = {
  iris: { kind: 'iris' },
  patroni: { kind: 'patroni' },
  // keepalived's notify script writes its state to a file a small web server serves (docs/keepalived.md)
  http: { kind: 'http', primary: { status: 200, body: 'MASTER' }, backup: { status: 200, body: 'BACKUP' } },
};

export interface Page {
  status: number;
  body: string;
  type: string;
}

const LSN = 0x3000_0a28;

/**
 * Patroni 4's status JSON for GET /primary, as its REST API answers it (patroni/api.py get_postgresql_status):
 * 200 on the primary holding the leader lock; 503 with the replica's status; `unknown` is a node whose PostgreSQL
 * still runs as primary without the leader lock (lost the DCS, demoting): 503 with role primary.
 */
export function patroniPage(member: string, role: Exclude<MemberRole, 'down'>, peer = 'peer'): Page {
  const common = {
    state: 'running',
    postmaster_start_time: '2026-12-07 03:00:00.123456+00:00',
    server_version: 160_004,
    timeline: 2,
    dcs_last_seen: 1_796_000_000,
    database_system_identifier: '7445823094215712345',
    patroni: { version: '4.0.4', scope: 'pg-cluster', name: member },
  };
  const primaryDoc = {
    ...common,
    role: 'primary',
    xlog: { location: LSN },
    replication: [
      {
        usename: 'replicator',
        application_name: peer,
        client_addr: '10.0.2.10',
        state: 'streaming',
        sync_state: 'async',
        sync_priority: 0,
      },
    ],
  };
  if (role === 'primary') return { status: 200, body: JSON.stringify(primaryDoc), type: 'application/json' };
  if (role === 'unknown') {
    return { status: 503, body: JSON.stringify({ ...primaryDoc, replication: undefined }), type: 'application/json' };
  }
  const replica = {
    ...common,
    role: 'replica',
    xlog: { received_location: LSN, replayed_location: LSN, replayed_timestamp: null, paused: false },
    replication_state: 'streaming',
  };
  return { status: 503, body: JSON.stringify(replica), type: 'application/json' };
}

/** The page a member in `role` serves in `shape` (a `down` member answers nothing: the caller drops the socket). */
export function memberPage(shape: MemberShape, member: string, role: Exclude<MemberRole, 'down'>): Page {
  if (shape === 'patroni') return patroniPage(member, role);
  const text = { type: 'text/plain' };
  if (shape === 'http') {
    if (role === 'unknown') return { status: 200, body: 'FAULT', ...text };
    return { status: 200, body: role === 'primary' ? 'MASTER' : 'BACKUP', ...text };
  }
  if (role === 'unknown') return { status: 500, body: 'ERROR', ...text };
  return role === 'primary' ? { status: 200, body: 'SUCCESS', ...text } : { status: 503, body: 'FAILED', ...text };
}

/** A configuration document whose mirrors read their members as `shape` (the member URLs left as they are). */
export function withProbeOf<T>(config: T, shape: MemberShape): T {
  if (shape === 'iris') return config;
  const c = structuredClone(config) as { mirrors: { health?: Record<string, unknown> }[] };
  for (const m of c.mirrors) m.health = { ...m.health, probe: structuredClone(SHAPE_PROBE[shape]) };
  return c as T;
}

/**
 * A configuration document whose members are read in `shape`: each member URL's IRIS path becomes the shape's path
 * and every mirror's `health.probe` the shape's spec (the stand-ins serve every shape on the same server).
 */
export function withMemberShape<T>(config: T, shape: MemberShape): T {
  if (shape === 'iris') return config;
  const c = withProbeOf(structuredClone(config), shape) as { mirrors: { members: { healthUrl: string }[] }[] };
  for (const m of c.mirrors)
    for (const mem of m.members) mem.healthUrl = mem.healthUrl.replace(SHAPE_PATH.iris, SHAPE_PATH[shape]);
  return c as T;
}
