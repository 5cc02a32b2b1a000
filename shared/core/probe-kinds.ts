import type { ProbeConfig } from '../config/schema-parts.ts';
import type { MemberRole } from './health.ts';

/** Secrets of a probe as read at cold start (shared/config/probe-secrets.ts): never logged, never in a result. */
export interface ProbeSecrets {
  /** The whole `Authorization` header value (`Basic …`). */
  authorization?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

/** A mirror's probe settings as the probe receives them: the configuration plus its resolved secrets. */
export type ProbeSpec = ProbeConfig & { secrets?: ProbeSecrets };

/** The verdict on one complete answer; `detail` says why it is unknown, in words safe to log. */
export interface Verdict {
  role: Exclude<MemberRole, 'down'>;
  detail?: string;
}

/** How one kind of page is read: its byte cap and its classification of a complete answer. */
export interface ProbeKind {
  maxBytes: number;
  classify(status: number, body: string): Verdict;
}

/** Most bytes of an IRIS status page that are read: IRIS answers `SUCCESS` or `FAILED`; anything longer is not IRIS. */
export const MAX_PROBE_BYTES = 256;

/**
 * Most bytes of a Patroni answer read. Patroni's GET /primary carries the node's status JSON (state, role, xlog,
 * timeline, patroni.version/scope/name, tags, and on the primary one `replication` entry of ~200 bytes per
 * connected standby): ~600 bytes for a pair, ~2 KB with 8 standbys; 16 KiB leaves room for ~75 connections.
 */
export const MAX_PATRONI_BYTES = 16 * 1024;

/** IRIS's mirror_status page: primary only for 200 with exactly SUCCESS, backup only for 503 with exactly FAILED. */
export function roleOf(status: number, body: string): MemberRole {
  const text = body.trimEnd();
  if (status === 200 && text === 'SUCCESS') return 'primary';
  if (status === 503 && text === 'FAILED') return 'backup';
  return 'unknown';
}

const iris: ProbeKind = {
  maxBytes: MAX_PROBE_BYTES,
  classify: (status, body) => {
    const role = roleOf(status, body) as Verdict['role'];
    return role === 'unknown' ? { role, detail: body.slice(0, 64) } : { role };
  },
};

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** PostgreSQL roles as Patroni names them in its status JSON (`master` before Patroni 3.0, `primary` since). */
const PRIMARY_ROLES = new Set(['primary', 'master']);
const STANDBY_ROLES = new Set(['replica', 'standby_leader']);

/**
 * Patroni's GET /primary (docs/patroni.md#what-the-probe-reads). 200 is primary only when the JSON agrees (role
 * primary, state running) and the answer did not come from the paused-without-DCS path, which answers from
 * PostgreSQL's role alone without checking the leader lock (`pause` and `cluster_unlocked` both true). 503 from a
 * replica or a standby-cluster leader is backup; 503 from a node that still runs as primary (it lost the leader
 * lock or the DCS and is demoting) is unknown: it may still take writes, so it is neither a yes nor a clear no.
 */
export function patroniVerdict(status: number, body: string): Verdict {
  const doc = parseObject(body);
  if (!doc) return { role: 'unknown', detail: `${status}: not a Patroni JSON status` };
  const role = String(doc.role ?? '');
  const state = String(doc.state ?? '');
  if (status === 200) {
    if (!PRIMARY_ROLES.has(role)) return { role: 'unknown', detail: `200 with role ${role.slice(0, 32)}` };
    if (state !== 'running') return { role: 'unknown', detail: `200 with state ${state.slice(0, 32)}` };
    if (doc.pause === true && doc.cluster_unlocked === true) {
      return { role: 'unknown', detail: 'paused and unlocked: 200 from the PostgreSQL role, not the leader lock' };
    }
    return { role: 'primary' };
  }
  if (status === 503) {
    if (STANDBY_ROLES.has(role)) return { role: 'backup' };
    return { role: 'unknown', detail: `503 with role ${role.slice(0, 32)} state ${state.slice(0, 32)}` };
  }
  return { role: 'unknown', detail: `status ${status}` };
}

const patroni: ProbeKind = { maxBytes: MAX_PATRONI_BYTES, classify: patroniVerdict };

type HttpConfig = Extract<ProbeConfig, { kind: 'http' }>;
type PageAnswer = HttpConfig['primary'];

function matches(answer: PageAnswer, status: number, body: string): boolean {
  if (status !== answer.status) return false;
  if (answer.body !== undefined) return body.trimEnd() === answer.body;
  if (answer.pattern !== undefined) return new RegExp(answer.pattern, 'u').test(body);
  return true;
}

/** A generic page: primary when it matches `primary`, backup when it matches `backup`, everything else unknown. */
function httpKind(spec: HttpConfig): ProbeKind {
  return {
    maxBytes: spec.maxBytes,
    classify: (status, body) => {
      if (matches(spec.primary, status, body)) return { role: 'primary' };
      if (spec.backup && matches(spec.backup, status, body)) return { role: 'backup' };
      return { role: 'unknown', detail: `${status}: ${body.slice(0, 48)}` };
    },
  };
}

/** The reader of a mirror's pages; no spec is IRIS, the default. */
export function probeKindOf(spec?: ProbeSpec): ProbeKind {
  if (spec?.kind === 'patroni') return patroni;
  if (spec?.kind === 'http') return httpKind(spec);
  return iris;
}

/** True when the spec needs secrets that were not resolved: the probe then answers unknown rather than probe bare. */
export function secretsMissing(spec?: ProbeSpec): boolean {
  if (!spec || spec.kind === 'iris') return false;
  const wants = spec.ca !== undefined || spec.clientCert !== undefined || spec.auth !== undefined;
  return wants && spec.secrets === undefined;
}
