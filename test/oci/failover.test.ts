import { afterEach, describe, expect, it } from 'vitest';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';

let world: OciWorld;
afterEach(async () => world?.close());

const okWrites = (calls: { op: string; write: boolean; ok: boolean }[]) =>
  calls.filter((c) => c.write && c.ok).map((c) => c.op);

const failover = async () => {
  world.members.set('iris-a', 'down');
  world.members.set('iris-b', 'primary');
  return world.post(world.signedRequest('iris-b'));
};

describe('OCI function: a signed became-primary event (private-ip, seed 004)', () => {
  it('moves the secondary private IP to the new primary; its public IP follows to ASSIGNED', async () => {
    world = await startOciWorld({ assigningMs: 20 });
    const { status, result } = await failover();
    expect(status).toBe(200);
    expect(result).toMatchObject({ ok: true, outcome: 'moved', from: 'iris-a', to: 'iris-b', mirror: 'IRISMIRROR' });
    expect(world.privateIpHolder()).toBe('iris-b');
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
    expect(result?.plan?.map((c) => c.slot)).toEqual(['private-ip', 'public-ip']);
    // one write: the public IP moves with its private IP, watched through ASSIGNING until ASSIGNED
    expect(okWrites(result?.calls ?? [])).toEqual(['UpdatePrivateIp']);
    // found by address (ListPrivateIps has no etag), read once more so the write carries if-match
    expect(world.emu.calls.filter((c) => c.write).map((c) => [c.op, c.ifMatch])).toEqual([['UpdatePrivateIp', true]]);
    const kinds = world.state.transitions.map((t) => t.kind);
    expect(kinds).toEqual(['private-ip-moved', 'public-ip-assigning', 'public-ip-assigned']);
    expect(world.emu.calls.filter((c) => c.op === 'UpdatePrivateIp').map((c) => c.status)).toEqual([200]);
    expect(result?.writeCalls).toBe(world.writes());
  });

  it('the same event again, and a reconcile when all is right, make zero writes', async () => {
    world = await startOciWorld();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const req = world.signedRequest('iris-b');
    expect((await world.post(req)).result?.outcome).toBe('moved');
    const writes = world.writes();
    const again = await world.post(req);
    expect(again.status).toBe(409);
    expect(again.result?.error?.code).toBe('replayed_event');
    const fresh = await world.post(world.signedRequest('iris-b'));
    expect(fresh.result).toMatchObject({ ok: true, outcome: 'unchanged', writeCalls: 0 });
    const reconciled = await world.invoke({ kind: 'mirror-vip.reconcile' });
    expect(reconciled.results.map((r) => r.outcome)).toEqual(['unchanged']);
    expect(world.writes()).toBe(writes);
  });

  it('a stale ETag (a concurrent writer) is re-read and converges', async () => {
    world = await startOciWorld();
    world.emu.faults.staleEtag = { remaining: 1, ops: ['UpdatePrivateIp'] };
    const { result } = await failover();
    expect(result?.outcome).toBe('moved');
    expect(world.emu.calls.filter((c) => c.op === 'UpdatePrivateIp').map((c) => c.status)).toEqual([412, 200]);
    // the retry went out with the etag of a fresh read
    expect(result?.calls.map((c) => c.op)).toContain('GetPrivateIp');
    expect(world.privateIpHolder()).toBe('iris-b');
  });

  it('throttling (429) and 5xx are retried with backoff within the deadline', async () => {
    world = await startOciWorld();
    world.emu.faults.throttle = { remaining: 2, ops: ['UpdatePrivateIp'] };
    world.emu.faults.failures = { remaining: 1, ops: ['GetPublicIp'] };
    const { result } = await failover();
    expect(result?.outcome).toBe('moved');
    expect(world.emu.calls.filter((c) => c.op === 'UpdatePrivateIp').map((c) => c.status)).toEqual([429, 429, 200]);
    expect(result?.calls.filter((c) => !c.ok).map((c) => c.error)).toEqual(
      expect.arrayContaining(['TooManyRequests', 'TooManyRequests', 'InternalServerError']),
    );
  });

  it('throttling that outlasts the deadline fails with deadline_exceeded, the VIP where it was', async () => {
    world = await startOciWorld({ deadlineMs: 1000, engine: { retry: { baseMs: 200, maxMs: 400, maxAttempts: 50 } } });
    world.emu.faults.throttle = { remaining: 1000, ops: ['UpdatePrivateIp'] };
    const { status, result } = await failover();
    expect(status).toBe(504);
    expect(result?.error?.code).toBe('deadline_exceeded');
    expect(world.privateIpHolder()).toBe('iris-a');
  });

  it('a public IP left detached (its assignment failed silently) is re-assigned in the same move', async () => {
    world = await startOciWorld({ assigningMs: 5 });
    world.state.timing.detachNext = 1;
    const { result } = await failover();
    expect(result?.outcome).toBe('moved');
    expect(okWrites(result?.calls ?? [])).toEqual(['UpdatePrivateIp', 'UpdatePublicIp']);
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-b' });
  });

  it('a public IP found detached is re-attached by a reconcile (schedule)', async () => {
    world = await startOciWorld();
    world.state.detachPublicIp(world.seed.publicIpId);
    const { results } = await world.invoke('');
    expect(results.map((r) => [r.outcome, r.plan?.map((c) => c.slot)])).toEqual([['moved', ['public-ip']]]);
    expect(okWrites(results[0]?.calls ?? [])).toEqual(['UpdatePublicIp']);
    expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: 'iris-a' });
  });

  it('a Notifications alarm message reconciles the mirror it names', async () => {
    world = await startOciWorld();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const alarm = {
      dedupekey: 'a1b2',
      title: 'mirror-vip:IRISMIRROR:member-down',
      type: 'OK_TO_FIRING',
      severity: 'CRITICAL',
      timestampEpochMillis: Date.now(),
      alarmMetaData: [{ id: 'ocid1.alarm.oc1.eu-frankfurt-1.aaaaalarm', status: 'FIRING', dimensions: [] }],
    };
    const { results } = await world.invoke(alarm);
    expect(results.map((r) => [r.trigger, r.outcome, r.to])).toEqual([['alarm', 'moved', 'iris-b']]);
    expect(world.privateIpHolder()).toBe('iris-b');
  });

  it('an alarm found by its resourceId dimension reconciles that member mirror; an unmatched one changes nothing', async () => {
    world = await startOciWorld();
    const dims = (resourceId: string) => ({
      dedupekey: 'x',
      title: 'instance down',
      type: 'OK_TO_FIRING',
      alarmMetaData: [{ id: 'ocid1.alarm.oc1..a', dimensions: [{ resourceId }] }],
    });
    const hit = await world.invoke(dims(world.seed.backup.instanceId));
    expect(hit.results.map((r) => [r.mirror, r.outcome])).toEqual([['IRISMIRROR', 'unchanged']]);
    const miss = await world.invoke(dims('ocid1.instance.oc1..other'));
    expect(miss.results.map((r) => [r.outcome, r.error?.code])).toEqual([['rejected', 'unknown_mirror']]);
    expect(world.writes()).toBe(0);
  });
});

describe('OCI function: route mode', () => {
  it('points the VIP rule of every route table at the new primary private IP, in parallel, keeping the other rules', async () => {
    world = await startOciWorld({ mode: 'route' });
    // long enough that a serial second write could not start before the first ended, even on a loaded machine
    world.emu.faults.latencyByOp.UpdateRouteTable = 300;
    const { result } = await failover();
    expect(result?.outcome).toBe('moved');
    expect(world.routes()).toEqual(['iris-b', 'iris-b']);
    expect(okWrites(result?.calls ?? [])).toEqual(['UpdateRouteTable', 'UpdateRouteTable']);
    expect(world.emu.calls.filter((c) => c.write).every((c) => c.ifMatch)).toBe(true);
    for (const id of world.seed.routeTableIds) {
      expect(world.state.routeTable(id).routeRules.map((r) => r.destination)).toEqual(['0.0.0.0/0', '10.10.10.10/32']);
    }
    const updates = world.emu.calls.filter((c) => c.op === 'UpdateRouteTable');
    expect(updates[1]?.startedAt).toBeLessThan(updates[0]?.endedAt ?? 0);
  });

  it('a route table changed meanwhile (412) is re-read and its new rules kept', async () => {
    world = await startOciWorld({ mode: 'route' });
    world.emu.faults.staleEtag = { remaining: 1, ops: ['UpdateRouteTable'] };
    const { result } = await failover();
    expect(result?.outcome).toBe('moved');
    expect(world.routes()).toEqual(['iris-b', 'iris-b']);
    expect(
      world.emu.calls
        .filter((c) => c.op === 'UpdateRouteTable')
        .map((c) => c.status)
        .sort(),
    ).toEqual([200, 200, 412]);
  });

  it('warns when skip source/destination check is off on the target VNIC', async () => {
    world = await startOciWorld({ mode: 'route', seed: { skipSourceDestCheck: false } });
    const { result } = await failover();
    expect(result?.warnings?.join(' ')).toMatch(/skip source\/destination check is off .*iris-b/);
  });

  it('both VIPs of a mirror move in one event: private IP, public IP and routes', async () => {
    world = await startOciWorld({ mode: 'both' });
    const { result } = await failover();
    expect(result?.outcome).toBe('moved');
    expect([world.privateIpHolder(), world.publicIp().on, ...world.routes()]).toEqual([
      'iris-b',
      'iris-b',
      'iris-b',
      'iris-b',
    ]);
    const again = await world.post(world.signedRequest('iris-b'));
    expect(again.result).toMatchObject({ outcome: 'unchanged', writeCalls: 0 });
  });
});
