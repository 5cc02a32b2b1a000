import { afterEach, describe, expect, it } from 'vitest';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { MAX_FINGERPRINT_ATTEMPTS } from '../../shared/providers/gcp/alias-moves.ts';

let world: GcpWorld;
afterEach(async () => world?.close());

async function failover(w: GcpWorld) {
  w.members.set('iris-a', 'down');
  w.members.set('iris-b', 'primary');
  return w.post(w.signedRequest('iris-b'));
}

describe('GCP function: faults are survived', () => {
  it('a stale fingerprint mid-move (412) is re-read and retried, and the move converges', async () => {
    world = await startGcpWorld({ accessConfig: false });
    world.emu.faults.staleFingerprint = { remaining: 2 };
    const { status, result } = await failover(world);
    expect(status).toBe(200);
    expect(result?.outcome).toBe('moved');
    expect(world.aliasHolders()).toEqual(['iris-b']);
    const updates = result?.calls.filter((c) => c.op === 'compute.instances.updateNetworkInterface') ?? [];
    expect(updates.filter((c) => !c.ok).map((c) => c.error)).toEqual(['conditionNotMet', 'conditionNotMet']);
    expect(updates.filter((c) => c.ok)).toHaveLength(2);
    // initial two reads, one re-read per stale fingerprint, two for the read-back
    expect(result?.calls.filter((c) => c.op === 'compute.instances.get')).toHaveLength(6);
  });

  it('a fingerprint that keeps changing is retried a bounded number of times, then fails clearly', async () => {
    world = await startGcpWorld({ accessConfig: false });
    world.emu.faults.staleFingerprint = { remaining: 1000 };
    const { status, result } = await failover(world);
    expect(status).toBe(502);
    expect(result).toMatchObject({ ok: false, outcome: 'failed', error: { code: 'provider_error' } });
    expect(result?.error?.message).toMatch(/conditionNotMet/);
    expect(world.emu.calls.filter((c) => c.op === 'instances.updateNetworkInterface')).toHaveLength(
      MAX_FINGERPRINT_ATTEMPTS,
    );
    expect(world.aliasHolders()).toEqual(['iris-a']);
  });

  it('an operation that ends in an error fails the move clearly; a later reconcile converges', async () => {
    world = await startGcpWorld({ operationDelayMs: 5 });
    world.emu.faults.failOperation = { remaining: 1, ops: ['instances.addAccessConfig'] };
    const { status, result } = await failover(world);
    expect(status).toBe(502);
    expect(result).toMatchObject({ ok: false, outcome: 'failed', error: { code: 'operation_failed' } });
    expect(result?.error?.message).toMatch(
      /compute\.instances\.addAccessConfig on us-east1-c\/iris-b ended with INTERNAL_ERROR/,
    );
    expect(result?.calls.find((c) => !c.ok)).toMatchObject({
      op: 'compute.zoneOperations.wait',
      error: 'INTERNAL_ERROR',
    });
    // the private VIP moved; the public one is on nobody, never on two
    expect(world.aliasHolders()).toEqual(['iris-b']);
    expect(world.accessConfigHolders()).toEqual([]);
    const later = await world.publish({ kind: 'mirror-vip.reconcile' });
    expect(later.results).toMatchObject([
      { ok: true, outcome: 'moved', trigger: 'schedule', to: 'iris-b', writeCalls: 1 },
    ]);
    expect(world.accessConfigHolders()).toEqual(['iris-b']);
  });

  it('throttling (429) and unavailability (503) are retried within the deadline', async () => {
    world = await startGcpWorld();
    world.emu.faults.throttle = {
      remaining: 3,
      ops: ['instances.updateNetworkInterface', 'instances.deleteAccessConfig'],
    };
    world.emu.faults.unavailable = { remaining: 1, ops: ['instances.get'] };
    const { status, result } = await failover(world);
    expect(status).toBe(200);
    expect(result?.outcome).toBe('moved');
    // (the private and public chains write the same NIC at once: a 412 between them is re-read and retried too)
    const errors = result?.calls
      .filter((c) => !c.ok && c.error !== 'conditionNotMet')
      .map((c) => c.error)
      .sort();
    expect(errors).toEqual(['backendError', 'rateLimitExceeded', 'rateLimitExceeded', 'rateLimitExceeded']);
    expect(result?.durationMs).toBeLessThan(world.config.deadlineMs);
    expect([world.aliasHolders(), world.accessConfigHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('an operation still running at the deadline fails with deadline_exceeded and leaves the VIP on one NIC', async () => {
    world = await startGcpWorld({ accessConfig: false, deadlineMs: 1000, operationDelayMs: 5000 });
    const { status, result } = await failover(world);
    expect(status).toBe(504);
    expect(result?.error?.code).toBe('deadline_exceeded');
    expect(world.aliasHolders().length).toBeLessThanOrEqual(1);
  });

  it('a target that already has another external IP is refused before any write', async () => {
    world = await startGcpWorld();
    const nicB = world.state.instance(world.seed.backup.zone, 'iris-b')?.networkInterfaces[0];
    nicB?.accessConfigs.push({
      name: 'External NAT',
      natIP: '35.9.9.9',
      type: 'ONE_TO_ONE_NAT',
      networkTier: 'PREMIUM',
    });
    const { status, result } = await failover(world);
    expect(status).toBe(502);
    expect(result?.error).toMatchObject({ code: 'target_has_external_ip' });
    expect(result?.error?.message).toContain('"External NAT" (35.9.9.9)');
    expect(world.writes()).toBe(0);
  });

  it('a holder instance that no longer exists holds nothing: the VIP is added to the target', async () => {
    world = await startGcpWorld();
    world.state.instances.delete(`${world.seed.primary.zone}/iris-a`);
    const { result } = await failover(world);
    expect(result).toMatchObject({ outcome: 'moved', from: null, to: 'iris-b' });
    expect(result?.warnings.join()).toMatch(/us-east1-b\/iris-a \(iris-a\) does not exist/);
    expect([world.aliasHolders(), world.accessConfigHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });
});
