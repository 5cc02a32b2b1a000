import type { Config } from '../../shared/config/schema.ts';
import { CHECK_FAILED_MSG, type CheckReport } from '../../shared/core/check.ts';
import { checkRunner } from '../../shared/core/check-schedule.ts';
import type { FailoverEngine, SignedRequest } from '../../shared/core/engine.ts';
import type { OperatorReply } from '../../shared/core/operator.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { OPERATOR_PATH } from '../../shared/protocol/operator.ts';
import type { FdkContext, FdkHandler } from './fdk-types.ts';
import { classifyOciMessage } from './oci-events.ts';
import { createOciEngine, type OciRuntimeExtra } from './oci-runtime.ts';

/** Headers as the API Gateway passed them (Fn-Http-H-*, canonical case, lists) → one value per lower-case name. */
function gatewayHeaders(ctx: FdkContext): Record<string, string> {
  return Object.fromEntries(Object.entries(ctx.httpGateway.headers).map(([k, v]) => [k.toLowerCase(), v.join(', ')]));
}

type Operator = (req: SignedRequest) => Promise<OperatorReply>;

/** A request through an API Gateway deployment: Fn sets Fn-Http-Method (and the Fn-Http-H-* headers). */
const fromGateway = (ctx: FdkContext) => Boolean(ctx.getHeader('Fn-Http-Method'));

/** The signed became-primary event from the gateway: verified over the raw body bytes, as the gateway passed them. */
async function httpEvent(engine: FailoverEngine, input: Buffer, ctx: FdkContext, operator?: Operator) {
  const gw = ctx.httpGateway;
  if (gw.method !== 'POST') {
    gw.statusCode = 405;
    gw.setResponseHeader('allow', 'POST');
    return { ok: false, error: { code: 'method_not_allowed', message: 'use POST' } };
  }
  // the gateway's /event/operator route: an operator request (inspect, reconcile, pause) signed with an operator key
  const path = new URL(gw.requestURL ?? '/', 'http://gateway').pathname;
  if (operator && path.endsWith(OPERATOR_PATH)) {
    const r = await operator({ rawBody: input, headers: gatewayHeaders(ctx) });
    gw.statusCode = r.status;
    return r.body;
  }
  const { status, result } = await engine.handleEvent({ rawBody: input, headers: gatewayHeaders(ctx) });
  gw.statusCode = status;
  return result;
}

/**
 * The one OCI Function: an API Gateway request carries a signed event; any other invocation is a Notifications
 * message (an alarm → reconcile its mirror) or a schedule's (empty, or `{"kind":"mirror-vip.reconcile"}` → all).
 */
export function ociHandler(
  config: Config,
  engine: FailoverEngine,
  log: (l: Record<string, unknown>) => void,
  operator?: Operator,
  checks?: Checks,
) {
  return async (input: Buffer, ctx: FdkContext): Promise<unknown> => {
    const body = Buffer.isBuffer(input) ? input : Buffer.from(String(input ?? ''));
    if (fromGateway(ctx)) return httpEvent(engine, body, ctx, operator);
    const t = classifyOciMessage(config, body);
    // the check's schedule: its one log line is what terraform/oci/check.tf's alarm counts
    if (t.kind === 'check') return { check: checks ? await checks.scheduled() : null };
    // the cold-start check runs beside the instance's first schedule or alarm about a mirror (a member's event
    // never waits for it; a message about nothing calls nothing)
    const known = t.kind === 'schedule' || (t.kind === 'alarm' && t.mirror !== undefined);
    const coldStart = known ? checks?.coldStart() : undefined;
    let results: FailoverResult[] = [];
    if (t.kind === 'alarm') {
      const name = t.mirror ?? `(alarm ${t.alarm} matches no mirror)`;
      results = (await engine.reconcile('alarm', name)).map((r) => r.result);
    } else if (t.kind === 'schedule') {
      results = (await engine.reconcile('schedule', t.mirror)).map((r) => r.result);
    } else {
      // answered, not retried: a message that cannot be understood will not improve with redelivery
      log({ level: 'warn', msg: 'mirror-vip ignored an invocation', reason: t.reason, callId: ctx.callID });
    }
    await coldStart;
    return { results };
  };
}

/**
 * The check's log line with `actionable`: a fail, or an error other than the write rights no read can prove
 * (oci.permission.*, always `error` on OCI). The alarm of terraform/oci/check.tf counts actionable lines only, so it
 * does not fire every hour for what the check says it cannot know.
 */
export function withActionable(line: Record<string, unknown>): Record<string, unknown> {
  if (line.msg !== CHECK_FAILED_MSG) return line;
  const bad = (line.findings as { check: string; status: string }[] | undefined) ?? [];
  const actionable = Number(line.fail) > 0 || bad.some((f) => !f.check.startsWith('oci.permission.'));
  return { ...line, actionable };
}

type Checks = { scheduled(): Promise<CheckReport>; coldStart(): Promise<void> };

/** Build the handler once per instance (cold start). */
export async function createOciFunction(
  env: Record<string, string | undefined>,
  extra: OciRuntimeExtra = {},
): Promise<FdkHandler> {
  const { config, engine, log, operator, providerFor } = await createOciEngine(env, extra);
  // a failing check's notification is its log line: the Logging → Connector Hub → Monitoring alarm → ONS topic
  // path of terraform/oci/check.tf delivers it (the function holds no Notifications client)
  const checks = checkRunner({ config, providerFor, log: (l) => log(withActionable(l)) });
  return ociHandler(config, engine, log, operator, checks);
}
