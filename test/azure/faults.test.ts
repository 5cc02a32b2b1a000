import { afterEach, describe, expect, it } from 'vitest';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { MAX_ETAG_ATTEMPTS } from '../../shared/providers/azure/nics.ts';

let world: AzureWorld;
afterEach(async () => world?.close());

async function failover(w: AzureWorld) {
  w.members.set('iris-a', 'down');
  w.members.set('iris-b', 'primary');
  return w.post(w.signedRequest('iris-b'));
}
const nicPuts = (r: { calls: { op: string; ok: boolean; error?: string }[] } | undefined) =>
  r?.calls.filter((c) => c.op === 'network.networkInterfaces.createOrUpdate') ?? [];

describe('Azure function: faults are survived', () => {
  it('a stale ETag mid-move (412) is re-read and retried, and the move converges', async () => {
    world = await startAzureWorld();
    world.emu.faults.staleEtag = { remaining: 2, ops: ['networkInterfaces.put'] };
    const { status, result } = await failover(world);
    expect(status).toBe(200);
    expect(result?.outcome).toBe('moved');
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(
      nicPuts(result)
        .filter((c) => !c.ok)
        .map((c) => c.error),
    ).toEqual(['PreconditionFailed', 'PreconditionFailed']);
    expect(nicPuts(result).filter((c) => c.ok)).toHaveLength(2);
  });

  it('an ETag that keeps changing is retried a bounded number of times, then fails clearly', async () => {
    world = await startAzureWorld();
    world.emu.faults.staleEtag = { remaining: 1000, ops: ['networkInterfaces.put'] };
    const { status, result } = await failover(world);
    expect(status).toBe(502);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'provider_error' } });
    expect(result?.error?.message).toMatch(/PreconditionFailed/);
    expect(world.emu.calls.filter((c) => c.op === 'networkInterfaces.put')).toHaveLength(MAX_ETAG_ATTEMPTS);
    expect(world.ipConfigHolders()).toEqual(['iris-a']);
  });

  it('an LRO that ends Failed fails the move clearly; a later reconcile converges', async () => {
    world = await startAzureWorld({ operationDelayMs: 5 });
    world.emu.faults.failOperation = { remaining: 1, ops: ['networkInterfaces.put'], code: 'InternalServerError' };
    const { status, result } = await failover(world);
    expect(status).toBe(502);
    expect(result).toMatchObject({ ok: false, outcome: 'failed', error: { code: 'operation_failed' } });
    expect(result?.error?.message).toMatch(/createOrUpdate on iris-a-nic ended InternalServerError/);
    expect(result?.calls.find((c) => !c.ok)).toMatchObject({
      op: 'network.asyncOperations.get',
      error: 'InternalServerError',
    });
    expect(world.ipConfigHolders()).toEqual(['iris-a']);
    const later = await world.tick();
    expect(later).toMatchObject([{ ok: true, outcome: 'moved', trigger: 'schedule', to: 'iris-b', writeCalls: 2 }]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('the add failing after the remove succeeded (VIP on neither NIC) converges on the next invocation', async () => {
    world = await startAzureWorld({ operationDelayMs: 5 });
    world.emu.faults.failOperation = { remaining: 1, ops: ['networkInterfaces.put'], after: 1 };
    const first = await failover(world);
    expect(first).toMatchObject({ status: 502, result: { outcome: 'failed', error: { code: 'operation_failed' } } });
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([[], []]);
    const { status, result } = await world.post(world.signedRequest('iris-b'));
    expect(status).toBe(200);
    expect(result).toMatchObject({ outcome: 'moved', from: null, to: 'iris-b', writeCalls: 1 });
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('a crash of the function between the remove and the add converges on the next invocation', async () => {
    world = await startAzureWorld({ operationDelayMs: 5 });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    // once the remove is accepted, every later call of this instance fails (503) until it gives up: a crash, as the
    // cloud sees it
    const crashed = await world.makeInstance();
    const aborting = world.post(world.signedRequest('iris-b'), 'POST', crashed);
    await new Promise<void>((resolve) => {
      const check = () =>
        world.emu.transitions.some((t) => t.kind === 'ip-config-removed') ? resolve() : setImmediate(check);
      check();
    });
    world.emu.faults.unavailable = { remaining: 1000, ops: ['networkInterfaces.put', 'operations.get'] };
    expect((await aborting).result?.outcome).toBe('failed');
    expect(world.ipConfigHolders()).toEqual([]);
    world.emu.faults.unavailable = { remaining: 0 };
    const later = await world.tick();
    expect(later).toMatchObject([{ outcome: 'moved', from: null, to: 'iris-b' }]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('a public IP left detached on the old NIC is moved by the public-ip slot alone', async () => {
    world = await startAzureWorld();
    const b = world.state.nicByName('iris-b-nic');
    const a = world.state.nicByName('iris-a-nic');
    const vip = a?.ipConfigurations.find((c) => c.name === 'vip');
    if (a && b && vip) {
      // the private VIP is already on B, the public IP still on an ip-configuration of A
      a.ipConfigurations = a.ipConfigurations
        .map((c) => (c.primary ? { ...c, publicIpId: vip.publicIpId } : c))
        .filter((c) => c.name !== 'vip');
      b.ipConfigurations.push({ ...vip, publicIpId: null });
    }
    const { result } = await failover(world);
    expect(result).toMatchObject({ outcome: 'moved', plan: [{ slot: 'public-ip', from: 'iris-a' }] });
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('429 with Retry-After is honoured within the deadline (the wait, not a backoff guess)', async () => {
    world = await startAzureWorld();
    world.emu.faults.throttle = { remaining: 1, ops: ['networkInterfaces.put'], retryAfterSeconds: 1 };
    const { status, result } = await failover(world);
    expect(status).toBe(200);
    const puts = nicPuts(result);
    expect(puts.map((c) => [c.ok, c.error])).toEqual([
      [false, 'TooManyRequests'],
      [true, undefined],
      [true, undefined],
    ]);
    const [throttled, retried] = puts as unknown as [{ at: number; ms: number }, { at: number }];
    expect(retried.at - (throttled.at + throttled.ms)).toBeGreaterThanOrEqual(990);
  });

  it('429 whose Retry-After passes the deadline fails at once with deadline_exceeded, not a hang', async () => {
    world = await startAzureWorld({ deadlineMs: 3000 });
    world.emu.faults.throttle = { remaining: 1, ops: ['networkInterfaces.put'], retryAfterSeconds: 60 };
    const { status, result } = await failover(world);
    expect(status).toBe(504);
    expect(result?.error).toMatchObject({ code: 'deadline_exceeded' });
    expect(result?.error?.message).toMatch(/TooManyRequests asks to wait 60000 ms/);
    expect(world.emu.calls.filter((c) => c.op === 'networkInterfaces.put')).toHaveLength(1);
  });

  it('AnotherOperationInProgress (409), RetryableError-like 5xx: retried with backoff, the move converges', async () => {
    world = await startAzureWorld();
    world.emu.faults.busy = { remaining: 2, ops: ['networkInterfaces.put'] };
    world.emu.faults.unavailable = { remaining: 1, ops: ['networkInterfaces.get'] };
    const { result } = await failover(world);
    expect(result?.outcome).toBe('moved');
    expect(result?.calls.filter((c) => !c.ok).map((c) => c.error)).toEqual([
      'ServiceUnavailable',
      'AnotherOperationInProgress',
      'AnotherOperationInProgress',
    ]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('polls at the configured interval, not at the Retry-After: 10 the LRO answers carry', async () => {
    world = await startAzureWorld({ operationDelayMs: 60, pollIntervalMs: 20, lroRetryAfterSeconds: 10 });
    const { result } = await failover(world);
    expect(result?.outcome).toBe('moved');
    const polls = result?.calls.filter((c) => c.op === 'network.asyncOperations.get') ?? [];
    // about 60/20 polls per LRO; one 10 s wait would have given a single poll per LRO
    expect(polls.length).toBeGreaterThanOrEqual(4);
    expect(world.emu.calls.some((c) => c.op === 'operations.get')).toBe(true);
  });
});
