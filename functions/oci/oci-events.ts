import type { Config } from '../../shared/config/schema.ts';

/** The message body a schedule (Resource Scheduler, or an `fn invoke`) sends to ask for a reconcile. */
export const RECONCILE_KIND = 'mirror-vip.reconcile';
/** The message body the check's schedule sends (terraform/oci/check.tf) to run the preflight of every mirror. */
export const CHECK_KIND = 'mirror-vip.check';
/** Largest non-HTTP invocation body read (an alarm message is a few kilobytes). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** What a non-gateway invocation asks for. */
export type OciTrigger =
  | { kind: 'alarm'; alarm: string; type: string; mirror: string | undefined }
  | { kind: 'schedule'; mirror: string | undefined }
  | { kind: 'check' }
  | { kind: 'unknown'; reason: string };

/** An OCI Monitoring alarm message as Notifications delivers it (docs: Monitoring, "Alarm Message Format"). */
interface AlarmMessage {
  dedupekey?: string;
  title?: string;
  type?: string;
  alarmMetaData?: { id?: string; dimensions?: Record<string, string>[] }[];
}

const byName = (config: Config, name: string | undefined) => {
  if (!name) return undefined;
  return (
    config.mirrors.find((m) => m.name === name) ??
    config.mirrors.find((m) => m.name.toLowerCase() === name.toLowerCase())
  )?.name;
};

/**
 * Which mirror an alarm is about, first match wins: a title `mirror-vip:<mirror>:…` (terraform/oci names its
 * alarms so), else a dimension `resourceId` equal to a member's `instanceId`.
 */
export function mirrorOfAlarm(config: Config, a: AlarmMessage): string | undefined {
  const named = byName(config, /^mirror-vip:([^:\s]+)/i.exec(a.title ?? '')?.[1]);
  if (named) return named;
  const ids = new Set((a.alarmMetaData ?? []).flatMap((m) => (m.dimensions ?? []).map((d) => d.resourceId)));
  return config.mirrors.find(
    (m) => m.cloud === 'oci' && m.members.some((x) => 'instanceId' in x && ids.has(x.instanceId)),
  )?.name;
}

/** Classify the body of an invocation that did not come through the API Gateway. */
export function classifyOciMessage(config: Config, body: Buffer): OciTrigger {
  if (body.length === 0) return { kind: 'schedule', mirror: undefined };
  if (body.length > MAX_MESSAGE_BYTES) return { kind: 'unknown', reason: `message is over ${MAX_MESSAGE_BYTES} bytes` };
  let m: unknown;
  try {
    m = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'unknown', reason: 'message is not JSON' };
  }
  const msg = (m ?? {}) as AlarmMessage & { kind?: unknown; mirror?: unknown };
  if (typeof msg.dedupekey === 'string' || Array.isArray(msg.alarmMetaData)) {
    return {
      kind: 'alarm',
      alarm: String(msg.alarmMetaData?.[0]?.id ?? msg.dedupekey ?? '?'),
      type: String(msg.type ?? '?'),
      mirror: mirrorOfAlarm(config, msg),
    };
  }
  if (msg.kind === CHECK_KIND) return { kind: 'check' };
  if (msg.kind === RECONCILE_KIND)
    return { kind: 'schedule', mirror: typeof msg.mirror === 'string' ? msg.mirror : undefined };
  return { kind: 'unknown', reason: 'message is neither an alarm, a reconcile nor a check request' };
}
