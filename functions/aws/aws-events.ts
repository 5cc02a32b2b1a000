import type { Config } from '../../shared/config/schema.ts';

/** The constant input of the check schedule: {"mirrorVip": "check"}. */
export const CHECK_EVENT_KEY = 'mirrorVip';

/** The Lambda events this function accepts, told apart by shape. */
export type AwsTrigger =
  | { kind: 'http'; method: string; headers: Record<string, string | undefined>; body: Buffer }
  | { kind: 'alarm'; alarms: { name: string; state: string; mirror: string | undefined }[] }
  | { kind: 'schedule' }
  | { kind: 'check' }
  | { kind: 'unknown' }
  | { kind: 'bad'; code: string; message: string };

/** Which mirror a CloudWatch alarm is about: a member's InstanceId dimension, else a name `mirror-vip:<mirror>:…`. */
export function mirrorOfAlarm(config: Config, alarm: Record<string, unknown>): string | undefined {
  const trigger = alarm.Trigger as { Dimensions?: unknown } | undefined;
  const dims = isObject(trigger) && Array.isArray(trigger.Dimensions) ? (trigger.Dimensions as unknown[]) : [];
  const instanceIds = dims
    .filter(isObject)
    .filter((d) => d.name === 'InstanceId')
    .map((d) => d.value);
  const byInstance = config.mirrors.find((m) =>
    m.members.some((mem) => 'instanceId' in mem && instanceIds.includes(mem.instanceId)),
  );
  if (byInstance) return byInstance.name;
  const name = typeof alarm.AlarmName === 'string' ? alarm.AlarmName : '';
  return /^mirror-vip:([^:]+):/.exec(name)?.[1];
}

function parseAlarm(config: Config, message: string | undefined) {
  try {
    const alarm = JSON.parse(message ?? '') as unknown;
    if (!isObject(alarm)) return { name: '?', state: '?', mirror: undefined };
    return {
      name: String(alarm.AlarmName ?? '?'),
      state: String(alarm.NewStateValue ?? '?'),
      mirror: mirrorOfAlarm(config, alarm),
    };
  } catch {
    return { name: '?', state: '?', mirror: undefined };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Header values as strings only: anything else in a hand-made event is dropped, never passed on. */
function stringHeaders(h: unknown): Record<string, string> {
  if (!isObject(h)) return {};
  return Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function httpTrigger(u: Record<string, unknown>, http: Record<string, unknown>, maxBytes: number): AwsTrigger {
  const method = typeof http.method === 'string' ? http.method : '';
  const headers = stringHeaders(u.headers);
  if (u.body !== undefined && u.body !== null && typeof u.body !== 'string') {
    return { kind: 'bad', code: 'invalid_body', message: 'the function URL event body is not a string' };
  }
  const raw = (u.body ?? '').slice(0, 4 * (maxBytes + 1));
  const body = Buffer.from(raw, u.isBase64Encoded === true ? 'base64' : 'utf8');
  return { kind: 'http', method, headers, body };
}

/**
 * Classify a raw Lambda event of any shape (it never throws). At most a prefix of the body is decoded, just long
 * enough to exceed `maxBytes`, so a huge body costs nothing and still reaches the verifier as too large.
 */
export function classifyAwsEvent(config: Config, event: unknown, maxBytes: number): AwsTrigger {
  if (!isObject(event)) return { kind: 'unknown' };
  const rc = event.requestContext;
  if (isObject(rc) && isObject(rc.http)) return httpTrigger(event, rc.http, maxBytes);
  const records = event.Records;
  if (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((r) => isObject(r) && r.EventSource === 'aws:sns')
  ) {
    return {
      kind: 'alarm',
      alarms: records.map((r) => {
        const sns = (r as { Sns?: unknown }).Sns;
        const message = isObject(sns) && typeof sns.Message === 'string' ? sns.Message : undefined;
        return parseAlarm(config, message);
      }),
    };
  }
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') return { kind: 'schedule' };
  // the preflight's own schedule (terraform/aws/check.tf, serverless.yml) sends this constant input
  if (event[CHECK_EVENT_KEY] === 'check' && Object.keys(event).length === 1) return { kind: 'check' };
  return { kind: 'unknown' };
}
