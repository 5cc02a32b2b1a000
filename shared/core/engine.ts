import type { Config, MirrorConfig } from '../config/schema.ts';
import {
  asMirrorVipError,
  ConvergenceError,
  DecisionError,
  type MirrorVipError,
  VerificationError,
} from '../errors.ts';
import { ReplayCache } from '../protocol/replay-cache.ts';
import { type VerificationKey, verifyRequest } from '../protocol/verify.ts';
import type { Provider } from '../providers/types.ts';
import { CallLog } from './calls.ts';
import { type Claim, ClaimHistory, type Decision, decideTarget } from './decide.ts';
import { type Probe, probeMember } from './health.ts';
import { computePlan, currentHolder, hasChanges } from './plan.ts';
import { callFigures, type FailoverResult, publicError, type ResultDraft, statusOf, type Trigger } from './result.ts';
import { createCallContext, DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

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
}

export interface SignedRequest {
  rawBody: string | Buffer;
  headers: Record<string, string | undefined>;
}

/** verify → decide → observe → plan → apply → read back, for every trigger. */
export class FailoverEngine {
  private readonly replay: ReplayCache;
  private readonly history = new ClaimHistory();
  private readonly queues = new Map<string, Promise<unknown>>();

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
      const v = verifyRequest({
        rawBody: req.rawBody,
        headers: req.headers,
        nowSeconds: this.now() / 1000,
        keys: this.deps.keys,
        toleranceSeconds: this.deps.config.toleranceSeconds,
      });
      eventId = v.event.eventId;
      const mirror = this.mirror(v.event.mirror);
      this.requireMember(mirror, v.event.member);
      if (v.key.mirror !== mirror.name || v.key.member !== v.event.member) {
        throw new VerificationError('key_not_for_member', `key ${v.key.id} does not belong to ${v.event.member}`, 403);
      }
      if (!this.replay.claim(eventId, this.now() / 1000)) {
        // The earlier answer goes back with the refusal: a sender whose first answer was lost learns what happened.
        const original = this.replay.answerOf(eventId);
        throw new DecisionError('replayed_event', `event ${eventId} was already received`, 409, { original });
      }
      const claim: Claim = { member: v.event.member, eventId, timestamp: v.timestamp };
      const reply = await this.serialized(mirror.name, () => this.converge(mirror, claim, 'event', log));
      if (reply.status >= 500) this.replay.release(eventId);
      else this.replay.settle(eventId, { status: reply.status, outcome: reply.result.outcome, to: reply.result.to });
      return reply;
    } catch (e: unknown) {
      return this.finish(log, 'event', asMirrorVipError(e), { eventId });
    }
  }

  /** Reconcile one mirror (by name) or all: move each VIP to the single member that answers primary. */
  async reconcile(trigger: Trigger, mirrorName?: string): Promise<Reply[]> {
    if (mirrorName !== undefined) {
      try {
        const mirror = this.mirror(mirrorName);
        return [await this.serialized(mirror.name, () => this.converge(mirror, null, trigger, new CallLog()))];
      } catch (e: unknown) {
        return [await this.finish(new CallLog(), trigger, asMirrorVipError(e), { mirror: mirrorName })];
      }
    }
    return Promise.all(this.deps.config.mirrors.map((m) => this.reconcile(trigger, m.name).then((r) => r[0] as Reply)));
  }

  /** The plan that a move to `to` would execute now, without executing it (observe only). */
  async plan(mirrorName: string, to: string): Promise<Reply> {
    const log = new CallLog();
    try {
      const mirror = this.mirror(mirrorName);
      this.requireMember(mirror, to);
      const ctx = createCallContext(log, this.deps.config.deadlineMs, this.deps.retry ?? DEFAULT_RETRY);
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

  /** One move at a time per mirror within this instance, so two events cannot interleave their writes. */
  private serialized<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(mirror) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.queues.set(
      mirror,
      next.catch(() => undefined),
    );
    return next;
  }

  private async converge(mirror: MirrorConfig, claim: Claim | null, trigger: Trigger, log: CallLog): Promise<Reply> {
    const ctx = createCallContext(log, this.deps.config.deadlineMs, this.deps.retry ?? DEFAULT_RETRY);
    const base = { mirror: mirror.name, eventId: claim?.eventId };
    let decided: Pick<Decision, 'target' | 'probes'> | undefined;
    let from: string | null | undefined;
    try {
      if (await this.deps.pause?.(mirror.name)) {
        return this.reply(log, {
          ok: true,
          outcome: 'paused',
          trigger,
          ...base,
          warnings: ['moves are paused by an operator'],
        });
      }
      const decision = await decideTarget(mirror, claim, this.deps.probe ?? probeMember, this.history);
      decided = decision;
      const provider = this.deps.providerFor(mirror);
      const observed = await provider.observe(mirror, ctx);
      from = currentHolder(observed);
      const plan = computePlan(mirror.name, decision.target, observed);
      const common = {
        ...base,
        from,
        to: decision.target,
        plan: plan.changes,
        probes: decision.probes,
        warnings: plan.warnings,
      };
      if (!hasChanges(plan)) {
        if (claim) this.history.accept(mirror.name, claim);
        return this.reply(log, { ok: true, outcome: 'unchanged', trigger, ...common });
      }
      await provider.apply(mirror, plan.changes, ctx);
      const after = computePlan(mirror.name, decision.target, await provider.observe(mirror, ctx, { warnings: false }));
      if (hasChanges(after)) {
        throw new ConvergenceError('read-back still shows the VIP elsewhere', { remaining: after.changes });
      }
      if (claim) this.history.accept(mirror.name, claim);
      return this.reply(log, { ok: true, outcome: 'moved', trigger, ...common });
    } catch (e: unknown) {
      return this.finish(log, trigger, asMirrorVipError(e), {
        ...base,
        from,
        to: decided?.target,
        probes: decided?.probes,
      });
    }
  }

  private finish(log: CallLog, trigger: Trigger, e: MirrorVipError, extra: Partial<FailoverResult>): Promise<Reply> {
    const outcome = e instanceof DecisionError || e.status < 500 ? 'rejected' : 'failed';
    const probes = (e.detail?.probes as FailoverResult['probes']) ?? extra.probes;
    const original = e.detail?.original as FailoverResult['original'];
    return this.reply(
      log,
      { ok: false, outcome, trigger, ...extra, probes, original, error: publicError(e), warnings: [] },
      e,
    );
  }

  private async reply(log: CallLog, draft: ResultDraft, e?: MirrorVipError): Promise<Reply> {
    const result: FailoverResult = { ...draft, ...callFigures(log) };
    this.deps.log?.({
      level: result.ok ? 'info' : result.outcome === 'failed' ? 'error' : 'warn',
      msg: 'mirror-vip decision',
      ...result,
      ...(e && !e.expose ? { errorDetail: e.message } : {}),
      ...(e?.detail ? { errorContext: e.detail } : {}),
    });
    if (this.deps.notify && (result.outcome === 'moved' || result.outcome === 'failed')) {
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
    return { status: statusOf(result, e), result };
  }
}
