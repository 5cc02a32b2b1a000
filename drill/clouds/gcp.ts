import { randomBytes, randomUUID } from 'node:crypto';
import { seedAlgorithm } from '../../bench/gcp-failover.ts';
import { RECONCILE_KIND } from '../../functions/gcp/gcp-events.ts';
import { ensureBundle, serveFunctionsFramework } from '../../local-cloud/bundles.ts';
import {
  ComputeState,
  type GcpEmulator,
  MIRROR as SEED,
  seedMirrorProject,
  startGcpEmulator,
} from '../../local-cloud/gcp/index.ts';
import { withProbeOf } from '../../local-cloud/member-pages.ts';
import type { FakeMembers } from '../../local-cloud/members.ts';
import { gcpConfigFor, MIRROR } from '../../local-cloud/worlds/gcp-world.ts';
import { GCP_ENV } from '../../shared/providers/gcp/endpoint.ts';
import type { DrillMember } from '../netns.ts';
import { stopChild, track } from '../processes.ts';
import { GCP_PROFILE, GCP_ROUTE_PROFILE, type LatencyProfile } from '../profiles.ts';
import { type CloudSession, type CloudStartOptions, type DrillCloud, PRODUCT_HEALTH, sessionParts } from './types.ts';

const SEED_SLEEP_MS = 10_000; // seed 000 sleeps 10 s between the access-config delete and add

function applyProfile(emu: GcpEmulator, p: LatencyProfile): void {
  emu.faults.latencyMs = p.apiMs;
  emu.faults.latencyByOp = { ...p.apiByOp };
  emu.faults.operationDelayByOp = { ...p.operationByOp };
}

/** A Cloud Scheduler → Pub/Sub → Eventarc delivery of a reconcile request (binary CloudEvent). */
async function publishReconcile(url: string): Promise<void> {
  const message = {
    data: Buffer.from(JSON.stringify({ kind: RECONCILE_KIND })).toString('base64'),
    messageId: randomUUID(),
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-id': randomUUID(),
      'ce-source': '//pubsub.googleapis.com/projects/demo-project/topics/mirror-vip',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-specversion': '1.0',
    },
    body: JSON.stringify({ message, subscription: 'projects/demo-project/subscriptions/eventarc-mirror-vip' }),
  });
  await res.text();
}

type GcpMode = 'alias-ip' | 'route';

/** Route mode: the member the VIP's routes lead to (the lowest priority number wins; a tie splits, so: none). */
function routeHolder(state: ComputeState): DrillMember | undefined {
  const routes = [...state.routes.values()].filter((r) => r.destRange === SEED.routeVip && r.nextHopInstance);
  const best = Math.min(...routes.map((r) => r.priority));
  const hops = new Set(routes.filter((r) => r.priority === best).map((r) => r.nextHopInstance?.split('/').pop()));
  return hops.size === 1 ? ([...hops][0] as DrillMember) : undefined;
}

async function start(mode: GcpMode, o: CloudStartOptions): Promise<CloudSession> {
  const { healthUrls, members = 'iris', hostIp, profile, scale } = o;
  const state = new ComputeState();
  seedMirrorProject(state, mode === 'route' ? { alias: false, accessConfig: false, route: true } : {});
  const emu = await startGcpEmulator({ state, latencyMs: profile.apiMs });
  applyProfile(emu, profile);
  const secrets = { 'iris-a': randomBytes(32).toString('base64url'), 'iris-b': randomBytes(32).toString('base64url') };
  // gcpConfigFor reads only the members' health URLs; both keys come from the environment here
  const config = gcpConfigFor({ urls: healthUrls } as unknown as FakeMembers, { deadlineMs: 120_000, mode });
  const mirror = config.mirrors[0];
  if (mirror) mirror.health = { ...PRODUCT_HEALTH };
  if (mirror)
    mirror.keys = [
      { id: 'iris-a-k1', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_IRIS_A' },
      { id: 'iris-b-k1', member: 'iris-b', secret: 'env:MIRROR_VIP_KEY_IRIS_B' },
    ];
  const env = {
    MIRROR_VIP_CONFIG: JSON.stringify(withProbeOf(config, members)),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
    MIRROR_VIP_KEY_IRIS_B: secrets['iris-b'],
    [GCP_ENV.computeEndpoint]: emu.url,
  };
  const bundle = await ensureBundle('dist/gcp/index.mjs');
  const [httpFn, eventsFn] = await Promise.all([
    serveFunctionsFramework(bundle, 'mirrorVip', env, [], track),
    serveFunctionsFramework(bundle, 'mirrorVipEvents', env, ['--signature-type=cloudevent'], track),
  ]);
  const nicOf = (m: { name: string; zone: string }) => state.instance(m.zone, m.name)?.networkInterfaces[0];
  return {
    functionUrl: `http://${hostIp}:${new URL(httpFn.url).port}/`,
    mirror: MIRROR,
    ...sessionParts({
      secrets,
      changes: emu.changes,
      writeTimes: () => emu.calls.filter((c) => c.write).map((c) => c.startedAt),
    }),
    holder: () =>
      mode === 'route'
        ? routeHolder(state)
        : ([SEED.primary, SEED.backup].find((m) => nicOf(m)?.aliasIpRanges.some((r) => r.ipCidrRange === SEED.vip))
            ?.name as DrillMember | undefined),
    reset: async () => {
      emu.reset();
      applyProfile(emu, profile);
    },
    // Seed 000 moves iris-a → iris-b only (the bench's replay); it runs on the new primary.
    seedMove: async (to) => {
      if (mode !== 'alias-ip') throw new Error('seed 000 moves the alias only');
      if (to !== 'iris-b') throw new Error('the seed 000 replay moves the VIP to iris-b only');
      await seedAlgorithm(emu.url, Math.round(SEED_SLEEP_MS * scale));
    },
    reconcile: () => publishReconcile(eventsFn.url),
    close: async () => {
      await Promise.all([httpFn.child, eventsFn.child].map(stopChild));
      await emu.close();
    },
  };
}

/** GCP, alias-ip mode with the access config (seed 000): the alias range on nic0 of the primary. */
export const gcpCloud: DrillCloud = {
  name: 'gcp',
  profile: GCP_PROFILE,
  vipCidr: SEED.vip,
  start: (o) => start('alias-ip', o),
};

/** GCP, route mode: a static route for the VIP/32 with the primary as next hop (no seed: mirror-vip only). */
export const gcpRouteCloud: DrillCloud = {
  name: 'gcp-route',
  profile: GCP_ROUTE_PROFILE,
  vipCidr: SEED.routeVip,
  start: (o) => start('route', o),
};
