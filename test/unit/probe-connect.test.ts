import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MirrorConfig } from '../../shared/config/schema.ts';
import { probeAll, soleTarget } from '../../shared/core/decide.ts';
import { createProbe, DEFAULT_CONNECT, probeMember } from '../../shared/core/health.ts';
import { DecisionError } from '../../shared/errors.ts';

/** A status page that answers SUCCESS after `delayMs` (path /slow: 1000 ms) once the connection is accepted. */
let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const answer = () => res.writeHead(200).end('SUCCESS');
    if (req.url === '/slow') setTimeout(answer, 1000);
    else answer();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

/** A connect function that counts attempts; the first `drop` attempts get a socket whose SYN is never answered. */
function counting(drop: number) {
  const made: net.Socket[] = [];
  const connect = (host: string, p: number) => {
    const s = made.length < drop ? new net.Socket() : net.connect({ host, port: p });
    made.push(s);
    return s;
  };
  return { made, probe: createProbe({ ...DEFAULT_CONNECT, connect }) };
}

const mirror = (urls: Record<string, string>) =>
  ({
    name: 'M',
    members: Object.entries(urls).map(([name, healthUrl]) => ({ name, healthUrl })),
    health: { enabled: true, timeoutMs: 1500, confirmWindowMs: 0 },
  }) as unknown as MirrorConfig;

describe('probe connection window', () => {
  it('a member whose host drops every packet is down after the window, after the configured attempts', async () => {
    const { made, probe } = counting(Number.POSITIVE_INFINITY);
    const r = await probe(`http://127.0.0.1:${port}/`, 1500);
    expect(r).toMatchObject({ role: 'down', detail: 'connect timeout' });
    expect(made).toHaveLength(DEFAULT_CONNECT.attempts);
    expect(made.every((s) => s.destroyed)).toBe(true);
  });

  it('one lost SYN does not make a live primary look down: the next staggered attempt connects', async () => {
    const { made, probe } = counting(1);
    const r = await probe(`http://127.0.0.1:${port}/`, 1500);
    expect(r.role).toBe('primary');
    expect(made.length).toBeGreaterThanOrEqual(2);
  });

  it('a refused connection is down at once, after one attempt', async () => {
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const dead = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const attempts: number[] = [];
    const probe = createProbe({
      ...DEFAULT_CONNECT,
      connect: (host, p) => {
        attempts.push(p);
        return net.connect({ host, port: p });
      },
    });
    const r = await probe(`http://127.0.0.1:${dead}/`, 1500);
    expect(r).toMatchObject({ role: 'down', detail: 'ECONNREFUSED' });
    expect(attempts).toEqual([dead]);
  });

  it('a member that is alive but slow (connects, answers after 1 s) is still counted as primary', async () => {
    expect((await probeMember(`http://127.0.0.1:${port}/slow`, 1500)).role).toBe('primary');
  });

  it('so a claim is refused while a slow old primary still answers: several primaries, nothing moves', async () => {
    const m = mirror({ 'iris-a': `http://127.0.0.1:${port}/slow`, 'iris-b': `http://127.0.0.1:${port}/` });
    const roles = await probeAll(m, probeMember);
    expect(roles).toEqual({ 'iris-a': 'primary', 'iris-b': 'primary' });
    const claim = { member: 'iris-b', eventId: 'e1', timestamp: 0, receivedAt: 0 };
    expect(() => soleTarget(roles, claim)).toThrow(DecisionError);
    try {
      soleTarget(roles, claim);
    } catch (e: unknown) {
      expect((e as DecisionError).code).toBe('several_primaries');
    }
  });
});
