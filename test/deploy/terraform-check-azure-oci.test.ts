import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { CHECK_SCHEDULE, CHECK_SCHEDULE_SETTING } from '../../functions/azure/app.ts';
import { CHECK_KIND } from '../../functions/oci/oci-events.ts';
import { CHECK_FAILED_MSG } from '../../shared/core/check.ts';
import { AZURE_CHECK_ACTIONS_BY_CALL } from '../../shared/providers/azure/network-api.ts';
import { ref } from '../support/terraform.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = Record<string, Json>;
interface Parsed {
  variable: Record<string, Block[]>;
  locals?: Block[];
  resource: Record<string, Record<string, Block[]>>;
}
const root = fileURLToPath(new URL('../../', import.meta.url));
const load = async (file: string) => (await parse(file, readFileSync(join(root, file), 'utf8'))) as unknown as Parsed;
const one = (tf: Parsed, type: string, name: string) => tf.resource[type]?.[name]?.[0] as Block;
const first = (v: Json | undefined) => (Array.isArray(v) ? (v[0] as Block) : (v as Block));
/** The log line a failing check writes, as Application Insights and OCI Logging keep it (one JSON line). */
const failedLine = JSON.stringify({
  level: 'error',
  msg: CHECK_FAILED_MSG,
  trigger: 'schedule',
  fail: 1,
  actionable: true,
});

describe('terraform/azure/check.tf', () => {
  it('runs the check hourly by default through the timer app setting the function reads', async () => {
    const tf = await load('terraform/azure/check.tf');
    expect(tf.variable.check_schedule?.[0]?.default).toBe('0 0 * * * *');
    expect(CHECK_SCHEDULE).toBe(`%${CHECK_SCHEDULE_SETTING}%`);
    const settings = tf.locals?.[0]?.check_settings as Block;
    expect(settings[CHECK_SCHEDULE_SETTING]).toBe(ref('var.check_schedule'));
    expect(settings.APPLICATIONINSIGHTS_CONNECTION_STRING).toContain('azurerm_application_insights.function');
    // the function app's settings carry them (main.tf merges local.check_settings)
    expect(readFileSync(join(root, 'terraform/azure/main.tf'), 'utf8')).toMatch(/^\s+local\.check_settings,$/m);
  });

  it('alerts an action group of people when the failed-check line appears, and its query matches that line', async () => {
    const tf = await load('terraform/azure/check.tf');
    const alert = one(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2', 'check_failed');
    const criteria = first(alert.criteria);
    expect(criteria).toMatchObject({ time_aggregation_method: 'Count', threshold: 0, operator: 'GreaterThan' });
    const needle = /has '(.+)'/.exec(String(criteria.query))?.[1] ?? '(none)';
    expect(failedLine).toContain(needle);
    expect(JSON.stringify({ msg: 'mirror-vip check passed' })).not.toContain(needle);
    expect(first(alert.action).action_groups).toEqual([ref('azurerm_monitor_action_group.check.id')]);
    expect(one(tf, 'azurerm_monitor_action_group', 'check').short_name).toMatch(/^.{1,12}$/);
  });

  it('grants exactly the reads the check adds, on the subnet and public IP scopes', async () => {
    const tf = await load('terraform/azure/check.tf');
    const actions = tf.locals?.[0]?.check_actions as Record<string, string[]>;
    const want = Object.fromEntries(
      Object.values(AZURE_CHECK_ACTIONS_BY_CALL)
        .flatMap((c) => Object.entries(c))
        .map(([scope, a]) => [scope, [...a]]),
    );
    expect(actions).toEqual(want);
  });
});

describe('terraform/oci/check.tf', () => {
  it('invokes the function hourly by default with the check request, and lets that schedule invoke it', async () => {
    const tf = await load('terraform/oci/check.tf');
    expect(tf.variable.check_cron?.[0]?.default).toBe('0 * * * *');
    const schedule = one(tf, 'oci_resource_scheduler_schedule', 'check');
    const body = first(first(schedule.resources).parameters).value;
    // a list of one JSON document, as the provider's schema wants (the reconcile schedule's value too)
    expect(body).toEqual([ref('jsonencode({ kind = "mirror-vip.check" })')]);
    expect(CHECK_KIND).toBe('mirror-vip.check');
    const policy = JSON.stringify(one(tf, 'oci_identity_policy', 'check_invoker').statements);
    expect(policy).toContain('oci_resource_scheduler_schedule.check.id');
  });

  it('turns actionable failed-check log lines into a metric, the metric into an alarm, the alarm into a topic', async () => {
    const tf = await load('terraform/oci/check.tf');
    const sch = one(tf, 'oci_sch_service_connector', 'check_failed');
    const condition = String(first(sch.tasks).condition);
    // each quoted wildcard pattern of the rule matches the failed line
    for (const [, pattern] of condition.matchAll(/data\.message = '\*(.+?)\*'/g)) expect(failedLine).toContain(pattern);
    expect(condition).toContain('"actionable":true');
    const target = first(sch.target);
    const alarm = one(tf, 'oci_monitoring_alarm', 'check_failed');
    expect(alarm.namespace).toBe(target.metric_namespace);
    expect(String(alarm.query)).toMatch(new RegExp(`^${target.metric}\\[1h\\]\\.count\\(\\) > 0$`));
    expect(alarm.destinations).toEqual([ref('oci_ons_notification_topic.check.id')]);
    expect(first(first(one(tf, 'oci_logging_log', 'function_invoke').configuration).source)).toMatchObject({
      service: 'functions',
      category: 'invoke',
    });
  });
});
