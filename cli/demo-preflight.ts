import { FUNCTION_NAMES } from '../functions/azure/app.ts';
import { CHECK_KIND } from '../functions/oci/oci-events.ts';
import { functionGrants as awsGrants } from '../local-cloud/aws/iam.ts';
import { EMULATOR_CREDENTIALS } from '../local-cloud/aws/sdk-clients.ts';
import { OPEN_ASSIGNMENT } from '../local-cloud/azure/rbac.ts';
import { invocation } from '../local-cloud/azure-http.ts';
import { functionGrants as gcpGrants } from '../local-cloud/gcp/iam.ts';
import { MIRROR as SEED } from '../local-cloud/gcp/seed.ts';
import { type startAwsWorld, TOPIC_ARN } from '../local-cloud/worlds/aws-world.ts';
import type { startAzureWorld } from '../local-cloud/worlds/azure-world.ts';
import type { startGcpWorld } from '../local-cloud/worlds/gcp-world.ts';
import type { startOciWorld } from '../local-cloud/worlds/oci-world.ts';
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

/** On Azure: the function identity's role loses Microsoft.Network/networkInterfaces/write (a NotAction added). */
export function azurePreflight(world: Awaited<ReturnType<typeof startAzureWorld>>) {
  const lost = 'Microsoft.Network/networkInterfaces/write';
  const timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  return {
    run: async () => (await world.fns.mirrorVipCheck(timer, invocation(FUNCTION_NAMES.check))).check,
    breakIt: () => {
      // every caller's role (the function's token is the one caller here) gets the action as a NotAction
      world.state.rbac.assignments = [{ ...OPEN_ASSIGNMENT, notActions: [lost] }];
      return `the function's role loses ${lost} (a NotAction added)`;
    },
    fixIt: () => {
      world.state.rbac.reset();
      return `${lost} is granted again on the resource group`;
    },
  };
}

/**
 * On OCI: the backup's VNIC gets its source/destination check back on (the route mode needs it skipped). The write
 * rights cannot be proven by a read on OCI (the check prints the policy statements), so fixed means no failure.
 */
export function ociPreflight(world: Awaited<ReturnType<typeof startOciWorld>>) {
  const vnic = () => {
    const v = world.state.vnics.get(world.seed.backup.vnicId);
    if (!v) throw new Error('no seeded VNIC for iris-b');
    return v;
  };
  return {
    run: async () => (await world.invoke({ kind: CHECK_KIND })).check,
    breakIt: () => {
      vnic().skipSourceDestCheck = false;
      return "iris-b's VNIC has its source/destination check turned back on (a console edit)";
    },
    fixIt: () => {
      vnic().skipSourceDestCheck = true;
      return "iris-b's VNIC skips the source/destination check again";
    },
    unprovable: 'write rights cannot be proven on OCI: statements printed',
  };
}
