import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFiles, parse } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_KIND, RECONCILE_KIND } from '../../functions/gcp/gcp-events.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { CHECK_FAILED_MSG } from '../../shared/core/check.ts';
import { GCP_PERMISSIONS, GCP_PERMISSIONS_BY_CALL } from '../../shared/providers/gcp/compute-api.ts';
import { ref, terraformConsole, tfEnv } from '../support/terraform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const moduleDir = join(root, 'terraform/gcp');
const exampleConfigFile = join(moduleDir, 'mirror-vip.example.json');
const exampleConfig = parseConfig(readFileSync(exampleConfigFile, 'utf8'), 'example config');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = { [key: string]: Json };
interface Module {
  data: Record<string, Record<string, Block[]>>;
  resource: Record<string, Record<string, Block[]>>;
}
interface Evaluated {
  instance: string[];
  subnetwork: string[];
  project: string[];
  members: string[];
  secrets: Record<string, { project: string; secret_id: string }>;
  pause_secrets: Record<string, string>;
  pause_grants: Record<string, { mirror: string; role: string }>;
  problems: string[];
}

/** How hcl2json writes an expression: `${expr}`. */

/** Evaluate locals.tf against the real variables.tf for one set of variables, with no provider at all. */
async function evaluate(vars: Record<string, Json>): Promise<Evaluated> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-tfgcp-'));
  try {
    for (const f of ['variables.tf', 'locals.tf']) cpSync(join(moduleDir, f), join(dir, f));
    writeFileSync(join(dir, 'none.tfrc'), '');
    writeFileSync(join(dir, 'probe.auto.tfvars.json'), JSON.stringify(vars));
    const expr =
      'jsonencode({ instance = local.instance_permissions, subnetwork = local.subnetwork_permissions, project = local.project_permissions, members = keys(local.members), secrets = local.secrets, pause_secrets = local.pause_secrets, pause_grants = local.pause_grants, problems = local.config_problems })';
    const out = await terraformConsole(dir, expr);
    return JSON.parse(JSON.parse(out.trim())) as Evaluated;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The example configuration with other VIPs (and other top-level fields, e.g. operatorKeys). */
function variantConfig(dir: string, name: string, vips: Json[], top: Record<string, Json> = {}): string {
  const doc = JSON.parse(readFileSync(exampleConfigFile, 'utf8')) as { mirrors: Record<string, Json>[] };
  (doc.mirrors[0] as Record<string, Json>).vips = vips;
  Object.assign(doc, top);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Which scope each permission may be granted at, from the provider's own table. */
const scopeOf = new Map<string, Set<string>>();
for (const call of Object.values(GCP_PERMISSIONS_BY_CALL)) {
  for (const [scope, perms] of Object.entries(call)) {
    for (const p of perms) scopeOf.set(p, new Set([...(scopeOf.get(p) ?? []), scope]));
  }
}

describe('terraform/gcp', () => {
  let tf: Module;
  let scratch = '';
  let vars: Record<string, Json>;
  let example: Evaluated;
  let routeOnly: Evaluated;
  let privateOnly: Evaluated;
  let withOperators: Evaluated;

  const resources = (type: string) =>
    Object.entries(tf.resource[type] ?? {}).flatMap(([name, bs]) => bs.map((b) => ({ name, b })));
  const one = (type: string, name: string): Block => {
    const b = tf.resource[type]?.[name]?.[0];
    if (!b) throw new Error(`resource ${type}.${name} is missing`);
    return b;
  };
  /** Every resource block anywhere, with its type, for whole-module checks. */
  const everything = () =>
    Object.entries(tf.resource).flatMap(([type, byName]) =>
      Object.entries(byName).flatMap(([name, bs]) => bs.map((b) => ({ type, name, b }))),
    );

  beforeAll(async () => {
    tf = (await convertFiles(moduleDir)) as unknown as Module;
    const text = readFileSync(join(moduleDir, 'terraform.tfvars.example'), 'utf8');
    vars = {
      ...((await parse('terraform.tfvars.example', text)) as Record<string, Json>),
      config_file: exampleConfigFile,
    };
    scratch = mkdtempSync(join(tmpdir(), 'mirror-vip-tfgcpcfg-'));
    const route = { mode: 'route', cidr: '192.168.100.250/32', network: 'isc-vpc' };
    const alias = { mode: 'alias-ip', cidr: '10.0.0.250/32' };
    const operatorKeys = [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }];
    [example, routeOnly, privateOnly, withOperators] = await Promise.all([
      evaluate(vars),
      evaluate({ project: 'iris-prod-123', region: 'us-west1', config_file: variantConfig(scratch, 'route', [route]) }),
      evaluate({ ...vars, vip_is_reserved_address: false, config_file: variantConfig(scratch, 'alias', [alias]) }),
      evaluate({
        ...vars,
        secret_env: { MIRROR_VIP_OPERATOR_KEY: 'mirror-vip-ops-2026' },
        config_file: variantConfig(scratch, 'operators', [alias], { operatorKeys }),
      }),
    ]);
  }, 60_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('is formatted (terraform fmt -check -recursive)', async () => {
    writeFileSync(join(scratch, 'none.tfrc'), '');
    await expect(
      run('terraform', ['fmt', '-check', '-recursive', 'terraform/gcp'], { cwd: root, env: tfEnv(scratch) }),
    ).resolves.toBeDefined();
  });

  it('its example configuration is one the functions accept, and fits the deployment', () => {
    expect(exampleConfig.mirrors.map((m) => m.cloud)).toEqual(['gcp']);
    expect(example.problems).toEqual([]);
    expect(example.members.sort()).toEqual(['IRISMIRROR/iris-a', 'IRISMIRROR/iris-b']);
  });

  describe('the custom roles', () => {
    it('hold only permissions the provider uses (GCP_PERMISSIONS), each in a scope where the provider needs it', () => {
      for (const e of [example, routeOnly, privateOnly]) {
        for (const scope of ['instance', 'subnetwork', 'project'] as const) {
          for (const p of e[scope]) {
            expect(GCP_PERMISSIONS, p).toContain(p);
            expect([...(scopeOf.get(p) ?? [])], p).toContain(scope);
          }
        }
      }
    });

    it('hold exactly what the configured modes need', () => {
      expect(example.instance).toEqual([
        'compute.instances.addAccessConfig',
        'compute.instances.deleteAccessConfig',
        'compute.instances.get',
        'compute.instances.updateNetworkInterface',
        'compute.instances.use',
      ]);
      expect(example.subnetwork).toEqual(['compute.subnetworks.use', 'compute.subnetworks.useExternalIp']);
      expect(routeOnly.instance).toEqual(['compute.instances.get', 'compute.instances.use']);
      expect(routeOnly.subnetwork).toEqual([]);
      expect(routeOnly.project).toEqual([
        'compute.globalOperations.get',
        'compute.networks.updatePolicy',
        'compute.routes.create',
        'compute.routes.delete',
        'compute.routes.get',
        'compute.routes.list',
      ]);
      expect(privateOnly.project).toEqual(['compute.zoneOperations.get']);
      expect(privateOnly.instance).not.toContain('compute.instances.addAccessConfig');
    });

    it('are each granted once, on the narrowest resource: instances, the subnet, then the project', () => {
      const roles = Object.keys(tf.resource.google_project_iam_custom_role ?? {}).sort();
      // check_* hold the preflight's reads (check.tf), tested below
      expect(roles).toEqual(['check_project', 'check_subnetwork', 'instance', 'project', 'subnetwork']);
      const perms = (name: string) => one('google_project_iam_custom_role', name).permissions;
      expect([perms('instance'), perms('subnetwork'), perms('project')]).toEqual([
        ref('local.instance_permissions'),
        ref('local.subnetwork_permissions'),
        ref('local.project_permissions'),
      ]);
      const instance = resources('google_compute_instance_iam_member');
      expect(instance.map((r) => [r.b.for_each, r.b.role])).toEqual([
        [ref('local.members'), ref('google_project_iam_custom_role.instance.id')],
      ]);
      expect(instance[0]?.b).toMatchObject({ zone: ref('each.value.zone'), instance_name: ref('each.value.instance') });
      const subnet = resources('google_compute_subnetwork_iam_member').filter((r) => r.name !== 'check');
      expect(subnet.map((r) => r.b.role)).toEqual([ref('google_project_iam_custom_role.subnetwork[0].id')]);
      const project = resources('google_project_iam_member').filter((r) => r.name !== 'check');
      expect(project.map((r) => r.b.role)).toEqual([ref('google_project_iam_custom_role.project[0].id')]);
    });
  });

  describe('identities', () => {
    const fnSa = `serviceAccount:${ref('google_service_account.function.email')}`;

    it('grants no primitive or broad predefined role to anyone', () => {
      for (const { type, name, b } of everything()) {
        expect(String(b.role ?? ''), `${type}.${name}`).not.toMatch(/^roles\/(owner|editor|viewer|compute\.|iam\.)/);
      }
    });

    it('lets the member service account only invoke the HTTP function', () => {
      const grants = everything().filter(({ b }) => JSON.stringify(b).includes('google_service_account.member'));
      const iam = grants.filter(({ b }) => b.role !== undefined);
      expect(iam.map(({ type, name }) => `${type}.${name}`)).toEqual([
        'google_cloud_run_service_iam_member.member_invokes_http',
      ]);
      expect(iam[0]?.b).toMatchObject({
        role: 'roles/run.invoker',
        service: ref('google_cloudfunctions2_function.http.name'),
      });
    });

    it('opens the HTTP function to allUsers only when asked', () => {
      const publicHttp = one('google_cloud_run_service_iam_member', 'public_http');
      expect(publicHttp.count).toBe(ref('var.allow_unauthenticated ? 1 : 0'));
      expect(vars.allow_unauthenticated).toBe(false);
      const allUsers = everything().filter(
        ({ b }) => JSON.stringify(b).includes('allUsers') || JSON.stringify(b).includes('allAuthenticatedUsers'),
      );
      expect(allUsers.map(({ name }) => name)).toEqual(['public_http']);
    });

    it('lets only the functions read the member keys, one secret per gcp-sm key', () => {
      const accessors = everything().filter(
        ({ b }) => b.role === 'roles/secretmanager.secretAccessor' || b.role === ref('each.value.role'),
      );
      expect(accessors.map(({ name, b }) => [name, b.member, b.for_each])).toEqual([
        ['env', fnSa, ref('toset(values(var.secret_env))')],
        ['function', fnSa, ref('local.secrets')],
        ['pause', fnSa, ref('local.pause_grants')],
      ]);
      expect(example.secrets).toEqual({
        'iris-a-k1': { project: 'iris-prod-123', secret_id: 'mirror-vip-iris-a-k1' },
        'iris-b-k1': { project: 'iris-prod-123', secret_id: 'mirror-vip-iris-b-k1' },
      });
    });

    it('with operator keys: one pause secret per mirror; the function may only add a version and read it there', () => {
      expect(example.pause_secrets).toEqual({});
      expect(example.pause_grants).toEqual({});
      expect(withOperators.pause_secrets).toEqual({ IRISMIRROR: 'mirror-vip-pause-IRISMIRROR' });
      expect(Object.values(withOperators.pause_grants).sort((a, b) => a.role.localeCompare(b.role))).toEqual([
        { mirror: 'IRISMIRROR', role: 'roles/secretmanager.secretAccessor' },
        { mirror: 'IRISMIRROR', role: 'roles/secretmanager.secretVersionAdder' },
      ]);
      const secret = one('google_secret_manager_secret', 'pause');
      expect([secret.for_each, secret.secret_id, secret.project]).toEqual([
        ref('local.pause_secrets'),
        ref('each.value'),
        ref('var.project'),
      ]);
      const grant = one('google_secret_manager_secret_iam_member', 'pause');
      expect(grant).toMatchObject({
        for_each: ref('local.pause_grants'),
        secret_id: ref('google_secret_manager_secret.pause[each.value.mirror].secret_id'),
        role: ref('each.value.role'),
        member: fnSa,
      });
      // the only Secret Manager grants are per secret (member keys, pauses): none on the project or anywhere else
      expect(resources('google_secret_manager_secret_iam_member').map((r) => r.name)).toEqual([
        'env',
        'function',
        'pause',
      ]);
      const elsewhere = everything().filter(
        ({ type, b }) =>
          type !== 'google_secret_manager_secret_iam_member' && JSON.stringify(b).includes('secretmanager'),
      );
      expect(elsewhere.map(({ type, name }) => `${type}.${name}`)).toEqual([]);
      const text = everything()
        .map(({ b }) => JSON.stringify(b))
        .join('\n');
      expect(text).not.toMatch(
        /secretmanager\.(admin|secretVersionManager)|secretmanager\.versions\.destroy|setLabels/,
      );
      for (const { b } of resources('google_project_iam_member')) expect(String(b.role)).not.toContain('secretmanager');
    });

    it('both functions get MIRROR_VIP_PAUSED (break-glass) and MIRROR_VIP_PAUSE_SECRETS (mirror → secret id)', () => {
      for (const name of ['http', 'events']) {
        const fn = one('google_cloudfunctions2_function', name);
        const config = fn.service_config as Block[];
        expect(config[0]?.environment_variables).toBe(ref('local.function_environment'));
        // the grants exist before the function runs
        expect(fn.depends_on).toContain(ref('google_secret_manager_secret_iam_member.pause'));
      }
      const locals = (tf as unknown as { locals: Block[] }).locals.find((l) => 'function_environment' in l);
      expect(locals?.function_environment).toMatchObject({
        MIRROR_VIP_CONFIG: ref('jsonencode(local.config)'),
        MIRROR_VIP_PAUSED: ref('join(",", var.paused_mirrors)'),
        MIRROR_VIP_PAUSE_SECRETS: ref('local.pause_secrets_env'),
      });
      expect(locals?.pause_secrets_env).toBe(
        ref(`jsonencode({ for m, id in local.pause_secrets : m => "projects/\${var.project}/secrets/\${id}" })`),
      );
    });

    it('operators (operator_invokers) may only invoke the HTTP function, where /operator is served', () => {
      const o = one('google_cloud_run_service_iam_member', 'operator_invokes_http');
      expect([o.for_each, o.role, o.service, o.member]).toEqual([
        ref('toset(var.operator_invokers)'),
        'roles/run.invoker',
        ref('google_cloudfunctions2_function.http.name'),
        ref('each.value'),
      ]);
      const theirs = everything().filter(({ b }) => JSON.stringify(b).includes('var.operator_invokers'));
      expect(theirs.map(({ type, name }) => `${type}.${name}`)).toEqual([
        'google_cloud_run_service_iam_member.operator_invokes_http',
      ]);
    });

    it('runs both functions as the function service account; the trigger may only invoke the event function', () => {
      for (const name of ['http', 'events']) {
        const config = one('google_cloudfunctions2_function', name).service_config as Block[];
        expect(config[0]?.service_account_email).toBe(ref('google_service_account.function.email'));
        expect(config[0]?.max_instance_count).toBe(1);
        // one writer per mirror: one instance, one request at a time
        expect(config[0]?.max_instance_request_concurrency).toBe(1);
      }
      const trigger = everything().filter(
        ({ b }) => JSON.stringify(b).includes('google_service_account.trigger.email') && b.role,
      );
      expect(trigger.map(({ b }) => [b.role, b.service])).toEqual([
        ['roles/run.invoker', ref('google_cloudfunctions2_function.events.name')],
      ]);
    });
  });

  describe('triggers', () => {
    it('deploys the two entry points of the bundle', () => {
      const entry = (name: string) =>
        ((one('google_cloudfunctions2_function', name).build_config as Block[])[0] as Block).entry_point;
      expect([entry('http'), entry('events')]).toEqual(['mirrorVip', 'mirrorVipEvents']);
    });

    it('alerts on member health through Pub/Sub with a policy the function maps back to the mirror', () => {
      const policy = one('google_monitoring_alert_policy', 'member_down');
      expect(policy.display_name).toBe(`mirror-vip:${ref('each.key')}:member-down`);
      expect(JSON.stringify(policy.conditions)).toContain('compute.googleapis.com/instance/uptime');
      expect(one('google_monitoring_notification_channel', 'events')).toMatchObject({ type: 'pubsub' });
      const trigger = (one('google_cloudfunctions2_function', 'events').event_trigger as Block[])[0];
      expect(trigger).toMatchObject({
        pubsub_topic: ref('google_pubsub_topic.events.id'),
        event_type: 'google.cloud.pubsub.topic.v1.messagePublished',
      });
    });

    it('schedules the reconcile through the same topic, with the message the function expects', () => {
      const target = (one('google_cloud_scheduler_job', 'reconcile').pubsub_target as Block[])[0];
      expect(target?.topic_name).toBe(ref('google_pubsub_topic.events.id'));
      expect(target?.data).toBe(`\${base64encode(jsonencode({ kind = "${RECONCILE_KIND}" }))}`);
    });
  });

  describe('the preflight check (check.tf)', () => {
    it('is scheduled hourly through the events topic with the message the function takes as a check', () => {
      const job = one('google_cloud_scheduler_job', 'check');
      expect(job.schedule).toBe(ref('var.check_schedule'));
      expect((tf as unknown as { variable: Record<string, Block[]> }).variable.check_schedule?.[0]?.default).toBe(
        '0 * * * *',
      );
      const target = (job.pubsub_target as Block[])[0];
      expect(target?.topic_name).toBe(ref('google_pubsub_topic.events.id'));
      expect(target?.data).toBe(`\${base64encode(jsonencode({ kind = "${CHECK_KIND}" }))}`);
    });

    it('alerts on the failing line as the function writes it to Cloud Logging', () => {
      const metric = one('google_logging_metric', 'check_failed');
      expect(metric.filter).toContain(`jsonPayload.message="${CHECK_FAILED_MSG}"`);
      const policy = one('google_monitoring_alert_policy', 'check_failed');
      expect(policy.notification_channels).toBe(ref('var.notification_channels'));
      const cond = (policy.conditions as Block[])[0]?.condition_threshold as Block[];
      expect(String(cond[0]?.filter)).toContain(ref('google_logging_metric.check_failed.name'));
    });

    it('reads only the subnet ranges (on the subnet) and the address list (project), nothing it could write', () => {
      expect(one('google_project_iam_custom_role', 'check_subnetwork').permissions).toEqual([
        'compute.subnetworks.get',
      ]);
      expect(one('google_project_iam_custom_role', 'check_project').permissions).toEqual(['compute.addresses.list']);
      expect(one('google_compute_subnetwork_iam_member', 'check').role).toBe(
        ref('google_project_iam_custom_role.check_subnetwork[0].id'),
      );
    });
  });
});
