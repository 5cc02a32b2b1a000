import type { Config, MirrorConfig } from '../config/schema.ts';
import { asMirrorVipError, DecisionError, type MirrorVipError, VerificationError } from '../errors.ts';
import { ReplayCache } from '../protocol/replay-cache.ts';
import { type VerificationKey, verifyRequest } from '../protocol/verify.ts';
import type { Provider } from '../providers/types.ts';
import { type Job, latestPerMember, refusalOf } from './batch.ts';
import { CallLog } from './calls.ts';
import { convergeMirror, type Progress, slotSummary } from './converge.ts';
import { type Claim, ClaimOrder, confirmClaimant, refusedClaim } from './decide.ts';
import { type Probe, probeMember } from './health.ts';
import { MirrorQueue } from './mirror-queue.ts';
import { computePlan, currentHolder } from './plan.ts';
import { callFigures, type FailoverResult, publicError, type ResultDraft, statusOf, type Trigger } from './result.ts';
import { createCallContext, DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
import { startSnapshots } from './snapshots.ts';
import { timedRead } from './timed-read.ts';

export interface EngineDeps {
  config: Config;
  keys: ReadonlyMap<string, VerificationKey>;
  /** The provider that moves this mirror's VIPs (chosen by its cloud). */
  providerFor: (mirror: MirrorConfig) => Provider;
  probe?: Probe;
  nowMs?: () => number;
  /** One structured line per decision. */
  log?: (line: Record<string, unknown>) => void;
  /** Called after a move or a failed move; its failure is logged, never returned. */
  notify?: (result: FailoverResult) => Promise<void>;
  retry?: RetryPolicy;
  /** True while an operator has paused moves of this mirror (maintenance): converge then writes nothing. */
  pause?: (mirror: string) => Promise<boolean>;
}

export interface Reply {
  status: number;
  result: FailoverResult;
  /** Seconds the sender should wait before retrying (several primaries, none): sent as Retry-After. */
  retryAfterSeconds?: number;
}

export interface SignedRequest {
  rawBody: string | Buffer;
  headers: Record<string, string | undefined>;
}

/** verify → (confirm) → converge: observe, probe all, apply, read back and probe again, for every trigger. */
export class FailoverEngine {
  private readonly replay: ReplayCache;
  private readonly order = new ClaimOrder();
  private readonly queue = new MirrorQueue<Job, Reply>();

  constructor(private readonly deps: EngineDeps) {
    this.replay = new ReplayCache(deps.config.toleranceSeconds * 2);
  }

  private now(): number {
    return (this.deps.nowMs ?? Date.now)();
  }

  /** Handle a signed became-primary request. Every rejection makes no cloud call at all. */
  async handleEvent(req: SignedRequest): Promise<Reply> {
    const log = new CallLog();
    let eventId: string | undefined;
    try {
      const nowSeconds = this.now() / 1000;
      const v = verifyRequest({
        rawBody: req.rawBody,
        headers: req.headers,
        nowSeconds,
        keys: this.deps.keys,
        toleranceSeconds: this.deps.config.toleranceSeconds,
      });
      eventId = v.event.eventId;
      const mirror = this.mirror(v.event.mirror);
      const member = v.event.member;
      this.requireMember(mirror, member);
      if (v.key.mirror !== mirror.name || v.key.member !== member) {
        throw new VerificationError('key_not_for_member', `key ${v.key.id} does not belong to ${member}`, 403);
      }
      const seen = this.replay.claim<Reply>(member, eventId, nowSeconds);
      // a resend while the first attempt still runs (the sender's attempt timed out) gets that attempt's answer
      if (seen.kind === 'in-flight') return await seen.pending;
      if (seen.kind === 'settled') {
        // The earlier answer goes back with the refusal: a sender whose first answer was lost learns what happened.
        throw new DecisionError('replayed_event', `event ${eventId} was already received`, 409, {
          original: seen.answer,
        });
      }
      const claim: Claim = { member, eventId, timestamp: v.timestamp, receivedAt: nowSeconds };
      const pending = this.claimed(mirror, claim, log);
      this.replay.track(member, eventId, pending);
      const reply = await pending;
      if (reply.status >= 500) this.replay.release(member, eventId);
      else
        this.replay.settle(member, eventId, {
          status: reply.status,
          outcome: reply.result.outcome,
          to: reply.result.to,
        });
      return reply;
    } catch (e: unknown) {
      return this.finish(log, 'event', asMirrorVipError(e), { eventId });
    }
  }

  /** Wait (outside the queue) for the claimant to answer primary, then converge in the mirror's queue. */
  private async claimed(mirror: MirrorConfig, claim: Claim, log: CallLog): Promise<Reply> {
    // the pause state is read while the claimant is confirmed and the bindings are read: no round trip of its own
    const pause = timedRead(
      () => this.readPause(mirror.name),
      (e: unknown) => {
        this.unreadablePause(mirror.name, e);
        return false;
      },
    );
    if (mirror.health.enabled && mirror.health.confirmWindowMs > 0) {
      const probes = await confirmClaimant(mirror, claim.member, this.deps.probe ?? probeMember);
      if (probes[claim.member] !== 'primary') {
        const e = refusedClaim(claim.member, probes);
        return this.finish(log, 'event', e, { mirror: mirror.name, eventId: claim.eventId, probes });
      }
    }
    // a claimant that answered primary is likely to be the target: read the bindings while probing the others
    const overlap = mirror.health.enabled && mirror.health.confirmWindowMs > 0;
    return this.enqueue(mirror, { claim, trigger: 'event', log, early: { overlap, pause } });
  }

  /** Reconcile one mirror (by name) or all: move each VIP to the single member that answers primary. */
  async reconcile(trigger: Trigger, mirrorName?: string): Promise<Reply[]> {
    if (mirrorName !== undefined) return [await this.reconcileOne(trigger, mirrorName)];
    const { mirrors, deadlineMs } = this.deps.config;
    // the whole deployment: one read per region for all mirrors, not one per mirror (providers that can)
    const snapshots = startSnapshots(mirrors, this.deps.providerFor, deadlineMs, this.deps.retry ?? DEFAULT_RETRY);
    return Promise.all(mirrors.map((m) => this.reconcileOne(trigger, m.name, snapshots.get(m.name))));
  }

  private async reconcileOne(trigger: Trigger, name: string, snapshot?: Promise<unknown>): Promise<Reply> {
    try {
      const mirror = this.mirror(name);
      return await this.enqueue(mirror, { claim: null, trigger, log: new CallLog(), early: { snapshot } });
    } catch (e: unknown) {
      return this.finish(new CallLog(), trigger, asMirrorVipError(e), { mirror: name });
    }
  }

  /** The plan that a move to `to` would execute now, without executing it (observe only). */
  async plan(mirrorName: string, to: string): Promise<Reply> {
    const log = new CallLog();
    try {
      const mirror = this.mirror(mirrorName);
      this.requireMember(mirror, to);
      const ctx = createCallContext(
        log,
        mirror.deadlineMs ?? this.deps.config.deadlineMs,
        this.deps.retry ?? DEFAULT_RETRY,
      );
      const observed = await this.deps.providerFor(mirror).observe(mirror, ctx);
      const plan = computePlan(mirror.name, to, observed);
      const from = currentHolder(observed);
      return this.reply(log, {
        ok: true,
        outcome: 'planned',
        trigger: 'manual',
        mirror: mirror.name,
        from,
        to,
        plan: plan.changes,
        warnings: plan.warnings,
      });
    } catch (e: unknown) {
      return this.finish(log, 'manual', asMirrorVipError(e), { mirror: mirrorName });
    }
  }

  private mirror(name: string): MirrorConfig {
    const m = this.deps.config.mirrors.find((x) => x.name === name);
    if (!m) throw new DecisionError('unknown_mirror', `mirror ${name} is not configured`, 404);
    return m;
  }

  private requireMember(mirror: MirrorConfig, member: string): void {
    if (!mirror.members.some((m) => m.name === member)) {
      throw new DecisionError('unknown_member', `${member} is not a member of ${mirror.name}`, 404);
    }
  }

  /** True while this instance has a convergence of `mirror` running or waiting. */
  busy(mirror: string): boolean {
    return this.queue.depth(mirror) > 0;
  }

  /**
   * One convergence at a time per mirror within this instance (other instances are the probes' business). With
   * probes on, a request joins the convergence that has not started yet: at most one runs and one waits, so a flood
   * of events cannot put a genuine one behind more than one convergence. Probes off: the claim is the target, so
   * each request gets its own convergence, in order.
   */
  private enqueue(mirror: MirrorConfig, job: Job): Promise<Reply> {
    return this.queue.submit(mirror.name, job, mirror.health.enabled, (jobs) => this.convergeBatch(mirror, jobs));
  }

  /** Converge once for every request in the batch; each gets its own answer. */
  private async convergeBatch(mirror: MirrorConfig, jobs: Job[]): Promise<Reply[]> {
    const shared = jobs.length === 1 ? (jobs[0] as Job).log : new CallLog();
    // what a lone request started early (the pause read, the deployment's snapshot) serves its convergence
    const early = jobs.length === 1 ? (jobs[0] as Job).early : undefined;
    // an overlapped event's early pause read runs alongside its first look (converge.ts); otherwise it gates it
    const earlyPause = early?.overlap ? early.pause : undefined;
    if (!earlyPause) {
      const paused = await this.isPaused(mirror.name, shared, jobs, early?.pause?.value);
      if (paused) return paused;
    }
    const claims = latestPerMember(jobs);
    const p: Progress = await convergeMirror({
      mirror,
      claim: claims[0] ?? null,
      claims: claims.slice(1),
      alsoReconcile: jobs.some((j) => j.claim === null),
      paused: this.deps.pause && (() => (this.deps.pause as (m: string) => Promise<boolean>)(mirror.name)),
      earlyPause,
      probe: this.deps.probe ?? probeMember,
      provider: this.deps.providerFor(mirror),
      order: this.order,
      ctx: createCallContext(
        shared,
        mirror.deadlineMs ?? this.deps.config.deadlineMs,
        this.deps.retry ?? DEFAULT_RETRY,
      ),
      overlap: jobs.some((j) => j.early?.overlap),
      snapshot: early?.snapshot,
    });
    const acted = p.claim?.member ?? (claims.length === 1 ? claims[0]?.member : undefined);
    let notify = true;
    return Promise.all(
      jobs.map((j) => {
        const refusal = j.claim && j.claim.member !== acted ? refusalOf(p, j.claim) : undefined;
        if (refusal)
          return this.finish(j.log, j.trigger, refusal, {
            mirror: mirror.name,
            eventId: j.claim?.eventId,
            probes: p.probes,
          });
        const reply = this.converged(mirror, j, p, shared, notify);
        notify = false; // one notification per convergence, however many requests it answered
        return reply;
      }),
    );
  }

  private converged(mirror: MirrorConfig, job: Job, p: Progress, log: CallLog, notify: boolean): Promise<Reply> {
    const { claim, trigger } = job;
    const common = {
      mirror: mirror.name,
      eventId: claim?.eventId,
      from: p.from,
      to: p.to,
      probes: p.probes,
      slots: slotSummary(p),
      rounds: p.rounds,
    };
    if (p.error) return this.finish(log, trigger, p.error, common, notify);
    if (p.stoppedByPause) {
      const warnings = [
        p.wrote
          ? 'moves were paused by an operator before this write round: later rounds were not made'
          : 'moves are paused by an operator',
      ];
      return this.reply(log, { ok: true, outcome: 'paused', trigger, ...common, warnings }, undefined, notify);
    }
    if (claim && !mirror.health.enabled) this.order.accept(mirror.name, claim, this.now() / 1000);
    const outcome = p.wrote ? 'moved' : 'unchanged';
    return this.reply(
      log,
      { ok: true, outcome, trigger, ...common, plan: p.plan, warnings: p.warnings },
      undefined,
      notify,
    );
  }

  /** A paused mirror (operator maintenance) gets a reported `paused` answer and no cloud call; an unreadable pause state does not block a failover. */
  private async isPaused(
    mirror: string,
    log: CallLog,
    jobs: Job[],
    read = this.readPause(mirror),
  ): Promise<Reply[] | null> {
    if (!this.deps.pause) return null;
    try {
      if (!(await read)) return null;
    } catch (e: unknown) {
      this.unreadablePause(mirror, e);
      return null;
    }
    const warnings = ['moves are paused by an operator'];
    return Promise.all(
      jobs.map(({ trigger, claim }) =>
        this.reply(log, { ok: true, outcome: 'paused', trigger, mirror, eventId: claim?.eventId, warnings }),
      ),
    );
  }

  private unreadablePause(mirror: string, e: unknown): void {
    this.deps.log?.({
      level: 'warn',
      msg: 'pause state unreadable; converging as if not paused',
      mirror,
      error: String(e),
    });
  }

  /** The pause state of a mirror (false without a pause store); a failed read rejects. */
  private async readPause(mirror: string): Promise<boolean> {
    return this.deps.pause ? this.deps.pause(mirror) : false;
  }

  private finish(
    log: CallLog,
    trigger: Trigger,
    e: MirrorVipError,
    extra: Partial<FailoverResult>,
    notify = true,
  ): Promise<Reply> {
    // once anything was written, an unfinished convergence is a failure, whatever stopped it
    const rejected = log.writes === 0 && (e instanceof DecisionError || e.status < 500);
    const probes = (e.detail?.probes as FailoverResult['probes']) ?? extra.probes;
    const original = e.detail?.original as FailoverResult['original'];
    const draft: ResultDraft = {
      ok: false,
      outcome: rejected ? 'rejected' : 'failed',
      trigger,
      ...extra,
      probes,
      original,
      error: publicError(e),
      warnings: [],
    };
    return this.reply(log, draft, e, notify);
  }

  private async reply(log: CallLog, draft: ResultDraft, e?: MirrorVipError, notify = true): Promise<Reply> {
    const result: FailoverResult = { ...draft, ...callFigures(log) };
    this.deps.log?.({
      level: result.ok ? 'info' : result.outcome === 'failed' ? 'error' : 'warn',
      msg: 'mirror-vip decision',
      ...result,
      ...(e && !e.expose ? { errorDetail: e.message } : {}),
      ...(e?.detail ? { errorContext: e.detail } : {}),
    });
    if (notify && this.deps.notify && (result.outcome === 'moved' || result.outcome === 'failed')) {
      // Awaited: a Lambda is frozen once it returns, so a publish left running might never be sent.
      await this.deps.notify(result).catch((err: unknown) =>
        this.deps.log?.({
          level: 'error',
          msg: 'outcome notification failed',
          error: String(err),
          mirror: result.mirror,
        }),
      );
    }
    const retryAfter = e?.detail?.retryAfterSeconds;
    const reply: Reply = { status: statusOf(result, e), result };
    if (typeof retryAfter === 'number') reply.retryAfterSeconds = retryAfter;
    return reply;
  }
}
