import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { Config } from '../../shared/config/schema.ts';
import type { CheckReport } from '../../shared/core/check.ts';
import { checkRunner } from '../../shared/core/check-schedule.ts';
import type { EngineDeps, FailoverEngine, SignedRequest } from '../../shared/core/engine.ts';
import type { OperatorReply } from '../../shared/core/operator.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { MAX_BODY_BYTES } from '../../shared/protocol/event.ts';
import { OPERATOR_PATH } from '../../shared/protocol/operator.ts';
import type { NetworkApi } from '../../shared/providers/azure/network-api.ts';
import { classifyAlert, MAX_ALERT_BYTES } from './azure-events.ts';
import { createAzureEngine } from './azure-runtime.ts';

/** The function names of the deployed app (also its routes: /api/<name>). */
export const FUNCTION_NAMES = {
  http: 'mirrorVip',
  alert: 'mirrorVipAlert',
  timer: 'mirrorVipSchedule',
  check: 'mirrorVipCheck',
  operator: 'mirrorVipOperator',
} as const;
/** The operator function's route: <function URL>/operator, as on the other clouds (/api/mirrorVip/operator). */
export const OPERATOR_ROUTE = `${FUNCTION_NAMES.http}${OPERATOR_PATH}`;
/** Every minute, as the other clouds' schedules (NCRONTAB with seconds). */
export const TIMER_SCHEDULE = '0 */1 * * * *';
/** The app setting holding the preflight check's NCRONTAB schedule (terraform/azure/check.tf; hourly by default). */
export const CHECK_SCHEDULE_SETTING = 'MIRROR_VIP_CHECK_SCHEDULE';
/** The check timer's schedule: an app-setting expression the Functions host resolves at start. */
export const CHECK_SCHEDULE = `%${CHECK_SCHEDULE_SETTING}%`;

type Checks = { scheduled(): Promise<CheckReport>; coldStart(): Promise<void> };

/** Read at most `cap` bytes of the body: enough to verify it, or to know it is too large (never all of a huge one). */
export async function readCapped(req: HttpRequest, cap: number): Promise<Buffer> {
  if (!req.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = req.body.getReader();
  while (size <= cap) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, cap + 1);
}

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body });

/** HTTP trigger: a signed became-primary event, verified over the raw bytes of the body. */
export function httpHandler(engine: FailoverEngine) {
  return async (req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> => {
    if (req.method !== 'POST') {
      return {
        ...json(405, { ok: false, error: { code: 'method_not_allowed', message: 'use POST' } }),
        headers: { allow: 'POST' },
      };
    }
    const rawBody = await readCapped(req, MAX_BODY_BYTES);
    const headers = Object.fromEntries(req.headers.entries());
    const { status, result } = await engine.handleEvent({ rawBody, headers });
    return json(status, result);
  };
}

/** Operator requests (inspect, reconcile, pause), signed with an operator key; 404 when none is configured. */
export function operatorHandler(operator: ((req: SignedRequest) => Promise<OperatorReply>) | undefined) {
  return async (req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> => {
    if (!operator)
      return json(404, { ok: false, error: { code: 'no_operator_keys', message: 'no operator key is configured' } });
    if (req.method !== 'POST')
      return {
        ...json(405, { ok: false, error: { code: 'method_not_allowed', message: 'use POST' } }),
        headers: { allow: 'POST' },
      };
    const rawBody = await readCapped(req, MAX_BODY_BYTES);
    const r = await operator({ rawBody, headers: Object.fromEntries(req.headers.entries()) });
    return json(r.status, r.body);
  };
}

/** Action group webhook (common alert schema): reconcile the mirror the alert names; anything else is ignored. */
export function alertHandler(
  config: Config,
  engine: FailoverEngine,
  log: (l: Record<string, unknown>) => void,
  checks?: Checks,
) {
  return async (req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> => {
    const raw = await readCapped(req, MAX_ALERT_BYTES);
    if (raw.length > MAX_ALERT_BYTES)
      return json(413, {
        ok: false,
        error: { code: 'body_too_large', message: `alert bodies are limited to ${MAX_ALERT_BYTES} bytes` },
      });
    const t = classifyAlert(config, raw.toString('utf8'));
    if (t.kind === 'unknown') {
      // answered 200: the action group retries non-2xx answers, and a body it cannot fix will not improve
      log({ level: 'warn', msg: 'mirror-vip ignored an alert webhook', reason: t.reason });
      return json(200, { results: [], ignored: t.reason });
    }
    const name = t.mirror ?? `(alert rule ${t.rule} matches no mirror)`;
    // an alert about a configured mirror also runs the instance's cold-start check (one about nothing calls nothing)
    const coldStart = t.mirror ? checks?.coldStart() : undefined;
    const results: FailoverResult[] = (await engine.reconcile('alarm', name)).map((r) => r.result);
    await coldStart;
    return json(200, { results });
  };
}

/** Timer trigger: reconcile every mirror; the instance's cold-start check runs beside its first one. */
export function timerHandler(engine: FailoverEngine, checks?: Checks) {
  return async (_timer: Timer, _ctx: InvocationContext): Promise<{ results: FailoverResult[] }> => {
    const coldStart = checks?.coldStart();
    const results = (await engine.reconcile('schedule')).map((r) => r.result);
    await coldStart;
    return { results };
  };
}

/** The check's timer: the preflight of every mirror, one structured log line (the alert of check.tf counts it). */
export function checkTimerHandler(checks: Checks) {
  return async (_timer: Timer, _ctx: InvocationContext): Promise<{ check: CheckReport }> => ({
    check: await checks.scheduled(),
  });
}

/** Build the three handlers once per instance (cold start): configuration, keys, engine; the ARM client lazily. */
export async function createAzureFunctions(
  env: Record<string, string | undefined>,
  extra: Partial<EngineDeps> & { networkApi?: NetworkApi; ca?: string } = {},
) {
  const { config, engine, log, operator, providerFor } = await createAzureEngine(env, extra);
  // a failing check's notification is its log line: Application Insights → the scheduled query alert of
  // terraform/azure/check.tf → the mirror's action group (the function holds no mail or webhook client)
  const checks = checkRunner({ config, providerFor, log });
  return {
    config,
    mirrorVip: httpHandler(engine),
    mirrorVipOperator: operatorHandler(operator),
    mirrorVipAlert: alertHandler(config, engine, log, checks),
    mirrorVipSchedule: timerHandler(engine, checks),
    mirrorVipCheck: checkTimerHandler(checks),
  };
}
