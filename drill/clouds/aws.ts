import { randomBytes } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import { seedAlgorithm } from '../../bench/aws-failover.ts';
import { type AwsEmulator, type Ec2State, seedMirrorVpc, startAwsEmulator } from '../../local-cloud/aws/index.ts';
import { EMULATOR_CREDENTIALS } from '../../local-cloud/aws/sdk-clients.ts';
import { withProbeOf } from '../../local-cloud/member-pages.ts';
import type { FakeMembers } from '../../local-cloud/members.ts';
import { awsConfigFor, emulatorEnv, MIRROR } from '../../local-cloud/worlds/aws-world.ts';
import type { DrillMember } from '../netns.ts';
import { stopChild } from '../processes.ts';
import { AWS_EIP_PROFILE, AWS_PROFILE, type LatencyProfile } from '../profiles.ts';
import { serveBundle } from './host.ts';
import { type CloudSession, type CloudStartOptions, type DrillCloud, PRODUCT_HEALTH, sessionParts } from './types.ts';

const epoch = (perf: number) => performance.timeOrigin + perf;

function applyProfile(emu: AwsEmulator, p: LatencyProfile): void {
  emu.faults.latencyMs = p.apiMs;
  emu.faults.latencyByAction = { ...p.apiByOp };
}

type AwsMode = 'route' | 'eip';

async function start(
  mode: AwsMode,
  { healthUrls, members = 'iris', hostIp, profile }: CloudStartOptions,
): Promise<CloudSession> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // the seed replay's client, in this process
  const emu = await startAwsEmulator({ latencyMs: profile.apiMs });
  applyProfile(emu, profile);
  const seeded = seedMirrorVpc(emu.state, { tables: 2 });
  const secrets = { 'iris-a': randomBytes(32).toString('base64url'), 'iris-b': randomBytes(32).toString('base64url') };
  emu.state.ssm.parameters.set('/mirror-vip/IRISMIRROR/iris-b-k1', secrets['iris-b']);
  const initial: Ec2State = structuredClone(emu.state);
  // awsConfigFor reads only the members' health URLs
  const config = awsConfigFor(seeded, { urls: healthUrls } as unknown as FakeMembers, {
    eip: mode === 'eip',
    topic: false,
    deadlineMs: 60_000,
  });
  const mirror = config.mirrors[0];
  if (mirror) {
    mirror.vips = mirror.vips.filter((v) => v.mode === mode);
    mirror.health = { ...PRODUCT_HEALTH };
  }
  const env = {
    MIRROR_VIP_CONFIG: JSON.stringify(withProbeOf(config, members)),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
  };
  const fn = await serveBundle('lambda-host.ts', 'dist/aws/handler.mjs', { ...env, ...emulatorEnv(emu) });
  const enis: Record<string, DrillMember> = {
    [seeded.members['iris-a'].networkInterfaceId]: 'iris-a',
    [seeded.members['iris-b'].networkInterfaceId]: 'iris-b',
  };
  // The client's subnet uses the first route table.
  const clientTable = seeded.routeTableIds[0] ?? '';
  return {
    functionUrl: `http://${hostIp}:${fn.port}/`,
    mirror: MIRROR,
    ...sessionParts({
      secrets,
      changes: emu.changes,
      writeTimes: () => emu.calls.filter((c) => c.write && c.service === 'ec2').map((c) => epoch(c.startedAt)),
    }),
    holder: () => {
      if (mode === 'eip') {
        const at = emu.state.addresses.get(seeded.allocationId)?.association?.networkInterfaceId;
        return at ? enis[at] : undefined;
      }
      const route = emu.state.routeTables
        .get(clientTable)
        ?.routes.find((r) => r.destinationCidrBlock === seeded.vipCidr && r.state === 'active');
      return route?.networkInterfaceId ? enis[route.networkInterfaceId] : undefined;
    },
    reset: async () => {
      for (const key of Object.keys(initial) as (keyof Ec2State)[])
        (emu.state as unknown as Record<string, unknown>)[key] = structuredClone(initial[key]);
      emu.calls.length = 0;
    },
    seedMove: async (to) => {
      if (mode !== 'route') throw new Error('the seeds move the route only');
      const ec2 = new EC2Client({
        endpoint: emu.url,
        region: 'us-east-1',
        credentials: EMULATOR_CREDENTIALS,
        maxAttempts: 1,
      });
      await seedAlgorithm(ec2, seeded.vpcId, seeded.vipCidr, seeded.members[to].networkInterfaceId);
    },
    // EventBridge invokes the function with its scheduled event (terraform/aws/alarms.tf, rate(1 minute)).
    reconcile: async () => {
      const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
      await (await fetch(fn.invoke, { method: 'POST', body: JSON.stringify(event) })).text();
    },
    close: async () => {
      await stopChild(fn.child);
      await emu.close();
    },
  };
}

/** AWS, route mode (seeds 002/003): the VIP/32 route in the route tables → the primary's ENI. */
export const awsCloud: DrillCloud = {
  name: 'aws',
  profile: AWS_PROFILE,
  vipCidr: '10.109.11.254/32',
  start: (o) => start('route', o),
};

/** AWS, eip mode: the Elastic IP associated with the primary's ENI (no seed moves it; mirror-vip only). */
export const awsEipCloud: DrillCloud = {
  name: 'aws-eip',
  profile: AWS_EIP_PROFILE,
  vipCidr: '203.0.113.25/32',
  start: (o) => start('eip', o),
};
