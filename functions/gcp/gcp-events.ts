import type { Config } from '../../shared/config/schema.ts';

/** The Pub/Sub message data a Cloud Scheduler job publishes to ask for a reconcile (optionally of one mirror). */
export const RECONCILE_KIND = 'mirror-vip.reconcile';
/** The message data of the preflight's own Cloud Scheduler job (terraform/gcp/check.tf). */
export const CHECK_KIND = 'mirror-vip.check';
export const PUBSUB_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';
/** Largest Pub/Sub message data accepted (base64 characters); an incident is a few kilobytes. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

/** What a Pub/Sub CloudEvent asks for, told apart by the decoded message. */
export type GcpTrigger =
  | { kind: 'alert'; incidentId: string; policy: string; state: string; mirror: string | undefined }
  | { kind: 'schedule'; mirror: string | undefined }
  | { kind: 'check' }
  | { kind: 'unknown'; reason: string };

interface Incident {
  incident_id?: string;
  policy_name?: string;
  state?: string;
  policy_user_labels?: Record<string, string>;
  resource?: { type?: string; labels?: Record<string, string> };
  metric?: { labels?: Record<string, string> };
  resource_display_name?: string;
}

const byName = (config: Config, name: string | undefined) => {
  if (!name) return undefined;
  const exact = config.mirrors.find((m) => m.name === name);
  return (exact ?? config.mirrors.find((m) => m.name.toLowerCase() === name.toLowerCase()))?.name;
};

/**
 * Which mirror a Cloud Monitoring incident is about, first match wins:
 * 1. the policy's user label `mirror` (label values are lower case, so names compare case-insensitively);
 * 2. a policy named `mirror-vip:<mirror>:…`;
 * 3. the incident's gce_instance: `resource.labels.instance_id` equal to a member's `instanceId`, or its zone and
 *    name (`metric.labels.instance_name`, else `resource_display_name`) equal to a member's zone and instance.
 */
export function mirrorOfIncident(config: Config, incident: Incident): string | undefined {
  const labelled = byName(config, incident.policy_user_labels?.mirror);
  if (labelled) return labelled;
  const named = byName(config, /^mirror-vip:([^:]+)/i.exec(incident.policy_name ?? '')?.[1]);
  if (named) return named;
  const labels = incident.resource?.labels ?? {};
  const instanceName = incident.metric?.labels?.instance_name ?? incident.resource_display_name;
  const found = config.mirrors.find(
    (m) =>
      m.cloud === 'gcp' &&
      m.members.some(
        (mem) =>
          (mem.instanceId !== undefined && mem.instanceId === labels.instance_id) ||
          (mem.zone === labels.zone && mem.instance === instanceName),
      ),
  );
  return found?.name;
}

function decodeMessage(event: { type?: string; data?: unknown }): unknown {
  const data = event.data as { message?: { data?: unknown } } | undefined;
  const b64 = data?.message?.data;
  if (event.type !== undefined && event.type !== PUBSUB_PUBLISHED)
    throw new Error(`event type ${event.type} is not a Pub/Sub message`);
  if (typeof b64 !== 'string') throw new Error('message.data is missing');
  if (b64.length > MAX_MESSAGE_CHARS) throw new Error(`message.data is longer than ${MAX_MESSAGE_CHARS} characters`);
  return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
}

/** Classify a Pub/Sub CloudEvent: a Cloud Monitoring incident, a scheduled reconcile, or something to ignore. */
export function classifyGcpEvent(config: Config, event: { type?: string; data?: unknown }): GcpTrigger {
  let message: unknown;
  try {
    message = decodeMessage(event);
  } catch (e: unknown) {
    return {
      kind: 'unknown',
      reason: e instanceof SyntaxError ? 'message.data is not base64 JSON' : (e as Error).message,
    };
  }
  const m = (message ?? {}) as { incident?: Incident; kind?: unknown; mirror?: unknown };
  if (m.incident && typeof m.incident === 'object') {
    const i = m.incident;
    return {
      kind: 'alert',
      incidentId: String(i.incident_id ?? '?'),
      policy: String(i.policy_name ?? '?'),
      state: String(i.state ?? '?'),
      mirror: mirrorOfIncident(config, i),
    };
  }
  if (m.kind === CHECK_KIND) return { kind: 'check' };
  if (m.kind === RECONCILE_KIND)
    return { kind: 'schedule', mirror: typeof m.mirror === 'string' ? m.mirror : undefined };
  return { kind: 'unknown', reason: 'message is neither a Cloud Monitoring incident nor a reconcile request' };
}
