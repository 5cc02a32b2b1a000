import { functionGrants as awsGrants } from '../local-cloud/aws/iam.ts';
import { EMULATOR_CREDENTIALS } from '../local-cloud/aws/sdk-clients.ts';
import { functionGrants as gcpGrants } from '../local-cloud/gcp/iam.ts';
import { MIRROR as SEED } from '../local-cloud/gcp/seed.ts';
import { type startAwsWorld, TOPIC_ARN } from '../local-cloud/worlds/aws-world.ts';
import type { startGcpWorld } from '../local-cloud/worlds/gcp-world.ts';
import type { CheckReport } from '../shared/core/check.ts';

/** The demo's failing check and its fix on AWS: a policy clean-up drops ec2:ReplaceRoute from the function's role. */
export function awsPreflight(world: Awaited<ReturnType<typeof startAwsWorld>>) {
  const s = world.seeded;
  const grants = awsGrants(world.emu.state, {
    routeTableIds: s.routeTableIds,
    allocationId: s.allocationId,
    eniIds: [s.members['iris-a'].networkInterfaceId, s.members['iris-b'].networkInterfaceId],
    topicArn: TOPIC_ARN,
    functionName: 'mirror-vip',
  });
  const key = EMULATOR_CREDENTIALS.accessKeyId;
  world.emu.state.iam.set(key, grants);
  return {
    run: async () => ((await world.handler({ mirrorVip: 'check' })) as { check?: CheckReport }).check,
    breakIt: () => {
      world.emu.state.iam.set(
        key,
        grants.filter((g) => g.action !== 'ec2:ReplaceRoute'),
      );
      return 'the function role loses ec2:ReplaceRoute (a policy clean-up)';
    },
    fixIt: () => {
      world.emu.state.iam.set(key, grants);
      return 'ec2:ReplaceRoute on the route tables is granted again';
    },
  };
}

/** The same on GCP: the instance role loses compute.instances.updateNetworkInterface. */
export function gcpPreflight(world: Awaited<ReturnType<typeof startGcpWorld>>) {
  const grants = gcpGrants(world.emu.state, 'alias-ip', [
    [SEED.primary.zone, SEED.primary.name],
    [SEED.backup.zone, SEED.backup.name],
  ]);
  const lost = 'compute.instances.updateNetworkInterface';
  world.emu.state.iam.set('', grants);
  return {
    run: async () => (await world.publish({ kind: 'mirror-vip.check' })).check,
    breakIt: () => {
      world.emu.state.iam.set(
        '',
        grants.map((g) => ({ ...g, permissions: g.permissions.filter((p) => p !== lost) })),
      );
      return `the instance role loses ${lost}`;
    },
    fixIt: () => {
      world.emu.state.iam.set('', grants);
      return `${lost} is granted again on the member instances`;
    },
  };
}
