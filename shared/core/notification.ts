import type { FailoverResult } from './result.ts';

/** A readable outcome notification: a subject line, a few lines of summary, then the full result as JSON. */
export function formatNotification(r: FailoverResult): { subject: string; message: string } {
  const where = r.to ? ` to ${r.to}` : '';
  const subject = `mirror-vip ${r.mirror ?? '?'}: ${r.outcome}${where}`.replace(/[\r\n]+/g, ' ').slice(0, 100);
  const moved = (r.plan ?? []).map((c) => `  ${c.vip} ${c.mode} ${c.slot}: ${c.from ?? '(nothing)'} -> ${c.to}`);
  const probes = Object.entries(r.probes ?? {}).map(([m, role]) => `${m}=${role}`);
  const lines = [
    `Mirror ${r.mirror ?? '?'}: ${r.outcome}${r.from !== undefined ? ` from ${r.from ?? 'nothing'}` : ''}${where}.`,
    `Trigger: ${r.trigger}${r.eventId ? ` (event ${r.eventId})` : ''}; ${r.writeCalls} write call(s) in ${r.durationMs} ms.`,
    ...(probes.length ? [`Members: ${probes.join(', ')}.`] : []),
    ...(r.error ? [`Error: ${r.error.code}: ${r.error.message}`] : []),
    ...(moved.length ? ['Changes:', ...moved] : []),
    ...r.warnings.map((w) => `Warning: ${w}`),
    '',
    'Full result (JSON):',
    JSON.stringify(r, null, 2),
  ];
  return { subject, message: lines.join('\n') };
}
