import type { Config } from '../../shared/config/schema.ts';

/** Largest alert webhook body accepted; a common-alert-schema payload is a few kilobytes. */
export const MAX_ALERT_BYTES = 256 * 1024;
export const COMMON_ALERT_SCHEMA = 'azureMonitorCommonAlertSchema';

/** What an action group webhook delivery asks for. */
export type AlertTrigger =
  | { kind: 'alert'; rule: string; condition: string; mirror: string | undefined }
  | { kind: 'unknown'; reason: string };

interface Essentials {
  alertRule?: string;
  monitorCondition?: string;
  alertTargetIDs?: unknown;
  configurationItems?: unknown;
}

const byName = (config: Config, name: string | undefined) => {
  if (!name) return undefined;
  const exact = config.mirrors.find((m) => m.name === name);
  return (exact ?? config.mirrors.find((m) => m.name.toLowerCase() === name.toLowerCase()))?.name;
};
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const lastSegment = (id: string, type: string) => new RegExp(`/${type}/([^/]+)$`, 'i').exec(id)?.[1]?.toLowerCase();

/**
 * Which mirror an alert is about, first match wins: 1. the custom property `mirror` (set on the action group or an
 * alert processing rule); 2. a rule named `mirror-vip:<mirror>:…`; 3. a target resource (`alertTargetIDs`) or
 * configuration item that is a member's VM or NIC.
 */
export function mirrorOfAlert(
  config: Config,
  essentials: Essentials,
  custom: Record<string, unknown>,
): string | undefined {
  const labelled = byName(config, typeof custom.mirror === 'string' ? custom.mirror : undefined);
  if (labelled) return labelled;
  const named = byName(config, /^mirror-vip:([^:]+)/i.exec(essentials.alertRule ?? '')?.[1]);
  if (named) return named;
  const targets = strings(essentials.alertTargetIDs);
  const vms = new Set([
    ...targets.map((t) => lastSegment(t, 'virtualMachines')),
    ...strings(essentials.configurationItems).map((c) => c.toLowerCase()),
  ]);
  const nics = new Set(targets.map((t) => lastSegment(t, 'networkInterfaces')));
  const found = config.mirrors.find(
    (m) =>
      m.cloud === 'azure' &&
      m.members.some(
        (mem) => (mem.vm !== undefined && vms.has(mem.vm.toLowerCase())) || nics.has(mem.nic.toLowerCase()),
      ),
  );
  return found?.name;
}

/** Classify an action group webhook body (common alert schema); anything else is reported and ignored. */
export function classifyAlert(config: Config, text: string): AlertTrigger {
  let body: { schemaId?: unknown; data?: { essentials?: Essentials; customProperties?: Record<string, unknown> } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { kind: 'unknown', reason: 'the body is not JSON' };
  }
  if (body?.schemaId !== COMMON_ALERT_SCHEMA)
    return {
      kind: 'unknown',
      reason: `schemaId is not ${COMMON_ALERT_SCHEMA}: enable the common alert schema on the action group`,
    };
  const essentials = body.data?.essentials;
  if (!essentials || typeof essentials !== 'object') return { kind: 'unknown', reason: 'data.essentials is missing' };
  return {
    kind: 'alert',
    rule: String(essentials.alertRule ?? '?'),
    condition: String(essentials.monitorCondition ?? '?'),
    mirror: mirrorOfAlert(config, essentials, body.data?.customProperties ?? {}),
  };
}
