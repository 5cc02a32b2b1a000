import { describe, expect, it } from 'vitest';
import { formatNotification } from '../../shared/core/notification.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

const moved: FailoverResult = {
  ok: true,
  outcome: 'moved',
  trigger: 'event',
  eventId: 'e-0123456789abcdef',
  mirror: 'IRISMIRROR',
  from: 'iris-a',
  to: 'iris-b',
  plan: [{ vip: '10.109.11.254/32', mode: 'route', slot: 'rtb-0a', from: 'iris-a', to: 'iris-b' }],
  probes: { 'iris-a': 'down', 'iris-b': 'primary' },
  warnings: [],
  calls: [],
  writeCalls: 1,
  serialRounds: 2,
  durationMs: 412,
};

describe('the outcome notification', () => {
  it('has a subject, a readable summary, and the full result as JSON at the end', () => {
    const { subject, message } = formatNotification(moved);
    expect(subject).toBe('mirror-vip IRISMIRROR: moved to iris-b');
    const [summary, json] = message.split('Full result (JSON):\n');
    expect(summary).toContain('Mirror IRISMIRROR: moved from iris-a to iris-b.');
    expect(summary).toContain('Members: iris-a=down, iris-b=primary.');
    expect(summary).toContain('10.109.11.254/32 route rtb-0a: iris-a -> iris-b');
    expect(JSON.parse(json ?? '')).toEqual(moved);
  });

  it('names the error of a failed move, and keeps the subject within SNS limits on one line', () => {
    const failed = {
      ...moved,
      ok: false,
      outcome: 'failed' as const,
      mirror: `M\n${'x'.repeat(200)}`,
      error: { code: 'provider_error', message: 'ReplaceRoute refused' },
    };
    const { subject, message } = formatNotification(failed);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).not.toMatch(/\n/);
    expect(message).toContain('Error: provider_error: ReplaceRoute refused');
  });
});
