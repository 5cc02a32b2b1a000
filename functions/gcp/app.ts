import type { CloudEvent, HttpFunction, Request } from '@google-cloud/functions-framework';
import type { Config } from '../../shared/config/schema.ts';
import type { CheckReport } from '../../shared/core/check.ts';
import { checkRunner } from '../../shared/core/check-schedule.ts';
import type { EngineDeps, FailoverEngine, SignedRequest } from '../../shared/core/engine.ts';
import type { OperatorReply } from '../../shared/core/operator.ts';
import { type FailoverResult, publicError } from '../../shared/core/result.ts';
import { asMirrorVipError } from '../../shared/errors.ts';
import { OPERATOR_PATH } from '../../shared/protocol/operator.ts';
import type { ComputeApi } from '../../shared/providers/gcp/compute-api.ts';
import { installBodyGuard } from './body-guard.ts';
import { classifyGcpEvent } from './gcp-events.ts';
import { createGcpEngine } from './gcp-runtime.ts';

/** The entry points (`--target`) of the two deployed functions. */
export const FUNCTION_NAMES = { http: 'mirrorVip', events: 'mirrorVipEvents' } as const;

function headersOf(req: Request): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}

/** HTTP trigger: a signed became-primary event. The signature is checked over the raw bytes (req.rawBody). */
export function httpFunction(
  engine: FailoverEngine,
  operator?: (req: SignedRequest) => Promise<OperatorReply>,
): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res
        .status(405)
        .set('allow', 'POST')
        .json({ ok: false, error: { code: 'method_not_allowed', message: 'use POST' } });
      return;
    }
    // body-guard.ts capped the bytes before any parser ran; the verifier checks the cap again before parsing
    try {
      const signed = { rawBody: Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0), headers: headersOf(req) };
      // <function URL>/operator: an operator request (inspect, reconcile, pause), signed with an operator key
      if (operator && req.path === OPERATOR_PATH) {
        const r = await operator(signed);
        res.status(r.status).json(r.body);
        return;
      }
      const { status, result, retryAfterSeconds } = await engine.handleEvent(signed);
      if (retryAfterSeconds !== undefined) res.set('retry-after', String(retryAfterSeconds));
      res.status(status).json(result);
    } catch (e: unknown) {
      const err = asMirrorVipError(e);
      res.status(err.status).json({ ok: false, error: publicError(err) });
    }
  };
}

/**
 * Pub/Sub trigger: a Cloud Monitoring incident reconciles its mirror, a scheduled message reconciles all, a check
 * message runs the preflight. The instance's cold-start check runs here too (never on a member's HTTP event); a
 * failing check's log line is what the log-based alert of terraform/gcp/check.tf notifies on.
 */
export function eventsFunction(
  config: Config,
  engine: FailoverEngine,
  log: (line: Record<string, unknown>) => void,
  checks?: ReturnType<typeof checkRunner>,
) {
  return async (event: CloudEvent<unknown>): Promise<{ results: FailoverResult[] } | { check: CheckReport }> => {
    const t = classifyGcpEvent(config, event);
    if (t.kind === 'check' && checks) return { check: await checks.scheduled() };
    const coldStart = checks?.coldStart();
    if (t.kind === 'alert') {
      const name = t.mirror ?? `(incident ${t.incidentId} of policy ${t.policy} matches no mirror)`;
      const results = (await engine.reconcile('alarm', name)).map((r) => r.result);
      await coldStart;
      return { results };
    }
    if (t.kind === 'schedule') {
      const results = (await engine.reconcile('schedule', t.mirror)).map((r) => r.result);
      await coldStart;
      return { results };
    }
    // acknowledged, not retried: a message that cannot be understood will not improve with redelivery
    log({ level: 'warn', msg: 'mirror-vip ignored a Pub/Sub message', reason: t.kind === 'unknown' ? t.reason : 'no check runner', id: event.id });
    return { results: [] };
  };
}

/** Build both functions once per instance (cold start): configuration, keys, engine; the Compute client lazily. */
export async function createGcpFunctions(
  env: Record<string, string | undefined>,
  extra: Partial<EngineDeps> & { computeApi?: ComputeApi } = {},
) {
  installBodyGuard();
  const { config, engine, log, operator, providerFor } = await createGcpEngine(env, extra);
  const checks = checkRunner({ config, providerFor, log });
  return { mirrorVip: httpFunction(engine, operator), mirrorVipEvents: eventsFunction(config, engine, log, checks) };
}
