import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';

let world: GcpWorld;
beforeAll(async () => {
  world = await startGcpWorld();
});
afterAll(async () => world.close());
beforeEach(() => {
  world.emu.reset();
  world.members.set('iris-a', 'down');
  world.members.set('iris-b', 'primary');
});

/** A Cloud Monitoring incident (notification schema 1.2) about a gce_instance. */
const incident = (over: Record<string, unknown> = {}) => ({
  version: '1.2',
  incident: {
    incident_id: '0.mzaw5l8dr2hb',
    scoping_project_id: 'demo-project',
    state: 'open',
    started_at: 1767225600,
    policy_name: 'IRIS member down',
    summary: 'Uptime check for iris-a is failing.',
    resource: {
      type: 'gce_instance',
      labels: { project_id: 'demo-project', instance_id: '1234567890123', zone: 'us-east1-b' },
    },
    metric: { type: 'compute.googleapis.com/instance/uptime', labels: { instance_name: 'iris-a' } },
    ...over,
  },
});

describe('GCP event function: Cloud Monitoring alerts through Pub/Sub', () => {
  it('an incident about a member instance reconciles its mirror to the member that answers primary', async () => {
    const { status, results } = await world.publish(incident());
    expect(status).toBe(200);
    expect(results).toMatchObject([{ ok: true, outcome: 'moved', trigger: 'alarm', from: 'iris-a', to: 'iris-b' }]);
    expect([world.aliasHolders(), world.accessConfigHolders()]).toEqual([['iris-b'], ['iris-b']]);
  });

  it('finds the mirror by the policy label `mirror`, case-insensitively (label values are lower case)', async () => {
    const labelled = incident({
      resource: { type: 'uptime_url', labels: { host: '10.0.1.10' } },
      metric: {},
      policy_user_labels: { mirror: 'irismirror' },
    });
    expect((await world.publish(labelled, { structured: true })).results).toMatchObject([
      { outcome: 'moved', to: 'iris-b' },
    ]);
  });

  it('finds the mirror by a policy named mirror-vip:<mirror>:…', async () => {
    const named = incident({
      resource: { type: 'uptime_url', labels: {} },
      metric: {},
      policy_name: 'mirror-vip:IRISMIRROR:health',
    });
    expect((await world.publish(named)).results).toMatchObject([{ outcome: 'moved', to: 'iris-b' }]);
  });

  it('an incident that matches no mirror moves nothing and says why', async () => {
    const stranger = incident({
      resource: { type: 'gce_instance', labels: { zone: 'us-east1-b' } },
      metric: { labels: { instance_name: 'web-1' } },
    });
    const { results } = await world.publish(stranger);
    expect(results).toMatchObject([
      { ok: false, outcome: 'rejected', trigger: 'alarm', error: { code: 'unknown_mirror' } },
    ]);
    expect(world.emu.calls).toHaveLength(0);
  });

  it('never trusts the alert for the target: with no member answering primary, nothing moves', async () => {
    world.members.set('iris-b', 'backup');
    const { results } = await world.publish(incident());
    expect(results[0]?.error?.code).toBe('no_primary');
    expect(world.writes()).toBe(0);
  });

  it('a scheduled reconcile (Cloud Scheduler → Pub/Sub) checks every mirror, or the one it names', async () => {
    expect((await world.publish({ kind: 'mirror-vip.reconcile' })).results).toMatchObject([
      { trigger: 'schedule', outcome: 'moved' },
    ]);
    expect((await world.publish({ kind: 'mirror-vip.reconcile', mirror: 'IRISMIRROR' })).results).toMatchObject([
      { outcome: 'unchanged' },
    ]);
  });

  it.each([
    ['data that is not base64 JSON', { rawData: '%%%not-base64%%%' }],
    ['an unrelated message', {}],
  ])('acknowledges %s without a cloud call', async (_what, o) => {
    const { status, results } = await world.publish({ hello: 'world' }, o);
    expect(status).toBe(200);
    expect(results).toEqual([]);
    expect(world.emu.calls).toHaveLength(0);
    expect(world.lines.at(-1)).toMatchObject({ level: 'warn', msg: 'mirror-vip ignored a Pub/Sub message' });
  });
});
