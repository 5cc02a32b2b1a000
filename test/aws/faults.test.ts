import { afterEach, describe, expect, it } from 'vitest';
import { serialRounds } from '../../local-cloud/aws/index.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

let world: AwsWorld;
afterEach(async () => world?.close());

async function send(event: unknown) {
  const res = (await world.handler(event)) as { statusCode: number; body: string };
  return { status: res.statusCode, result: JSON.parse(res.body) as FailoverResult };
}
const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
const failover = () => {
  world.members.set('iris-a', 'down');
  world.members.set('iris-b', 'primary');
};

describe('AWS function under faults', () => {
  it('throttling on the first calls is retried with backoff and the move converges', async () => {
    world = await startAwsWorld({ seed: { tables: 3 } });
    failover();
    world.emu.faults.throttle = { remaining: 4 };
    const { status, result } = await send(world.signedRequest('iris-b'));
    expect(status).toBe(200);
    expect(result.outcome).toBe('moved');
    expect(world.emu.calls.filter((c) => c.errorCode === 'RequestLimitExceeded')).toHaveLength(4);
    expect(result.calls.filter((c) => !c.ok).map((c) => c.error)).toEqual(Array(4).fill('RequestLimitExceeded'));
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b', 'iris-b']);
  });

  it('a 5xx burst longer than the deadline fails clearly, is published, and a later reconcile converges', async () => {
    world = await startAwsWorld({ deadlineMs: 1000, engine: { retry: { baseMs: 20, maxMs: 100, maxAttempts: 1000 } } });
    failover();
    world.emu.faults.fail = {
      remaining: 1_000_000,
      status: 503,
      code: 'Unavailable',
      actions: ['ReplaceRoute', 'AssociateAddress'],
    };
    const { status, result } = await send(world.signedRequest('iris-b'));
    expect(status).toBe(504);
    expect(result).toMatchObject({
      ok: false,
      outcome: 'failed',
      from: 'iris-a',
      to: 'iris-b',
      error: { code: 'deadline_exceeded' },
    });
    expect(result.error?.message).toMatch(/ReplaceRoute|AssociateAddress/);
    expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
    const published = world.emu.state.sns.published.map(
      (p) => JSON.parse(p.message.split('Full result (JSON):\n')[1] ?? '{}') as FailoverResult,
    );
    expect(published).toMatchObject([{ outcome: 'failed', error: { code: 'deadline_exceeded' } }]);

    world.emu.reset();
    const later = (await world.handler(tick)) as { results: FailoverResult[] };
    expect(later.results).toMatchObject([{ outcome: 'moved', trigger: 'schedule', to: 'iris-b' }]);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
  });

  it('a crash between two writes (one table moved, one not) converges on the next reconcile', async () => {
    world = await startAwsWorld({ seed: { vip: ['iris-b', 'iris-a'], eip: 'iris-b' } });
    failover();
    const later = (await world.handler(tick)) as { results: FailoverResult[] };
    expect(later.results[0]).toMatchObject({ outcome: 'moved', from: 'split', writeCalls: 1 });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
  });

  it('the number of serial round trips does not grow with the number of route tables', async () => {
    const rounds: number[] = [];
    for (const tables of [1, 5]) {
      world = await startAwsWorld({ seed: { tables }, latencyMs: 100 });
      failover();
      const { result } = await send(world.signedRequest('iris-b'));
      expect(result.outcome).toBe('moved');
      expect(result.writeCalls).toBe(tables + 1);
      const measured = serialRounds(world.emu.calls.filter((c) => c.service === 'ec2'));
      expect(result.serialRounds).toBe(measured);
      rounds.push(measured);
      await world.close();
    }
    // observe (describes in parallel) → apply (all writes in parallel) → read back
    expect(rounds).toEqual([3, 3]);
  });
});
