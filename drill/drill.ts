import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';
import { MirrorVipError } from '../shared/errors.ts';
import { DRILL_CLOUDS, DRILL_MODES } from './clouds/index.ts';
import type { CloudSession, DrillCloud } from './clouds/types.ts';
import type { Variant } from './member.ts';
import { createTopology, type DrillMember, destroyTopology, MEMBERS, type Topology } from './netns.ts';
import { killRunning } from './processes.ts';
import { PROFILES, scaleProfile } from './profiles.ts';
import { type RunResult, runOnce } from './run.ts';

export interface DrillOptions {
  cloud: string;
  variants: Variant[];
  runs: number;
  /** Every profile duration is multiplied by this (1 = real scale). */
  scale: number;
  /** Longest wait for one step; default from the profile (covers the schedule path). */
  stepTimeoutMs?: number;
  onRun?: (r: RunResult) => void;
  /** The members: IRIS stand-ins (default) or Patroni stand-ins read through GET /primary (docs/patroni.md). */
  members?: DrillMembers;
}

export type DrillMembers = 'iris' | 'patroni';
/** Each member's health URL on the management bridge, by the kind of stand-in. */
const HEALTH_URL: Record<DrillMembers, (ip: string) => string> = {
  iris: (ip) => `http://${ip}:57772/csp/bin/mirror_status.cxw`,
  patroni: (ip) => `http://${ip}:8008/primary`,
};

/** The drill failed; `topologyId` names the namespaces it made (all removed by then). */
export class DrillError extends MirrorVipError {
  readonly topologyId: number | undefined;
  constructor(message: string, topologyId: number | undefined, cause: unknown) {
    super('drill_failed', message, { cause });
    this.name = 'DrillError';
    this.topologyId = topologyId;
  }
}

/**
 * A TCP relay in front of the function URL that stamps each connection as it arrives: "notifier sent" ends when
 * the notifier's request reaches the function, so the member's side (starting Python, signing) and the function's
 * own time ("function decided") are told apart. It copies bytes only; the cost is one loopback hop.
 */
async function recordingRelay(functionUrl: string, hostIp: string, arrivals: number[]) {
  const target = new URL(functionUrl);
  const [port, host] = [Number(target.port), target.hostname];
  const open = new Set<Socket>();
  const server = createTcpServer((inbound) => {
    arrivals.push(performance.timeOrigin + performance.now());
    const outbound = connect(port, host);
    for (const s of [inbound, outbound]) {
      open.add(s);
      s.once('close', () => open.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close);
    outbound.on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, hostIp, r));
  target.port = String((server.address() as AddressInfo).port);
  // a kept-alive connection would outlive the drill and keep its process running
  const close = () => {
    server.close();
    for (const s of open) s.destroy();
  };
  return { url: target.toString(), close };
}

/** The seed variant's new primary asks here for the seed's own algorithm to run (as its script would, on the VM). */
async function seedRunner(
  session: CloudSession,
  hostIp: string,
  arrivals: number[],
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    arrivals.push(performance.timeOrigin + performance.now());
    const to = (req.url ?? '').split('/').pop() as DrillMember;
    if (!MEMBERS.includes(to)) return void res.writeHead(404).end();
    // the election before the kill makes iris-a MASTER while it already holds the VIP: nothing to measure there
    const move = session.holder() === to ? Promise.resolve() : session.seedMove(to);
    move.then(
      () => res.writeHead(200).end('moved'),
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  return { url: `http://${hostIp}:${(server.address() as AddressInfo).port}/seed/`, server };
}

function cloudOf(name: string): DrillCloud {
  const cloud = DRILL_CLOUDS[name] ?? DRILL_MODES[name];
  if (!cloud)
    throw new MirrorVipError(
      'drill_cloud',
      `no drill for cloud "${name}" (have: ${[...Object.keys(DRILL_CLOUDS), ...Object.keys(DRILL_MODES)].join(', ')})`,
    );
  return cloud;
}

/**
 * Ctrl-C, a kill or an exit still runs `cleanup` (removing the namespaces removes every process in them) and kills
 * what runs outside them (the function's host, the emulators' helpers), which would otherwise outlive the drill.
 */
function onProcessEnd(cleanup: () => void): () => void {
  const onEnd = () => {
    cleanup();
    killRunning();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onEnd();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onEnd);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('exit', onEnd);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Run the drill on one cloud: every variant `runs` times, each on freshly built namespaces; always cleans up. */
export async function runDrill(o: DrillOptions): Promise<RunResult[]> {
  const cloud = cloudOf(o.cloud);
  const profile = scaleProfile(PROFILES[o.cloud] ?? cloud.profile, o.scale);
  const stepTimeoutMs = o.stepTimeoutMs ?? 3 * profile.schedulePeriodMs + 60_000;
  let topo: Topology | undefined;
  let session: CloudSession | undefined;
  let seed: { url: string; server: Server } | undefined;
  let relay: { url: string; close: () => void } | undefined;
  const arrivals: number[] = [];
  const cleanup = () => topo && destroyTopology(topo.id);
  const uninstall = onProcessEnd(cleanup);
  const results: RunResult[] = [];
  try {
    topo = createTopology(cloud.vipCidr);
    const healthUrls = Object.fromEntries(
      MEMBERS.map((m) => [m, HEALTH_URL[o.members ?? 'iris'](topo?.mgmtIp[m] ?? '')]),
    ) as Record<DrillMember, string>;
    const members = o.members ?? 'iris';
    const started = await cloud.start({ healthUrls, hostIp: topo.hostIp, profile, scale: o.scale, members });
    session = started;
    relay = await recordingRelay(started.functionUrl, topo.hostIp, arrivals);
    seed = await seedRunner(started, topo.hostIp, arrivals);
    const relayed: CloudSession = { ...started, functionUrl: relay.url };
    // no seed moves the other modes: their rows are mirror-vip's (and notify-failed's) alone
    for (const variant of o.variants.filter((v) => v !== 'seed' || o.cloud in DRILL_CLOUDS))
      for (let run = 0; run < o.runs; run++) {
        if (results.length > 0) {
          destroyTopology(topo.id); // every run starts from fresh namespaces with the same addresses
          topo = createTopology(cloud.vipCidr, topo.id);
        }
        const ctx = {
          cloud: o.cloud,
          session: relayed,
          topo,
          profile,
          variant,
          run,
          runs: o.runs,
          seedUrl: seed.url,
          stepTimeoutMs,
          members,
          arrivals,
        };
        const r = await runOnce(ctx);
        results.push(r);
        o.onRun?.(r);
      }
    return results;
  } catch (e: unknown) {
    throw new DrillError(`drill on ${o.cloud} failed: ${(e as Error).message}`, topo?.id, e);
  } finally {
    cleanup();
    uninstall();
    relay?.close();
    seed?.server.closeAllConnections();
    seed?.server.close();
    await session?.close();
  }
}
