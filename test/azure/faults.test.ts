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

describe('Azure function: the deadline never leaves the VIP on no member (break-before-make)', () => {
  const transitions = (w: AzureWorld, kind: string) => w.emu.transitions.filter((t) => t.kind === kind);

  it('a deadline that passes while the removal’s LRO runs still ends with the private and public IP on the target, one add', async () => {
    // the removal's LRO (2.5 s) outlasts the 2 s deadline; budgeted at 500 ms per update, the move fits when it starts
    world = await startAzureWorld({ deadlineMs: 2000, operationDelayMs: 2500, mirror: { operationMs: 500 } });
    const { result } = await failover(world);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-b'], ['iris-b']]);
    // one removal, one add (the public IP rode along with the ip-configuration), each polled to its end
    expect(world.emu.calls.filter((c) => c.op === 'networkInterfaces.put').map((c) => c.status)).toEqual([200, 200]);
    expect(transitions(world, 'ip-config-removed')).toHaveLength(1);
    expect(transitions(world, 'ip-config-added')).toMatchObject([{ detail: { nic: 'iris-b-nic' } }]);
    expect(transitions(world, 'public-ip-attached')).toMatchObject([{ detail: { nic: 'iris-b-nic' } }]);
    expect(nicPuts(result).map((c) => c.ok)).toEqual([true, true]);
    expect(world.state.nicByName('iris-b-nic')?.provisioningState).toBe('Succeeded');
  });

  it('a move started with less time left than its two NIC updates need changes nothing and fails with deadline_exceeded', async () => {
    // 3 s deadline, 2 s per update: the remove and the add (4 s) cannot both fit
    world = await startAzureWorld({ deadlineMs: 3000, operationDelayMs: 5, mirror: { operationMs: 2000 } });
    const { status, result } = await failover(world);
    expect(status).toBe(504);
    expect(result?.error?.code).toBe('deadline_exceeded');
    expect(result?.error?.message).toMatch(/not starting the move of IRISMIRROR: .* its 2 serial operations/);
    expect(result?.writeCalls).toBe(0);
    expect(world.emu.calls.filter((c) => c.write)).toEqual([]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-a'], ['iris-a']]);
  });

  it('a public IP on another ip-configuration counts its detach and attach: four serial updates, refused when only two fit', async () => {
    world = await startAzureWorld({ deadlineMs: 3000, operationDelayMs: 5, mirror: { operationMs: 900 } });
    const a = world.state.nicByName('iris-a-nic');
    const vip = a?.ipConfigurations.find((c) => c.name === 'vip');
    if (!a || !vip) throw new Error('seed without the VIP ip-configuration on iris-a');
    // the private VIP on A's `vip` ip-configuration, the public IP on A's primary one
    a.ipConfigurations = a.ipConfigurations.map((c) =>
      c.primary ? { ...c, publicIpId: vip.publicIpId } : { ...c, publicIpId: null },
    );
    const { status, result } = await failover(world);
    expect(status).toBe(504);
    expect(result?.error?.message).toMatch(/its 4 serial operations may take 3600 ms/);
    expect(world.emu.calls.filter((c) => c.write)).toEqual([]);
    expect([world.ipConfigHolders(), world.publicIpHolders()]).toEqual([['iris-a'], ['iris-a']]);
  });
});
