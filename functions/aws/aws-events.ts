import type { Config } from '../../shared/config/schema.ts';

/** The Lambda events this function accepts, told apart by shape. */
export type AwsTrigger =
  | { kind: 'http'; method: string; headers: Record<string, string | undefined>; body: Buffer }
  | { kind: 'alarm'; alarms: { name: string; state: string; mirror: string | undefined }[] }
  | { kind: 'schedule' }
  | { kind: 'unknown' };

interface FunctionUrlEvent {
  requestContext: { http: { method: string } };
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}
interface SnsEvent {
  Records: { EventSource?: string; Sns?: { Message?: string } }[];
}

/** Which mirror a CloudWatch alarm is about: a member's InstanceId dimension, else a name `mirror-vip:<mirror>:…`. */
export function mirrorOfAlarm(config: Config, alarm: Record<string, unknown>): string | undefined {
  const trigger = alarm.Trigger as { Dimensions?: { name?: string; value?: string }[] } | undefined;
  const instanceIds = (trigger?.Dimensions ?? []).filter((d) => d.name === 'InstanceId').map((d) => d.value);
  const byInstance = config.mirrors.find((m) =>
    m.members.some((mem) => 'instanceId' in mem && instanceIds.includes(mem.instanceId)),
  );
  if (byInstance) return byInstance.name;
  const name = typeof alarm.AlarmName === 'string' ? alarm.AlarmName : '';
  return /^mirror-vip:([^:]+):/.exec(name)?.[1];
}

function parseAlarm(config: Config, message: string | undefined) {
  try {
    const alarm = JSON.parse(message ?? '') as Record<string, unknown>;
    return {
      name: String(alarm.AlarmName ?? '?'),
      state: String(alarm.NewStateValue ?? '?'),
      mirror: mirrorOfAlarm(config, alarm),
    };
  } catch {
    return { name: '?', state: '?', mirror: undefined };
  }
}

/**
 * Classify a raw Lambda event. At most a prefix of the body is decoded, just long enough to exceed `maxBytes`,
 * so a huge body costs nothing and still reaches the verifier as too large.
 */
export function classifyAwsEvent(config: Config, event: unknown, maxBytes: number): AwsTrigger {
  const e = (event ?? {}) as Record<string, unknown>;
  if ((e as Partial<FunctionUrlEvent>).requestContext?.http) {
    const u = e as unknown as FunctionUrlEvent;
    const raw = (u.body ?? '').slice(0, 4 * (maxBytes + 1));
    const body = Buffer.from(raw, u.isBase64Encoded ? 'base64' : 'utf8');
    return { kind: 'http', method: u.requestContext.http.method, headers: u.headers ?? {}, body };
  }
  const records = (e as Partial<SnsEvent>).Records;
  if (Array.isArray(records) && records.every((r) => r.EventSource === 'aws:sns')) {
    return { kind: 'alarm', alarms: records.map((r) => parseAlarm(config, r.Sns?.Message)) };
  }
  if (e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event') return { kind: 'schedule' };
  return { kind: 'unknown' };
}
