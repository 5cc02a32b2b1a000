import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local-cloud/aws/ec2-emulator.ts';
import { EMULATOR_CREDENTIALS, expectSdkError, sdkClients } from '../../../local-cloud/aws/sdk-clients.ts';
import { type SeededMirror, seedMirrorVpc } from '../../../local-cloud/aws/seed.ts';

// The emulator's permission model, DryRun, DescribeVpcs and GetFunctionConcurrency, through the real SDKs
// (docs/emulators.md "Permissions and DryRun").
describe('EC2 emulator: identities, DryRun, DescribeVpcs, Lambda concurrency', () => {
  let emu: AwsEmulator;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let s: SeededMirror;
  const key = EMULATOR_CREDENTIALS.accessKeyId;

  beforeEach(async () => {
    emu = await startAwsEmulator();
    s = seedMirrorVpc(emu.state);
    emu.state.ssm.parameters.set('/mirror-vip/k', 'secret');
    ({ ec2, ssm } = sdkClients(emu));
  });
  afterEach(() => emu.close());

  const route = (dry: boolean) => ({
    RouteTableId: s.routeTableIds[0],
    DestinationCidrBlock: s.vipCidr,
    NetworkInterfaceId: s.members['iris-b'].networkInterfaceId,
    DryRun: dry,
  });

  it('an identity without ec2:ReplaceRoute: DryRun and the real call both answer 403 UnauthorizedOperation', async () => {
    emu.state.iam.set(key, [{ action: 'ec2:CreateRoute', resources: ['*'] }]);
    const before = structuredClone(emu.state.routeTables);
    for (const dry of [true, false]) {
      const e = await expectSdkError(ec2.send(new ReplaceRouteCommand(route(dry))), 'UnauthorizedOperation');
      expect(e.$metadata.httpStatusCode).toBe(403);
      expect(e.message).toContain('Encoded authorization failure message: ');
      expect(e.message).toContain(`route-table/${s.routeTableIds[0]}`);
    }
    expect(emu.state.routeTables).toEqual(before);
    expect(emu.calls.filter((c) => c.write).map((c) => c.status)).toEqual([403]);
  });

  it('allowed: DryRun answers 412 DryRunOperation on a table with or without the route, and is not a write', async () => {
    emu.state.iam.set(key, [{ action: 'ec2:*', resources: ['*'] }]);
    await expectSdkError(ec2.send(new CreateRouteCommand(route(true))), 'DryRunOperation');
    await expectSdkError(ec2.send(new ReplaceRouteCommand(route(true))), 'DryRunOperation');
    const eip = {
      AllocationId: s.allocationId,
      NetworkInterfaceId: s.members['iris-b'].networkInterfaceId,
      AllowReassociation: true,
    };
    await expectSdkError(ec2.send(new AssociateAddressCommand({ ...eip, DryRun: true })), 'DryRunOperation');
    expect(emu.calls.map((c) => [c.write, c.status])).toEqual(Array(3).fill([false, 412]));
  });

  it('AssociateAddress is authorized on the elastic-ip and the network-interface', async () => {
    const arn = 'arn:aws:ec2:us-east-1:123456789012';
    emu.state.iam.set(key, [{ action: 'ec2:AssociateAddress', resources: [`${arn}:elastic-ip/${s.allocationId}`] }]);
    const eip = { AllocationId: s.allocationId, NetworkInterfaceId: s.members['iris-b'].networkInterfaceId };
    const e = await expectSdkError(ec2.send(new AssociateAddressCommand(eip)), 'UnauthorizedOperation');
    expect(e.message).toContain(`network-interface/${eip.NetworkInterfaceId}`);
  });

  it('SSM refuses a parameter outside the grant with AccessDeniedException; an unlisted key is unrestricted', async () => {
    emu.state.iam.set(key, [{ action: 'ssm:GetParameter', resources: ['arn:aws:ssm:*:*:parameter/other/*'] }]);
    await expectSdkError(ssm.send(new GetParameterCommand({ Name: '/mirror-vip/k' })), 'AccessDeniedException');
    emu.state.iam.delete(key);
    expect((await ssm.send(new GetParameterCommand({ Name: '/mirror-vip/k' }))).Parameter?.Name).toBe('/mirror-vip/k');
  });

  it('DescribeVpcs lists the primary, secondary and IPv6 blocks', async () => {
    const vpc = emu.state.vpcs.get(s.vpcId);
    if (vpc) Object.assign(vpc, { secondaryCidrBlocks: ['100.64.0.0/16'], ipv6CidrBlocks: ['2600:1f18::/56'] });
    const out = await ec2.send(new DescribeVpcsCommand({ VpcIds: [s.vpcId] }));
    const v = out.Vpcs?.[0];
    expect(v?.CidrBlock).toBe(s.vpcCidr);
    expect(v?.CidrBlockAssociationSet?.map((a) => a.CidrBlock)).toEqual([s.vpcCidr, '100.64.0.0/16']);
    expect(v?.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock)).toEqual(['2600:1f18::/56']);
    await expectSdkError(
      ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000dead'] })),
      'InvalidVpcID.NotFound',
    );
  });

  it('GetFunctionConcurrency: the reserved value, nothing when none, 404 for an unknown function', async () => {
    const lambda = new LambdaClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: EMULATOR_CREDENTIALS,
      maxAttempts: 1,
    });
    emu.state.lambda.functions.set('fn', { reservedConcurrency: 1 });
    emu.state.lambda.functions.set('open', {});
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'fn' }))).ReservedConcurrentExecutions,
    ).toBe(1);
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'open' }))).ReservedConcurrentExecutions,
    ).toBeUndefined();
    await expectSdkError(
      lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'nope' })),
      'ResourceNotFoundException',
    );
  });
});
