import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { MIN_SECRET_LENGTH } from '../shared/config/secrets.ts';
import { redactUrl } from './redact.ts';

/** Exit codes shared with iris/mirror_vip_notify.py (test/vectors/notifier-settings.json checks both). */
export const EXIT = { accepted: 0, rejected: 1, usage: 2, keyFile: 3, gaveUp: 4 } as const;

export const SETTINGS = [
  'URL',
  'MIRROR',
  'MEMBER',
  'KEY_ID',
  'KEY_FILE',
  'DEADLINE_SECONDS',
  'ATTEMPT_TIMEOUT_SECONDS',
  'REASON',
  'AUTH',
] as const;
type Setting = (typeof SETTINGS)[number];
export type NotifySettings = Partial<Record<Setting, string>>;

/**
 * Defaults cover a 120 s move (the slowest any cloud's function is allowed, docs/iris.md "Timeouts"): one attempt
 * may wait 125 s for the answer, and the deadline leaves room for retries after a lost answer.
 */
export const DEFAULTS = { DEADLINE_SECONDS: '150', ATTEMPT_TIMEOUT_SECONDS: '125', AUTH: 'none' } as const;
export const AUTH_MODES = ['none', 'gcp-id-token', 'aws-sigv4'] as const;
const REQUIRED = ['URL', 'MIRROR', 'MEMBER', 'KEY_ID', 'KEY_FILE'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const KEY_ID = /^[\x21-\x7e]{1,128}$/;
const SECONDS = /^\d{1,3}(\.\d{1,3})?$/;
/** Past 300 s the function's time window would refuse the (identical) retry anyway. */
export const MAX_SECONDS = 300;

export class NotifyError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

export interface CheckedSettings {
  url: string;
  mirror: string;
  member: string;
  keyId: string;
  keyFile: string;
  deadlineMs: number;
  attemptMs: number;
  reason?: string;
  auth: (typeof AUTH_MODES)[number];
}

function readSettingsFile(file: string): NotifySettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    throw new NotifyError(EXIT.usage, `settings error: cannot read settings file ${file}: ${(e as Error).message}`);
  }
  const found: NotifySettings = {};
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^MIRROR_VIP_([A-Z_]+)\s*=\s*(.*)$/.exec(l);
    if (!m || !SETTINGS.includes(m[1] as Setting)) {
      const allowed = SETTINGS.map((s) => `MIRROR_VIP_${s}`).join(', ');
      throw new NotifyError(
        EXIT.usage,
        `settings error: ${file} line ${i + 1}: expected KEY=value with KEY one of ${allowed}`,
      );
    }
    let v = (m[2] ?? '').trim();
    if (v.length >= 2 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'")) v = v.slice(1, -1);
    found[m[1] as Setting] = v;
  }
  return found;
}

/** Settings from the KEY=value file, then MIRROR_VIP_* variables, then flags: the same precedence as the Python notifier. */
export function loadNotifySettings(
  file: string | undefined,
  env: Record<string, string | undefined>,
  flags: NotifySettings,
): NotifySettings {
  const merged: NotifySettings = { ...DEFAULTS, ...(file ? readSettingsFile(file) : {}) };
  for (const s of SETTINGS) if (env[`MIRROR_VIP_${s}`]) merged[s] = env[`MIRROR_VIP_${s}`];
  for (const s of SETTINGS) if (flags[s] !== undefined) merged[s] = flags[s];
  return merged;
}

function seconds(problems: string[], s: NotifySettings, name: 'DEADLINE_SECONDS' | 'ATTEMPT_TIMEOUT_SECONDS'): number {
  const raw = (s[name] ?? '').trim();
  const v = SECONDS.test(raw) ? Number(raw) : Number.NaN;
  if (!(v > 0 && v <= MAX_SECONDS)) {
    problems.push(`MIRROR_VIP_${name} must be a number of seconds above 0 and at most ${MAX_SECONDS}, got '${raw}'`);
  }
  return v * 1000;
}

function urlProblem(url: string): string | undefined {
  // WHATWG URL would read http:///fn as host "fn": the host must be spelled out, as Python's urlsplit requires.
  try {
    if (!/^https?:\/\/[^/?#@]+/i.test(url)) throw new Error('no host');
    const u = new URL(url);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) return undefined;
  } catch {
    // falls through to the message
  }
  return `MIRROR_VIP_URL must be an http(s) URL, got '${redactUrl(url)}'`;
}

/** Every rule of the notifier's settings at once; every problem is named in one exit-2 error. */
export function checkNotifySettings(s: NotifySettings): CheckedSettings {
  const missing = REQUIRED.filter((k) => !s[k]?.trim());
  if (missing.length) {
    const names = missing.map((k) => `MIRROR_VIP_${k}`).join(', ');
    throw new NotifyError(
      EXIT.usage,
      `settings error: missing setting ${names}: set it in the settings file, in the environment, or with a flag`,
    );
  }
  const problems: string[] = [];
  const v = (k: Setting) => (s[k] ?? '').trim();
  const url = v('URL');
  const bad = urlProblem(url);
  if (bad) problems.push(bad);
  for (const k of ['MIRROR', 'MEMBER'] as const)
    if (!NAME.test(v(k))) problems.push(`MIRROR_VIP_${k} must be 1-63 letters, digits, . _ - (got '${v(k)}')`);
  if (!KEY_ID.test(v('KEY_ID'))) problems.push('MIRROR_VIP_KEY_ID must be 1-128 printable characters without spaces');
  const deadlineMs = seconds(problems, s, 'DEADLINE_SECONDS');
  const attemptMs = seconds(problems, s, 'ATTEMPT_TIMEOUT_SECONDS');
  const reason = s.REASON || undefined;
  if (reason && reason.length > 256)
    problems.push(`MIRROR_VIP_REASON must be at most 256 characters (got ${reason.length})`);
  const auth = v('AUTH') || 'none';
  if (!(AUTH_MODES as readonly string[]).includes(auth))
    problems.push(`MIRROR_VIP_AUTH must be one of ${AUTH_MODES.join(', ')} (got '${auth}')`);
  if (problems.length) throw new NotifyError(EXIT.usage, `settings error: ${problems.join('; ')}`);
  return {
    url,
    mirror: v('MIRROR'),
    member: v('MEMBER'),
    keyId: v('KEY_ID'),
    keyFile: v('KEY_FILE'),
    deadlineMs,
    attemptMs,
    reason,
    auth: auth as CheckedSettings['auth'],
  };
}

/** The secret: the first line of a regular file that only its owner can read or write. */
export function readKeyFile(path: string): string {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch (e: unknown) {
    throw new NotifyError(EXIT.keyFile, `key file ${path} cannot be read: ${(e as Error).message}`);
  }
  if (!info.isFile()) throw new NotifyError(EXIT.keyFile, `key file ${path} is not a regular file`);
  const mode = info.mode & 0o777;
  if (mode & 0o077) {
    throw new NotifyError(
      EXIT.keyFile,
      `key file ${path} has mode ${mode.toString(8).padStart(4, '0')}: it must not be readable or writable by group or others; run chmod 600 ${path}`,
    );
  }
  let first: string;
  try {
    // At most 4 KB: a secret is one short line, and a huge file must not fill memory.
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    first = (buf.subarray(0, n).toString('utf8').split('\n')[0] ?? '').replace(/\r$/, '');
  } catch (e: unknown) {
    throw new NotifyError(EXIT.keyFile, `key file ${path} cannot be read: ${(e as Error).message}`);
  }
  if (first.length < MIN_SECRET_LENGTH) {
    throw new NotifyError(
      EXIT.keyFile,
      `key file ${path} holds ${first.length} characters; a mirror-vip secret has at least ${MIN_SECRET_LENGTH} on its first line`,
    );
  }
  return first;
}
