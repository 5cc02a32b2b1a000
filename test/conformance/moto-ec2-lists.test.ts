import type { ChildProcess } from 'node:child_process';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeRouteTablesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsEmulator,
  addInstance,
  addSubnet,
  addVpc,
  createEc2State,
  startAwsEmulator,
} from '../../local-cloud/aws/index.ts';
import { requireMoto, startMoto } from './references.ts';

/**
 * A new VPC's main route table and DescribeInstances, asked the same way of moto (nobody here wrote it) and of the
 * project's emulator through the real EC2 SDK: both must answer alike. (moto 5.2 does not implement the
 * network-interface.network-interface-id filter; test/local-cloud/aws/ec2-instances.test.ts checks it against the
 * API reference.)
 */
interface Fixture {
  client: EC2Client;
  vpcId: string;
  subnetId: string;
  instanceId: string;
}

const client = (endpoint: string) =>
  new EC2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
const IP = '10.109.10.10';

async function buildOnMoto(ec2: EC2Client): Promise<Fixture> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.109.10.0/24' }))).Vpc?.VpcId ?? '';
  const subnetId =
    (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.109.10.0/26', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet?.SubnetId ?? '';
  const run = new RunInstancesCommand({
    ImageId: 'ami-12c6146b',
    MinCount: 1,
    MaxCount: 1,
    SubnetId: subnetId,
    PrivateIpAddress: IP,
  });
  const instanceId = (await ec2.send(run)).Instances?.[0]?.InstanceId ?? '';
  return { client: ec2, vpcId, subnetId, instanceId };
}

async function buildOnEmulator(): Promise<{ emu: AwsEmulator; f: Fixture }> {
  const state = createEc2State();
  const vpc = addVpc(state, '10.109.10.0/24');
  const subnet = addSubnet(state, vpc.vpcId, '10.109.10.0/26', 'us-east-1a');
  const eni = addInstance(state, subnet, { name: 'iris-a', privateIp: IP });
  const emu = await startAwsEmulator({ state });
  const instanceId = eni.attachment?.instanceId ?? '';
  return { emu, f: { client: client(emu.url), vpcId: vpc.vpcId, subnetId: subnet.subnetId, instanceId } };
}

/** What both must agree on, with ids replaced by what they stand for. */
async function observe(f: Fixture) {
  const { RouteTables = [] } = await f.client.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [f.vpcId] }] }),
  );
  const tables = RouteTables.map((t) => ({
    associations: t.Associations?.map((a) => [a.Main, a.SubnetId ?? null, a.AssociationState?.State]),
    routes: t.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.Origin, r.State]),
    tags: t.Tags ?? [],
  }));
  const instances = async (input: DescribeInstancesCommandInput) =>
    ((await f.client.send(new DescribeInstancesCommand(input))).Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => ({
        known: i.InstanceId === f.instanceId,
        state: i.State?.Name,
        ip: i.PrivateIpAddress,
        subnet: i.SubnetId === f.subnetId,
        vpc: i.VpcId === f.vpcId,
        nics: i.NetworkInterfaces?.map((n) => [n.PrivateIpAddress, n.Attachment?.DeviceIndex, n.Attachment?.Status]),
      })),
    );
  const filter = (Name: string, value: string) => instances({ Filters: [{ Name, Values: [value] }] });
  let unknownId: string | undefined;
  try {
    await f.client.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000000f'] }));
  } catch (e: unknown) {
    unknownId = (e as { name?: string }).name;
  }
  return {
    tables,
    byId: await instances({ InstanceIds: [f.instanceId] }),
    byFilter: await filter('instance-id', f.instanceId),
    byIp: await filter('private-ip-address', IP),
    bySubnet: await filter('subnet-id', f.subnetId),
    running: (await filter('instance-state-name', 'running')).length,
    noMatch: await filter('instance-id', 'i-0000000000000000f'),
    unknownId,
  };
}

const ONE = [{ known: true, state: 'running', ip: IP, subnet: true, vpc: true, nics: [[IP, 0, 'attached']] }];
const EXPECTED = {
  tables: [
    {
      associations: [[true, null, 'associated']],
      routes: [['10.109.10.0/24', 'local', 'CreateRouteTable', 'active']],
      tags: [],
    },
  ],
  byId: ONE,
  byFilter: ONE,
  byIp: ONE,
  bySubnet: ONE,
  running: 1,
  noMatch: [],
  unknownId: 'InvalidInstanceID.NotFound',
};

let moto: { url: string; proc: ChildProcess } | undefined;
let emu: AwsEmulator | undefined;
beforeAll(async () => {
  requireMoto();
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  moto?.proc.stdin?.end();
  moto?.proc.kill();
  await emu?.close();
});

describe('a new VPC and DescribeInstances: moto and the project emulator agree', () => {
  it('moto: the VPC has one main route table (local route, no subnet); DescribeInstances by id and filters', async () => {
    expect(await observe(await buildOnMoto(client(moto?.url ?? '')))).toEqual(EXPECTED);
  }, 60_000);

  it('the project emulator gives the same answers', async () => {
    const built = await buildOnEmulator();
    emu = built.emu;
    expect(await observe(built.f)).toEqual(EXPECTED);
  }, 60_000);
});
