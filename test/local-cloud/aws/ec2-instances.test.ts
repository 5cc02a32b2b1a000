import {
  AssignPrivateIpAddressesCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local-cloud/aws/ec2-emulator.ts';
import { expectSdkError, sdkClients } from '../../../local-cloud/aws/sdk-clients.ts';
import { type SeededMirror, seedMirrorVpc } from '../../../local-cloud/aws/seed.ts';

// DescribeInstances and the main route table through the real EC2 client. The filters moto 5.2 lacks are checked
// against the EC2 API reference (DescribeInstances, "Filters"); the rest is compared with moto in
// test/conformance/moto-ec2-lists.test.ts.
let emu: AwsEmulator;
let ids: SeededMirror;
beforeAll(async () => {
  emu = await startAwsEmulator();
  ids = seedMirrorVpc(emu.state);
});
afterAll(() => emu.close());

const ec2 = () => sdkClients(emu).ec2;
const names = async (Name: string, Values: string[]) => {
  const out = await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name, Values }] }));
  return (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? []).map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value),
  );
};

describe('EC2 emulator: DescribeInstances', () => {
  it('network-interface.network-interface-id finds the instance an ENI is attached to (values ORed)', async () => {
    const [a, b] = [ids.members['iris-a'], ids.members['iris-b']];
    expect(await names('network-interface.network-interface-id', [b.networkInterfaceId])).toEqual(['iris-b']);
    expect(await names('network-interface.network-interface-id', [a.networkInterfaceId, b.networkInterfaceId])).toEqual(
      ['iris-a', 'iris-b'],
    );
    expect(await names('network-interface.network-interface-id', ['eni-0000000000000000f'])).toEqual([]);
  });

  it('an instance answers with its interfaces, addresses, public IP and source/dest check', async () => {
    const a = ids.members['iris-a'];
    await ec2().send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: a.networkInterfaceId,
        PrivateIpAddresses: ['10.109.10.20'],
      }),
    );
    const out = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [a.instanceId] }));
    const i = out.Reservations?.[0]?.Instances?.[0];
    expect(i).toMatchObject({
      InstanceId: a.instanceId,
      State: { Code: 16, Name: 'running' },
      PrivateIpAddress: a.privateIp,
      PublicIpAddress: ids.publicIp,
      SourceDestCheck: false,
      Placement: { AvailabilityZone: 'us-east-1a' },
    });
    expect(
      i?.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)]),
    ).toEqual([[a.networkInterfaceId, [a.privateIp, '10.109.10.20']]]);
    expect(await names('network-interface.addresses.private-ip-address', ['10.109.10.20'])).toEqual(['iris-a']);
  });

  it('an unknown instance id fails the call (InvalidInstanceID.NotFound); an unknown filter is refused', async () => {
    await expectSdkError(
      ec2().send(
        new DescribeInstancesCommand({ InstanceIds: [ids.members['iris-a'].instanceId, 'i-0000000000000000f'] }),
      ),
      'InvalidInstanceID.NotFound',
    );
    await expectSdkError(
      ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })),
      'InvalidParameterValue',
    );
    expect(emu.calls.slice(-2).map((c) => [c.action, c.write, c.status])).toEqual([
      ['DescribeInstances', false, 400],
      ['DescribeInstances', false, 400],
    ]);
  });
});

describe('EC2 emulator: every VPC has a main route table', () => {
  it('association.main=true finds exactly one, with the local route and no subnet', async () => {
    const out = await ec2().send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [ids.vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    expect(out.RouteTables?.map((t) => [t.RouteTableId, t.Associations?.map((x) => [x.Main, x.SubnetId])])).toEqual([
      [ids.mainRouteTableId, [[true, undefined]]],
    ]);
    expect(out.RouteTables?.[0]?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId])).toEqual([
      [ids.vpcCidr, 'local'],
    ]);
  });
});
