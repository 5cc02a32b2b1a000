import { CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { serialRounds } from '../local-cloud/aws/index.ts';
import { EMULATOR_CREDENTIALS } from '../local-cloud/aws/sdk-clients.ts';
import { startAwsWorld } from '../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../shared/core/result.ts';

export interface FailoverFigure {
  tables: number;
  latencyMs: number;
  mirrorVip: { ms: number; serialRounds: number; calls: number; writes: number };
  floor: { ms: number; serialRounds: number };
  seed: { ms: number; serialRounds: number; calls: number };
}

/** The seed articles' algorithm (002/003): list the VPC's tables, then per table delete the route and create it again, one after another. */
export async function seedAlgorithm(ec2: EC2Client, vpcId: string, cidr: string, eniId: string): Promise<void> {
  const { RouteTables = [] } = await ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  for (const t of RouteTables) {
    try {
      await ec2.send(new DeleteRouteCommand({ RouteTableId: t.RouteTableId, DestinationCidrBlock: cidr }));
    } catch (e: unknown) {
      if ((e as Error).name !== 'InvalidRoute.NotFound') throw e;
    }
    await ec2.send(
      new CreateRouteCommand({ RouteTableId: t.RouteTableId, DestinationCidrBlock: cidr, NetworkInterfaceId: eniId }),
    );
  }
}

/** One failover of `tables` route tables with `latencyMs` per EC2 call: mirror-vip vs the floor vs the seed's algorithm. */
export async function measureAwsFailover(tables: number, latencyMs: number): Promise<FailoverFigure> {
  const world = await startAwsWorld({
    seed: { tables },
    latencyMs,
    eip: false,
    topic: false,
    engine: { log: () => {} },
  });
  try {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const t0 = performance.now();
    const res = (await world.handler(world.signedRequest('iris-b'))) as { body: string };
    const ms = performance.now() - t0;
    const r = JSON.parse(res.body) as FailoverResult;
    if (r.outcome !== 'moved') throw new Error(`bench failover did not move: ${res.body}`);
    const ec2Calls = world.emu.calls.filter((c) => c.service === 'ec2');
    const mirrorVip = { ms, serialRounds: serialRounds(ec2Calls), calls: ec2Calls.length, writes: r.writeCalls };

    world.emu.reset();
    const ec2 = new EC2Client({
      endpoint: world.emu.url,
      region: 'us-east-1',
      credentials: EMULATOR_CREDENTIALS,
      maxAttempts: 1,
    });
    const s0 = performance.now();
    await seedAlgorithm(
      ec2,
      world.seeded.vpcId,
      world.seeded.vipCidr,
      world.seeded.members['iris-a'].networkInterfaceId,
    );
    const seedMs = performance.now() - s0;
    const seedCalls = world.emu.calls.filter((c) => c.service === 'ec2');
    if (!world.routeHolders().every((h) => h === 'iris-a')) throw new Error('seed algorithm did not converge');
    // The fewest serial calls the API allows: one parallel round of ReplaceRoute (no look-up, no proof).
    return {
      tables,
      latencyMs,
      mirrorVip,
      floor: { ms: latencyMs, serialRounds: 1 },
      seed: { ms: seedMs, serialRounds: serialRounds(seedCalls), calls: seedCalls.length },
    };
  } finally {
    await world.close();
  }
}
