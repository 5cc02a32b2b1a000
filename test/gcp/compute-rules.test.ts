import { afterEach, describe, expect, it } from 'vitest';
import { type GcpWorld, type GcpWorldOptions, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';

// The GCP provider through the real @google-cloud/compute client against the emulator, one block per Compute rule.
let world: GcpWorld;
afterEach(async () => world?.close());

async function failover(w: GcpWorld) {
  w.members.set('iris-a', 'down');
  w.members.set('iris-b', 'primary');
  return w.post(w.signedRequest('iris-b'));
}
const start = async (o: GcpWorldOptions = {}) => {
  world = await startGcpWorld(o);
  return world;
};
const nicOf = (w: GcpWorld, name: 'iris-a' | 'iris-b') => {
  const m = name === 'iris-a' ? w.seed.primary : w.seed.backup;
  const nic = w.state.instance(m.zone, m.name)?.networkInterfaces[0];
  if (!nic) throw new Error(`no nic0 on ${name}`);
  return nic;
};

describe('rule 1: Compute rate-limits with 403 rateLimitExceeded', () => {
  it('a throttled write (403) is retried, even the add right after the remove, and the move completes', async () => {
    const w = await start({ operationDelayMs: 5 });
    w.emu.faults.throttle = { remaining: 3, ops: ['instances.updateNetworkInterface', 'instances.addAccessConfig'] };
    const { status, result } = await failover(w);
    expect(w.emu.calls.filter((c) => c.status === 403)).toHaveLength(3);
    expect(status).toBe(200);
    expect(result?.outcome).toBe('moved');
    expect([w.aliasHolders(), w.accessConfigHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('userRateLimitExceeded is retried too', async () => {
    const w = await start({ accessConfig: false });
    w.emu.faults.throttle = {
      remaining: 1,
      ops: ['instances.updateNetworkInterface'],
      reason: 'userRateLimitExceeded',
    };
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
  });
});

describe('rule 2: subnetworkRangeName', () => {
  const pods = (w: GcpWorld) => {
    nicOf(w, 'iris-a').aliasIpRanges.push({ ipCidrRange: '10.4.0.0/24', subnetworkRangeName: 'pods' });
    nicOf(w, 'iris-b').aliasIpRanges.push({ ipCidrRange: '10.4.1.0/24', subnetworkRangeName: 'pods' });
  };

  it('every alias rewrite keeps the range name of the NIC’s other ranges', async () => {
    const w = await start({ accessConfig: false });
    pods(w);
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    expect(nicOf(w, 'iris-a').aliasIpRanges).toEqual([{ ipCidrRange: '10.4.0.0/24', subnetworkRangeName: 'pods' }]);
    expect(nicOf(w, 'iris-b').aliasIpRanges).toEqual([
      { ipCidrRange: '10.4.1.0/24', subnetworkRangeName: 'pods' },
      { ipCidrRange: w.seed.vip },
    ]);
  });

  it('a VIP from a secondary range is added with its range name', async () => {
    const w = await start({
      accessConfig: false,
      seed: { alias: false },
      vip: { cidr: '10.4.2.250/32', subnetworkRangeName: 'pods' },
    });
    nicOf(w, 'iris-a').aliasIpRanges.push({ ipCidrRange: '10.4.2.250/32', subnetworkRangeName: 'pods' });
    const { result } = await failover(w);
    expect(result).toMatchObject({ outcome: 'moved', from: 'iris-a', to: 'iris-b' });
    expect(nicOf(w, 'iris-b').aliasIpRanges).toEqual([{ ipCidrRange: '10.4.2.250/32', subnetworkRangeName: 'pods' }]);
  });
});

describe('rule 3: one operation per instance at a time', () => {
  it('the private and public chains never write one instance at once: no resourceNotReady, one serial round more', async () => {
    const w = await start({ operationDelayMs: 30 });
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    expect(w.emu.calls.filter((c) => c.errorReason === 'resourceNotReady')).toEqual([]);
    expect([w.aliasHolders(), w.accessConfigHolders()]).toEqual([['iris-b'], ['iris-b']]);
    expect(result?.writeCalls).toBe(4);
  });

  it('another writer’s running operation (resourceNotReady) is waited out within the deadline', async () => {
    const w = await start({ accessConfig: false, operationDelayMs: 5 });
    // a foreign operation holds the target for 400 ms (longer than the core's own retries last here)
    w.emu.faults.operationDelayByOp = { 'instances.addAccessConfig': 400 };
    const base = `${w.emu.url}/compute/v1/projects/${w.seed.project}/zones/${w.seed.backup.zone}/instances/iris-b`;
    const busy = await fetch(`${base}/addAccessConfig?networkInterface=nic0`, { method: 'POST', body: '{}' });
    expect(busy.status).toBe(200);
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    expect(w.emu.calls.filter((c) => c.errorReason === 'resourceNotReady').length).toBeGreaterThan(0);
    expect(w.aliasHolders()).toEqual(['iris-b']);
  });
});

describe('rule 4: the deadline never leaves the VIP on nobody', () => {
  it('a move whose remove and add cannot fit in the time left is not started', async () => {
    const w = await start({
      accessConfig: false,
      deadlineMs: 3000,
      operationDelayMs: 2500,
      mirror: { operationMs: 2000 },
    });
    const { status, result } = await failover(w);
    expect(status).toBe(504);
    expect(result?.error?.code).toBe('deadline_exceeded');
    expect(result?.writeCalls).toBe(0);
    expect(w.aliasHolders()).toEqual(['iris-a']);
  });

  it('a deadline that passes between the remove and the add still completes the add', async () => {
    const w = await start({
      accessConfig: false,
      deadlineMs: 2000,
      operationDelayMs: 1200,
      mirror: { operationMs: 500 },
    });
    await failover(w);
    // the add ran past the invocation's deadline, inside the function timeout: the VIP is on the target
    expect(w.aliasHolders()).toEqual(['iris-b']);
  });
});

describe('rule 5: addAccessConfig carries the address network tier', () => {
  it('a Standard-tier address moves as Standard (read from the holder’s access config)', async () => {
    const w = await start({ operationDelayMs: 5 });
    const addr = w.state.addresses.get(w.seed.externalAddressName);
    if (addr) addr.networkTier = 'STANDARD';
    const held = nicOf(w, 'iris-a').accessConfigs[0];
    if (held) held.networkTier = 'STANDARD';
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    expect(nicOf(w, 'iris-b').accessConfigs).toMatchObject([{ natIP: w.seed.externalIp, networkTier: 'STANDARD' }]);
  });

  it('the configured tier is used when nobody holds the address, and a tier mismatch is refused before any write', async () => {
    const w = await start({
      operationDelayMs: 5,
      seed: { accessConfig: false },
      vip: { accessConfig: { name: 'vip', natIP: '34.1.2.3', networkTier: 'STANDARD' } },
    });
    const addr = w.state.addresses.get(w.seed.externalAddressName);
    if (addr) addr.networkTier = 'STANDARD';
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    expect(nicOf(w, 'iris-b').accessConfigs).toMatchObject([{ networkTier: 'STANDARD' }]);
  });
});

describe('rule 6: a route-mode VIP outside every subnet range', () => {
  it('a VIP inside the subnet is refused by routes.insert and the old route stays', async () => {
    const w = await start({ mode: 'route', vip: { cidr: '10.0.0.250/32' }, seed: { routeDestRange: '10.0.0.250/32' } });
    const { status, result } = await failover(w);
    expect(status).toBe(502);
    expect(result?.error?.message).toMatch(/overlaps the primary range 10\.0\.0\.0\/16/);
    expect([...w.state.routes.values()].map((r) => r.name)).toEqual([w.seed.routeName]);
  });
});

describe('rule 7: requestId makes a retry after a lost answer safe', () => {
  it('addAccessConfig applied but its answer lost: the retry (same requestId) gets the original operation', async () => {
    const w = await start({ operationDelayMs: 5 });
    w.emu.faults.loseAnswer = { remaining: 1, ops: ['instances.addAccessConfig'] };
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    const adds = w.emu.calls.filter((c) => c.op === 'instances.addAccessConfig');
    expect(adds.map((c) => c.status)).toEqual([0, 200]);
    const ids = adds.map((c) => new URL(c.path, w.emu.url).searchParams.get('requestId'));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(w.emu.transitions.filter((t) => t.kind === 'access-config-added')).toHaveLength(1);
  });

  it('updateNetworkInterface answer lost: the retry replays, no 412 and no second operation', async () => {
    const w = await start({ accessConfig: false });
    w.emu.faults.loseAnswer = { remaining: 1, ops: ['instances.updateNetworkInterface'] };
    const { result } = await failover(w);
    expect(result?.outcome).toBe('moved');
    expect(w.emu.calls.filter((c) => c.status === 412)).toEqual([]);
    expect(w.aliasHolders()).toEqual(['iris-b']);
  });
});

describe('rule 8: fingerprints', () => {
  it('a NIC read without a fingerprint is refused clearly, before any write', async () => {
    const w = await start({ accessConfig: false });
    nicOf(w, 'iris-a').fingerprint = '';
    const { result } = await failover(w);
    expect(result?.ok).toBe(false);
    expect(result?.error?.message).toMatch(/without a fingerprint/);
    expect(w.writes()).toBe(0);
  });
});
