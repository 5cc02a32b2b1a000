import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { CallLog } from '../../shared/core/calls.ts';
import { convergeMirror } from '../../shared/core/converge.ts';
import { ClaimOrder } from '../../shared/core/decide.ts';
import { createProbe, DEFAULT_CONNECT, type Probe } from '../../shared/core/health.ts';
import { createCallContext, settleSlots } from '../../shared/core/retry.ts';
import { stillFresh, type TimedRead, timedRead } from '../../shared/core/timed-read.ts';
import type { Provider } from '../../shared/providers/types.ts';

// The first round of an event: the probes, the read of the bindings and the pause read run at once, and neither the
// dead member nor the pause store is asked twice when their answers are as fresh as the read (counts, not times).

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(200).end('SUCCESS'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const mirror = parseConfig(
  JSON.stringify({
    mirrors: [
      {
        name: 'M',
        cloud: 'aws',
        region: 'us-east-1',
        members: ['a', 'b'].map((n, i) => ({
          name: n,
          instanceId: `i-0000000000000000${i}`,
          eniId: `eni-0000000000000000${i}`,
          // a: a host that drops every packet (see `dropping`); b: a live primary
          healthUrl: `http://${n === 'a' ? '127.0.0.2' : '127.0.0.1'}:${n === 'a' ? 9 : 1}/csp/bin/mirror_status.cxw`,
        })),
        vips: [{ mode: 'eip', allocationId: 'eipalloc-00000000000000000' }],
        keys: [{ id: 'k', member: 'a', secret: 'env:K' }],
      },
    ],
  }),
).mirrors[0]!;

/** Connections to 127.0.0.2 never connect (a SYN nobody answers); to 127.0.0.1 they reach the test's page. */
function dropping() {
  const attempts: string[] = [];
  const probe = createProbe({
    ...DEFAULT_CONNECT,
    connect: (host) => {
      attempts.push(host);
      return host === '127.0.0.2' ? new net.Socket() : net.connect({ host: '127.0.0.1', port });
    },
  });
  return { attempts, probe };
}

/** One eip slot held by `a`; reads answer after `readMs` (a cloud's round trip), writes count. */
function cloud(readMs: number) {
  let holder = 'a';
  const counts = { observes: 0, writes: 0 };
  const provider: Provider = {
    async observe() {
      counts.observes++;
      await delay(readMs);
      return { bindings: [{ vip: 'v', mode: 'eip', slot: 'eip', holder, resource: holder }], memberWarnings: {} };
    },
    apply: (_m, changes) =>
      settleSlots(changes, async (c) => {
        counts.writes++;
        holder = c.to;
      }),
  };
  return { counts, provider, holder: () => holder };
}

const claim = { member: 'b', timestamp: 10, receivedAt: 10, eventId: 'evt-b-10-xxxxxxxx' };

function run(provider: Provider, probe: Probe, extra: Partial<Parameters<typeof convergeMirror>[0]> = {}) {
  return convergeMirror({
    mirror,
    claim,
    provider,
    probe,
    order: new ClaimOrder(),
    ctx: createCallContext(new CallLog(), 10_000),
    overlap: true,
    ...extra,
  });
}

describe('an overlapped first round', () => {
  it('a dead member whose connect window closes before the read ends is held open: probed once per round, not twice', async () => {
    const { attempts, probe } = dropping();
    // the read takes longer than the 150 ms window: without the hold the dead member would be probed again
    const w = cloud(DEFAULT_CONNECT.windowMs + 150);
    const p = await run(w.provider, probe);
    expect(p.error).toBeUndefined();
    expect(w.holder()).toBe('b');
    expect(w.counts.writes).toBe(1);
    // round 1 (probe + read, then write) and round 2 (the read-back): one window of the dead member each
    expect(p.rounds).toBe(2);
    expect(attempts.filter((h) => h === '127.0.0.2')).toHaveLength(2 * DEFAULT_CONNECT.attempts);
  });

  it('a member that connects while its window is held open is heard: answering primary, it stops the move', async () => {
    let late: (() => void) | undefined;
    const attempts: string[] = [];
    const probe = createProbe({
      ...DEFAULT_CONNECT,
      connect: (host) => {
        attempts.push(host);
        if (host !== '127.0.0.2') return net.connect({ host: '127.0.0.1', port });
        // the old primary's first SYN is answered only once the window has closed and the read is still running
        if (late) return new net.Socket();
        const s = new net.Socket();
        late = () => s.connect({ host: '127.0.0.1', port });
        return s;
      },
    });
    const w = cloud(DEFAULT_CONNECT.windowMs + 300);
    const reading = run(w.provider, probe);
    await delay(DEFAULT_CONNECT.windowMs + 100);
    late?.();
    const p = await reading;
    expect(p.error?.code).toBe('several_primaries');
    expect(w.counts.writes).toBe(0);
    expect(w.holder()).toBe('a');
  });

  it('the early pause read serves the first write round while fresh: one pause read for the whole move', async () => {
    const { probe } = dropping();
    const w = cloud(100);
    let reads = 0;
    // the store answers in the read's own time; the early read is issued with the look, like an event's
    const paused = async () => {
      reads++;
      await delay(100);
      return false;
    };
    const earlyPause = timedRead(paused, () => false);
    const p = await run(w.provider, probe, { paused, earlyPause });
    expect(p.error).toBeUndefined();
    expect(w.counts.writes).toBe(1);
    expect(reads).toBe(1);
  });

  it('a pause stored while a slow probe holds the round is still seen: the stale early read is read again', async () => {
    const w = cloud(10);
    let stored = false;
    let reads = 0;
    const paused = async () => {
      reads++;
      return stored;
    };
    const earlyPause = timedRead(paused, () => false);
    // the live claimant answers only after the pause was stored (a slow page), long after the early read answered
    const slow: Probe = async (url) => {
      if (url.includes('127.0.0.2')) return { role: 'down', ms: 1 };
      await delay(200);
      stored = true;
      return { role: 'primary', ms: 200 };
    };
    const p = await run(w.provider, slow, { paused, earlyPause });
    expect(p.stoppedByPause).toBe(true);
    expect(w.counts.writes).toBe(0);
    expect(reads).toBe(2);
  });

  it('a paused mirror found by the early read stops before writing, whatever the plan', async () => {
    const { probe } = dropping();
    const w = cloud(10);
    const earlyPause = timedRead(
      async () => true,
      () => false,
    );
    const p = await run(w.provider, probe, { paused: async () => true, earlyPause });
    expect(p).toMatchObject({ stoppedByPause: true, wrote: false });
    expect(w.counts.writes).toBe(0);
  });
});

describe('stillFresh', () => {
  const read = (issuedAt: number, answeredAt?: number): TimedRead<boolean> => ({
    value: Promise.resolve(false),
    issuedAt,
    answeredAt,
  });
  it('counts a read in flight, and one that answered no longer ago than it took', () => {
    expect(stillFresh(read(0), 500)).toBe(true);
    expect(stillFresh(read(0, 100), 200)).toBe(true);
    expect(stillFresh(read(0, 100), 201)).toBe(false);
    expect(stillFresh(undefined, 0)).toBe(false);
  });
});
