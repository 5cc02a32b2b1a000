import type { Config, MirrorConfig } from '../config/schema.ts';
import { asMirrorVipError, DecisionError, RequestError } from '../errors.ts';
import { EVERY_MIRROR, type OperatorRequest, verifyOperatorRequest } from '../protocol/operator.ts';
import type { VerificationKey } from '../protocol/verify.ts';
import type { Provider } from '../providers/types.ts';
import { CallLog } from './calls.ts';
import { runChecks } from './check.ts';
import type { FailoverEngine, SignedRequest } from './engine.ts';
import { type Probe, probeMember } from './health.ts';
import { currentHolder, pointsAt } from './plan.ts';
import { createCallContext } from './retry.ts';

/**
 * Where a mirror's maintenance pause lives, shared by every function instance: AWS SSM Parameter Store
 * (shared/providers/aws/pause-ssm.ts); GCP, Azure, OCI one secret per mirror (shared/config/paused.ts).
 */
export interface PauseStore {
  get(mirror: string): Promise<PauseState | null>;
  set(mirror: string, state: PauseState): Promise<void>;
  /** `by`: who resumed and when (a store that keeps history records it). */
  clear(mirror: string, by?: { by: string; since: string }): Promise<void>;
}
export interface PauseState {
  by: string;
  since: string;
  reason?: string;
}

export interface OperatorDeps {
  config: Config;
  engine: FailoverEngine;
  operatorKeys: ReadonlyMap<string, VerificationKey>;
  providerFor: (mirror: MirrorConfig) => Provider;
  pauses?: PauseStore;
  probe?: Probe;
  nowMs?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

export interface OperatorReply {
  status: number;
  body: Record<string, unknown>;
}

/** The engine's `pause` dependency: a failing store never blocks a failover (logged, treated as not paused). */
export function pauseCheck(store: PauseStore, log?: (l: Record<string, unknown>) => void) {
  return async (mirror: string): Promise<boolean> => {
    try {
      return (await store.get(mirror)) !== null;
    } catch (e: unknown) {
      log?.({ level: 'error', msg: 'mirror-vip pause store unreadable: not paused', mirror, error: String(e) });
      return false;
    }
  };
}

/**
 * A function's operator endpoint: one replay set per instance, or undefined when no operator key is configured (the
 * entry then answers the operator path like any unknown request).
 */
export function operatorEndpoint(deps: OperatorDeps): ((req: SignedRequest) => Promise<OperatorReply>) | undefined {
  if (deps.operatorKeys.size === 0) return undefined;
  const seen = new Set<string>();
  return (req) => handleOperator(deps, req, seen);
}

/** Handle one signed operator request: inspect or check (read-only), reconcile now, pause or resume one mirror. */
export async function handleOperator(
  deps: OperatorDeps,
  req: SignedRequest,
  seen: Set<string>,
): Promise<OperatorReply> {
  try {
    const now = (deps.nowMs ?? Date.now)();
    const { request, keyId } = verifyOperatorRequest({
      rawBody: req.rawBody,
      headers: req.headers,
      nowSeconds: now / 1000,
      operatorKeys: deps.operatorKeys,
      toleranceSeconds: deps.config.toleranceSeconds,
    });
    if (seen.has(request.requestId))
      throw new DecisionError('replayed_request', `request ${request.requestId} was already received`);
    if (seen.size >= 1000) seen.delete(seen.values().next().value as string);
    seen.add(request.requestId);
    if (request.action === 'check') {
      const report = await runChecks(deps.config, deps.providerFor, { mirror: request.mirror });
      logDone(deps, request, keyId);
      return { status: 200, body: { ok: true, action: 'check', mirror: request.mirror, report } };
    }
    if (request.mirror === EVERY_MIRROR)
      throw new RequestError('invalid_request', `mirror '${EVERY_MIRROR}' (every mirror) is for the action check only`);
    const mirror = deps.config.mirrors.find((m) => m.name === request.mirror);
    if (!mirror) throw new DecisionError('unknown_mirror', `mirror ${request.mirror} is not configured`, 404);
    const body = await act(deps, mirror, request, keyId, now);
    logDone(deps, request, keyId);
    return { status: 200, body: { ok: true, action: request.action, mirror: mirror.name, ...body } };
  } catch (e: unknown) {
    const err = asMirrorVipError(e);
    const status = err.status ?? 500;
    const message = err.expose ? err.message : 'internal error';
    deps.log?.({
      level: status >= 500 ? 'error' : 'warn',
      msg: 'mirror-vip operator request refused',
      code: err.code,
      error: err.message,
    });
    return { status, body: { ok: false, error: { code: err.code, message } } };
  }
}

function logDone(deps: OperatorDeps, r: OperatorRequest, keyId: string) {
  deps.log?.({
    level: 'info',
    msg: 'mirror-vip operator request',
    action: r.action,
    mirror: r.mirror,
    keyId,
    requestId: r.requestId,
  });
}

async function act(deps: OperatorDeps, mirror: MirrorConfig, r: OperatorRequest, keyId: string, now: number) {
  if (r.action === 'inspect') return inspect(deps, mirror);
  if (r.action === 'reconcile') {
    const [reply] = await deps.engine.reconcile('manual', mirror.name);
    return { result: reply?.result };
  }
  if (!deps.pauses)
    throw new DecisionError('pause_not_supported', 'this function has no pause store (see docs/runbooks.md)', 501);
  if (r.action === 'pause') {
    const state: PauseState = {
      by: keyId,
      since: new Date(now).toISOString(),
      ...(r.reason ? { reason: r.reason } : {}),
    };
    await deps.pauses.set(mirror.name, state);
    return { paused: state };
  }
  if (r.action !== 'resume') throw new RequestError('invalid_request', `action ${r.action} takes no single mirror`);
  await deps.pauses.clear(mirror.name, { by: keyId, since: new Date(now).toISOString() });
  return { paused: null };
}

/** Bindings and probes as the function sees them: observe and probe only, never a write. */
async function inspect(deps: OperatorDeps, mirror: MirrorConfig) {
  const ctx = createCallContext(new CallLog(), deps.config.deadlineMs);
  const probe = deps.probe ?? probeMember;
  const [observed, probes, paused] = await Promise.all([
    deps.providerFor(mirror).observe(mirror, ctx),
    Promise.all(mirror.members.map(async (m) => [m.name, await probe(m.healthUrl, mirror.health.timeoutMs)] as const)),
    // an unreadable pause store is reported, not an error: inspect must work when something is wrong
    (deps.pauses?.get(mirror.name) ?? Promise.resolve(null)).catch((e: unknown) => ({ unreadable: String(e) })),
  ]);
  return {
    holder: currentHolder(observed),
    bindings: observed.bindings.map((b) => ({ ...b, pointsAt: pointsAt(b) })),
    probes: Object.fromEntries(
      probes.map(([n, p]) => [n, { role: p.role, status: p.status, detail: p.detail, ms: Math.round(p.ms) }]),
    ),
    paused,
  };
}
