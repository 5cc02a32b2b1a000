import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemberRole } from '../shared/core/health.ts';
import { MEMBER_SHAPES, memberPage, SHAPE_PATH } from './member-pages.ts';

/** Mirror members' health endpoints answering like IRIS's /csp/bin/mirror_status.cxw (or Patroni, or a generic page). */
export interface FakeMembers {
  urls: Record<string, string>;
  roles: Record<string, MemberRole>;
  /** How many probes each member has answered (or refused). */
  probes: Record<string, number>;
  set(member: string, role: MemberRole): void;
  /** Answer the next probes of `member` with these roles in turn; the last one stays. */
  script(member: string, roles: MemberRole[]): void;
  /** Hold the next probe of `member` unanswered until `release()`; `reached` resolves when that probe arrives. */
  hold(member: string): { reached: Promise<void>; release: () => void };
  /** A member whose VM is gone: its probes are never answered (the prober's timeout ends them). */
  silence(member: string, silent: boolean): void;
  close(): Promise<void>;
}

const SHAPE_OF_PATH = new Map(MEMBER_SHAPES.map((s) => [SHAPE_PATH[s], s]));

/**
 * One HTTP server for all members, told apart by path prefix; "down" drops the connection without an answer. Each
 * member answers in every shape at once, by path: IRIS's /csp/bin/mirror_status.cxw, Patroni's /primary, a
 * generic page (local-cloud/member-pages.ts); `urls` are the IRIS ones, withMemberShape rewrites them.
 */
export async function startFakeMembers(initial: Record<string, MemberRole>): Promise<FakeMembers> {
  const roles: Record<string, MemberRole> = { ...initial };
  const scripts: Record<string, MemberRole[]> = {};
  const probes: Record<string, number> = Object.fromEntries(Object.keys(initial).map((m) => [m, 0]));
  const holds: Record<string, { arrived: () => void; released: Promise<void> }> = {};
  const silent = new Set<string>();
  const server: Server = createServer(async (req, res) => {
    const [, member, ...rest] = (req.url ?? '').split('/');
    const shape = SHAPE_OF_PATH.get(`/${rest.join('/')}`);
    if (!member || roles[member] === undefined || shape === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    probes[member] = (probes[member] ?? 0) + 1;
    if (silent.has(member)) return;
    const held = holds[member];
    if (held) {
      delete holds[member];
      held.arrived();
      await held.released;
    }
    const next = scripts[member]?.shift();
    if (next !== undefined) roles[member] = next;
    const role = roles[member];
    if (role === 'down') {
      req.socket.destroy();
      return;
    }
    const page = memberPage(shape, member, role ?? 'unknown');
    res.writeHead(page.status, { 'content-type': page.type }).end(page.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const urls = Object.fromEntries(
    Object.keys(initial).map((m) => [m, `http://127.0.0.1:${port}/${m}${SHAPE_PATH.iris}`]),
  );
  return {
    urls,
    roles,
    probes,
    set: (m, role) => {
      roles[m] = role;
    },
    script: (m, seq) => {
      scripts[m] = [...seq];
    },
    hold: (m) => {
      let arrived = () => {};
      let release = () => {};
      const reached = new Promise<void>((r) => {
        arrived = r;
      });
      const released = new Promise<void>((r) => {
        release = r;
      });
      holds[m] = { arrived, released };
      return { reached, release };
    },
    silence: (m, on) => {
      if (on) silent.add(m);
      else silent.delete(m);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
