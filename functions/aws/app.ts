import type { CheckReport, ScheduledCheckDeps } from '../../shared/core/check.ts';
import { checkRunner } from '../../shared/core/check-schedule.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import type { PauseStore } from '../../shared/core/operator.ts';
import { type FailoverResult, publicError, rejectedResult } from '../../shared/core/result.ts';
import { asMirrorVipError } from '../../shared/errors.ts';
import { MAX_BODY_BYTES } from '../../shared/protocol/event.ts';
import { OPERATOR_PATH } from '../../shared/protocol/operator.ts';
import { classifyAwsEvent } from './aws-events.ts';
import { awsOperator, awsPauses } from './aws-operator.ts';
import { createAwsEngine } from './aws-runtime.ts';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const json = (statusCode: number, body: unknown, retryAfter?: number): HttpResponse => ({
  statusCode,
  headers: {
    'content-type': 'application/json',
    ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
  },
  body: JSON.stringify(body),
});

const refusal = (status: number, code: string, message: string) => json(status, rejectedResult(code, message));

type Answer = { results: FailoverResult[] } | { check: CheckReport };

/**
 * Build the Lambda handler: function URL → signed event; SNS alarm → reconcile its mirror; schedule → reconcile all;
 * {"mirrorVip":"check"} → the preflight. `notifyCheck` replaces the SNS publish of a failing check (tests).
 */
export async function createAwsHandler(
  env: Record<string, string | undefined>,
  extra: Partial<EngineDeps> & { pauseStore?: PauseStore; notifyCheck?: ScheduledCheckDeps['notify'] } = {},
) {
  const pauses = awsPauses(env, extra);
  const { config, engine, providerFor, publish } = await createAwsEngine(env, { ...pauses.deps, ...extra });
  const operator = await awsOperator(env, config, engine, pauses.store, extra);
  const log = extra.log ?? ((l: Record<string, unknown>) => console.log(JSON.stringify(l)));
  const checks = checkRunner({ config, providerFor, notify: extra.notifyCheck ?? publish, log });
  const route = async (event: unknown): Promise<HttpResponse | Answer> => {
    const t = classifyAwsEvent(config, event, MAX_BODY_BYTES);
    if (t.kind === 'bad') return refusal(400, t.code, t.message);
    if (t.kind === 'http') {
      if (t.method !== 'POST') return refusal(405, 'method_not_allowed', 'use POST');
      if (operator && (event as { rawPath?: string }).rawPath === OPERATOR_PATH) {
        const r = await operator({ rawBody: t.body, headers: t.headers });
        return json(r.status, r.body);
      }
      const { status, result, retryAfterSeconds } = await engine.handleEvent({ rawBody: t.body, headers: t.headers });
      return json(status, result, retryAfterSeconds);
    }
    if (t.kind === 'check') return { check: await checks.scheduled() };
    // the cold-start check runs on the instance's first asynchronous invocation: a member's event never waits for it
    const coldStart = checks.coldStart();
    if (t.kind === 'alarm') {
      const mirrors = [...new Set(t.alarms.map((a) => a.mirror ?? `(unnamed alarm ${a.name})`))];
      const replies = await Promise.all(mirrors.map((m) => engine.reconcile('alarm', m)));
      await coldStart;
      return { results: replies.flat().map((r) => r.result) };
    }
    if (t.kind === 'schedule') {
      const results = (await engine.reconcile('schedule')).map((r) => r.result);
      await coldStart;
      return { results };
    }
    return refusal(400, 'unknown_event', 'event is neither a function URL request, an SNS alarm nor a schedule');
  };
  // every event, of any shape, gets a typed answer: nothing is thrown out of the handler
  return async (event: unknown): Promise<HttpResponse | Answer> => {
    try {
      return await route(event);
    } catch (e: unknown) {
      const err = asMirrorVipError(e);
      console.log(JSON.stringify({ level: 'error', msg: 'mirror-vip handler fault', error: err.message }));
      return json(err.status, { ok: false, error: publicError(err) });
    }
  };
}
