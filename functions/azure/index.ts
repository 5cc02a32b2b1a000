// The deployed Azure Functions (Node.js v4 programming model) entry: configuration and keys are read once, at cold
// start. The signed-event trigger is anonymous (the HMAC, the replay window and the probes are its authentication;
// a function key would add a second shared secret to every member's notifier URL). The alert webhook uses a function
// key: Azure Monitor cannot sign, and its key lives in the action group's webhook URI.
import azf from '@azure/functions';
import { CHECK_SCHEDULE, createAzureFunctions, FUNCTION_NAMES, OPERATOR_ROUTE, TIMER_SCHEDULE } from './app.ts';

export const { mirrorVip, mirrorVipAlert, mirrorVipSchedule, mirrorVipOperator, mirrorVipCheck } =
  await createAzureFunctions(process.env);
azf.app.http(FUNCTION_NAMES.http, { methods: ['POST'], authLevel: 'anonymous', handler: mirrorVip });
azf.app.http(FUNCTION_NAMES.alert, { methods: ['POST'], authLevel: 'function', handler: mirrorVipAlert });
// operator requests carry an HMAC with an operator key (as events carry a member's): anonymous at the platform
azf.app.http(FUNCTION_NAMES.operator, {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: OPERATOR_ROUTE,
  handler: mirrorVipOperator,
});
azf.app.timer(FUNCTION_NAMES.timer, { schedule: TIMER_SCHEDULE, handler: mirrorVipSchedule, runOnStartup: false });
// the preflight check on its own schedule (an app setting, hourly by default); it also runs once per cold start
azf.app.timer(FUNCTION_NAMES.check, { schedule: CHECK_SCHEDULE, handler: mirrorVipCheck, runOnStartup: false });
