import { rmSync } from 'node:fs';
import type { CloudSession } from './clouds/types.ts';
import { memberHost, startKeepalived, type Variant } from './member.ts';
import { killMember, routeVip, startVipRouter, type Topology } from './netns.ts';
import { type NsProcess, spawnAgent } from './processes.ts';
import type { LatencyProfile } from './profiles.ts';

/** One connection attempt of the client. */
export interface Attempt {
  t0: number;
  t1: number;
  ok: boolean;
  member?: string;
  role?: string;
}
/** Something the drill saw happen: the cloud's state changed, the network was applied, a schedule fired. */
export interface DrillEvent {
  name: 'cloud' | 'network' | 'schedule';
  t: number;
  detail: string;
}
/** The milestones of a failover, in order; each phase ends at one. */
export const MARKS = [
  'detected',
  'promoted',
  'started',
  'notified',
  'decided',
  'written',
  'applied',
  'served',
] as const;
export type Mark = (typeof MARKS)[number];

export interface RunResult {
  cloud: string;
  variant: Variant;
  run: number;
  killAt: number;
  /** Milliseconds from the kill to each milestone. */
  marks: Partial<Record<Mark, number>>;
  /** What the client saw: from the old primary's last answer to the new primary's first. */
  outageMs: number;
  attempts: Attempt[];
  events: DrillEvent[];
  /** Answers from a member that was not primary (must be 0). */
  wrongAnswers: number;
  /** The members that answered, in the order they first did. */
  answeredBy: string[];
  pids: number[];
  /** The drill's namespaces were <PREFIX><topologyId>{c,n,a,b}. */
  topologyId: number;
}

export interface RunContext {
  cloud: string;
  session: CloudSession;
  topo: Topology;
  profile: LatencyProfile;
  variant: Variant;
  run: number;
  runs: number;
  seedUrl: string;
  /** Longest wait for any one step (the new primary's first answer included). */
  stepTimeoutMs: number;
  /** Which stand-in plays the database (default IRIS). */
  members?: 'iris' | 'patroni';
  /** Epoch ms of every request that reached the function or the seed runner (the drill's recording relay). */
  arrivals: number[];
}

const now = () => performance.timeOrigin + performance.now();
type Line = { ev?: string; t: number; ok?: boolean; member?: string; t0?: number; t1?: number };

/** The cloud network follows the emulator: on every state change the VIP route goes where the live state says. */
function followCloud(ctx: RunContext, events: DrillEvent[]) {
  const router = startVipRouter(ctx.topo, (h, t) => events.push({ name: 'network', t, detail: h }));
  let last = ctx.session.holder();
  const off = ctx.session.onChange(() => {
    const h = ctx.session.holder();
    events.push({ name: 'cloud', t: now(), detail: h ?? 'none' });
    if (h === last) return;
    last = h;
    router.route(h);
  });
  return {
    stop: () => {
      off();
      router.stop();
    },
  };
}

/** The alarm / schedule path: reconciles every period, at a phase that differs per run (spread over the period). */
function schedule(ctx: RunContext, killAt: number, events: DrillEvent[]) {
  const period = ctx.profile.schedulePeriodMs;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    events.push({ name: 'schedule', t: now(), detail: 'reconcile' });
    ctx.session.reconcile().catch(() => {});
    timer = setTimeout(tick, period);
  };
  const phase = ((ctx.run + 0.5) / ctx.runs) * period;
  timer = setTimeout(tick, Math.max(0, killAt + phase - now()));
  return () => clearTimeout(timer);
}

/** Start both members (stand-in, then keepalived), the client, and wait until iris-a serves as elected MASTER. */
async function startMembers(ctx: RunContext, hostDirs: string[]) {
  const { topo, profile } = ctx;
  const t = ctx.stepTimeoutMs;
  const standin = ctx.members === 'patroni' ? 'patroni-standin.ts' : 'iris-standin.ts';
  const a = spawnAgent(topo.ns['iris-a'], standin, ['iris-a', 'primary', String(profile.promotionMs)]);
  const b = spawnAgent(topo.ns['iris-b'], standin, ['iris-b', 'backup', String(profile.promotionMs)]);
  await Promise.all([a, b].map((p) => p.line<Line>((l) => l.ev === 'listening', t, 'the IRIS stand-ins')));
  const setup = {
    session: ctx.session,
    topo,
    variant: ctx.variant,
    advertIntMs: profile.advertIntMs,
    seedUrl: ctx.seedUrl,
    seedStartMs: profile.seedStartMs,
  };
  const client = spawnAgent(topo.ns.client, 'client.ts', [topo.vip, '20', '200']);
  const host = (m: 'iris-a' | 'iris-b') => {
    const dir = memberHost(m, setup);
    hostDirs.push(dir);
    return dir;
  };
  const ka = startKeepalived('iris-a', topo, host('iris-a'));
  await a.line<Line>((l) => l.ev === 'notify-done', t, 'iris-a to become MASTER and notify');
  const kb = startKeepalived('iris-b', topo, host('iris-b'));
  await b.line<Line>((l) => l.ev === 'backup', t, 'iris-b to enter BACKUP');
  const since = now();
  await client.line<Line>(
    (l) => !!l.ok && l.member === 'iris-a' && (l.t0 ?? 0) > since,
    t,
    'the client to reach iris-a',
  );
  return { a, b, client, procs: [a, b, client, ka, kb] };
}

function milestones(ctx: RunContext, killAt: number, b: NsProcess, attempts: Attempt[], events: DrillEvent[]) {
  const ev = (name: string) => (b.lines as Line[]).find((l) => l.ev === name && l.t >= killAt)?.t;
  const decided = ctx.session.firstWriteAfter(killAt);
  const tick = events.filter((e) => e.name === 'schedule' && decided !== undefined && e.t <= decided).pop()?.t;
  const after = (name: DrillEvent['name']) => events.find((e) => e.name === name && e.detail === 'iris-b')?.t;
  const started = ev('notify-start');
  const arrived = ctx.arrivals.find((t) => started !== undefined && t >= started);
  const abs: Record<Mark, number | undefined> = {
    detected: ev('detected'),
    promoted: ev('promoted'),
    started,
    // the request reached the function (or the seed runner); on notify-failed the schedule tick that moved it
    notified: ctx.variant === 'notify-failed' ? tick : arrived,
    decided,
    written: after('cloud'),
    applied: after('network'),
    served: attempts.find((x) => x.ok && x.member === 'iris-b')?.t1,
  };
  return Object.fromEntries(
    Object.entries(abs).flatMap(([k, v]) => (v === undefined ? [] : [[k, v - killAt]])),
  ) as RunResult['marks'];
}

function verdict(attempts: Attempt[]) {
  const ok = attempts.filter((x) => x.ok);
  const firstB = ok.find((x) => x.member === 'iris-b');
  const lastA = ok.filter((x) => x.member === 'iris-a' && (!firstB || x.t0 < firstB.t0)).pop();
  const wrong = ok.filter((x) => x.role !== 'primary' || (firstB && x.member === 'iris-a' && x.t0 > firstB.t0));
  const answeredBy = [...new Set(ok.map((x) => x.member ?? '?'))];
  return { outageMs: firstB && lastA ? firstB.t1 - lastA.t1 : Number.NaN, wrongAnswers: wrong.length, answeredBy };
}

/** One failover: start the mirror, kill the primary, watch the client until the new primary has served for a while. */
export async function runOnce(ctx: RunContext): Promise<RunResult> {
  const events: DrillEvent[] = [];
  await ctx.session.reset();
  await routeVip(ctx.topo, ctx.session.holder());
  // each member host's files (its key among them) live for the run only
  const hostDirs: string[] = [];
  const follow = followCloud(ctx, events);
  let stopSchedule = () => {};
  try {
    const { b, client, procs } = await startMembers(ctx, hostDirs);
    const killAt = now();
    killMember(ctx.topo, 'iris-a');
    if (ctx.variant === 'notify-failed') stopSchedule = schedule(ctx, killAt, events);
    const first = await client.line<Line>(
      (l) => !!l.ok && l.member === 'iris-b',
      ctx.stepTimeoutMs,
      'iris-b to serve the VIP',
    );
    // keep watching for a short tail: the picture shows the new primary serving, and a late wrong answer would count
    const servedAt = first.t1 ?? now();
    const tail = Math.max(300, 0.1 * (servedAt - killAt));
    await client.line<Line>((l) => (l.t0 ?? 0) > servedAt + tail, ctx.stepTimeoutMs, 'the client tail');
    stopSchedule();
    follow.stop();
    const attempts = (client.lines as Attempt[]).filter((x) => x.t0 >= killAt - 1000);
    const pids = procs.map((p) => p.child.pid ?? 0);
    const marks = milestones(ctx, killAt, b, attempts, events);
    return {
      cloud: ctx.cloud,
      variant: ctx.variant,
      run: ctx.run,
      killAt,
      marks,
      ...verdict(client.lines as Attempt[]), // every answer of the run counts, not only those drawn
      attempts,
      events,
      pids,
      topologyId: ctx.topo.id,
    };
  } finally {
    for (const dir of hostDirs) rmSync(dir, { recursive: true, force: true });
    stopSchedule();
    follow.stop();
  }
}
