import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local-cloud/aws/ec2-emulator.ts';
import { expectSdkError, sdkClients } from '../../../local-cloud/aws/sdk-clients.ts';
import { addInstance, type SeededMirror, seedMirrorVpc } from '../../../local-cloud/aws/seed.ts';

describe('EC2 emulator: interfaces and Elastic IPs, through the real EC2 client', () => {
  let emu: AwsEmulator;
  let ids: SeededMirror;
  let ec2: EC2Client;

  beforeEach(async () => {
    emu = await startAwsEmulator();
    ids = seedMirrorVpc(emu.state);
    ec2 = sdkClients(emu).ec2;
  });
  afterEach(() => emu.close());

  const irisA = () => ids.members['iris-a'];
  const irisB = () => ids.members['iris-b'];
  const eni = async (id: string) =>
    (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces?.[0];
  const address = async () =>
    (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [ids.allocationId] }))).Addresses?.[0];
  const rejectsUnchanged = async (call: Promise<unknown>, code: string) => {
    const before = structuredClone(emu.state);
    const error = await expectSdkError(call, code);
    expect(emu.state).toEqual(before);
    expect(error.$metadata.httpStatusCode).toBe(400);
    return error;
  };

  describe('DescribeNetworkInterfaces', () => {
    it('returns the interface with its addresses, attachment and Elastic IP association', async () => {
      const a = await eni(irisA().networkInterfaceId);
      expect(a).toMatchObject({
        NetworkInterfaceId: irisA().networkInterfaceId,
        SubnetId: ids.subnetIds[0],
        VpcId: ids.vpcId,
        AvailabilityZone: 'us-east-1a',
        PrivateIpAddress: '10.109.10.10',
        SourceDestCheck: false,
        Status: 'in-use',
        Attachment: { InstanceId: irisA().instanceId, DeviceIndex: 0, Status: 'attached' },
        Association: { PublicIp: ids.publicIp, AllocationId: ids.allocationId, AssociationId: ids.associationId },
        TagSet: [{ Key: 'Name', Value: 'iris-a' }],
      });
      expect(a?.Attachment?.AttachmentId).toMatch(/^eni-attach-0[0-9a-f]{16}$/);
      expect(a?.Attachment?.AttachTime).toBeInstanceOf(Date);
      expect(a?.PrivateIpAddresses).toMatchObject([{ PrivateIpAddress: '10.109.10.10', Primary: true }]);
      const b = await eni(irisB().networkInterfaceId);
      expect(b).toMatchObject({ AvailabilityZone: 'us-east-1b', PrivateIpAddress: '10.109.10.70' });
      expect(b?.Association).toBeUndefined();
    });

    it('filters by attachment.instance-id and vpc-id', async () => {
      const byInstance = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'attachment.instance-id', Values: [irisB().instanceId] }],
        }),
      );
      expect(byInstance.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([irisB().networkInterfaceId]);
      const byVpc = await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [ids.vpcId] }] }),
      );
      expect(byVpc.NetworkInterfaces).toHaveLength(2);
    });

    it('rejects an unknown interface with InvalidNetworkInterfaceID.NotFound', async () => {
      const call = ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] }));
      await rejectsUnchanged(call, 'InvalidNetworkInterfaceID.NotFound');
    });
  });

  describe('ModifyNetworkInterfaceAttribute', () => {
    it('turns the source/destination check on and off', async () => {
      const id = irisB().networkInterfaceId;
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, SourceDestCheck: { Value: true } }),
      );
      expect((await eni(id))?.SourceDestCheck).toBe(true);
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, SourceDestCheck: { Value: false } }),
      );
      expect((await eni(id))?.SourceDestCheck).toBe(false);
    });

    it('rejects an unknown interface and a request that changes nothing', async () => {
      const unknown = { NetworkInterfaceId: 'eni-0000000000000dead', SourceDestCheck: { Value: true } };
      await rejectsUnchanged(
        ec2.send(new ModifyNetworkInterfaceAttributeCommand(unknown)),
        'InvalidNetworkInterfaceID.NotFound',
      );
      const nothing = { NetworkInterfaceId: irisA().networkInterfaceId };
      await rejectsUnchanged(ec2.send(new ModifyNetworkInterfaceAttributeCommand(nothing)), 'MissingParameter');
    });
  });

  describe('DescribeAddresses', () => {
    it('returns the allocation with its association', async () => {
      expect(await address()).toMatchObject({
        AllocationId: ids.allocationId,
        PublicIp: ids.publicIp,
        Domain: 'vpc',
        AssociationId: ids.associationId,
        NetworkInterfaceId: irisA().networkInterfaceId,
        InstanceId: irisA().instanceId,
        PrivateIpAddress: '10.109.10.10',
      });
      const filtered = await ec2.send(
        new DescribeAddressesCommand({
          Filters: [{ Name: 'network-interface-id', Values: [irisB().networkInterfaceId] }],
        }),
      );
      expect(filtered.Addresses).toEqual([]);
    });

    it('rejects an unknown allocation with InvalidAllocationID.NotFound', async () => {
      const call = ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000dead'] }));
      await rejectsUnchanged(call, 'InvalidAllocationID.NotFound');
    });
  });

  describe('AssociateAddress / DisassociateAddress', () => {
    const moveToB = (allow?: boolean) =>
      new AssociateAddressCommand({
        AllocationId: ids.allocationId,
        NetworkInterfaceId: irisB().networkInterfaceId,
        AllowReassociation: allow,
      });

    it('refuses to move an associated address without AllowReassociation', async () => {
      const error = await rejectsUnchanged(ec2.send(moveToB()), 'Resource.AlreadyAssociated');
      expect(error.message).toContain(ids.allocationId);
    });

    it('moves the address with AllowReassociation, under a new association id', async () => {
      const out = await ec2.send(moveToB(true));
      expect(out.AssociationId).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
      expect(out.AssociationId).not.toBe(ids.associationId);
      expect(await address()).toMatchObject({
        AssociationId: out.AssociationId,
        NetworkInterfaceId: irisB().networkInterfaceId,
        InstanceId: irisB().instanceId,
        PrivateIpAddress: '10.109.10.70',
      });
      expect((await eni(irisA().networkInterfaceId))?.Association).toBeUndefined();
      expect((await eni(irisB().networkInterfaceId))?.Association?.PublicIp).toBe(ids.publicIp);
      const stale = ec2.send(new DisassociateAddressCommand({ AssociationId: ids.associationId }));
      await rejectsUnchanged(stale, 'InvalidAssociationID.NotFound');
    });

    it('disassociates, then associates by instance id', async () => {
      await ec2.send(new DisassociateAddressCommand({ AssociationId: ids.associationId }));
      expect((await address())?.AssociationId).toBeUndefined();
      const out = await ec2.send(
        new AssociateAddressCommand({ AllocationId: ids.allocationId, InstanceId: irisB().instanceId }),
      );
      expect(await address()).toMatchObject({
        AssociationId: out.AssociationId,
        NetworkInterfaceId: irisB().networkInterfaceId,
      });
    });

    it.each([
      ['an unknown allocation', { AllocationId: 'eipalloc-0000000000000dead' }, 'InvalidAllocationID.NotFound'],
      ['an unknown interface', { NetworkInterfaceId: 'eni-0000000000000dead' }, 'InvalidNetworkInterfaceID.NotFound'],
      ['an address not on the interface', { PrivateIpAddress: '10.109.10.11' }, 'InvalidParameterValue'],
    ])('rejects %s with the real error code', async (_what, change, code) => {
      const base = {
        AllocationId: ids.allocationId,
        NetworkInterfaceId: irisB().networkInterfaceId,
        AllowReassociation: true,
      };
      await rejectsUnchanged(ec2.send(new AssociateAddressCommand({ ...base, ...change })), code);
    });

    it('rejects an unknown association id', async () => {
      const call = ec2.send(new DisassociateAddressCommand({ AssociationId: 'eipassoc-0000000000000dead' }));
      await rejectsUnchanged(call, 'InvalidAssociationID.NotFound');
    });
  });

  describe('AssignPrivateIpAddresses', () => {
    const assign = (eniId: string, ip: string, allow?: boolean) =>
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: eniId,
        PrivateIpAddresses: [ip],
        AllowReassignment: allow,
      });
    const third = () => {
      const subnet = emu.state.subnets.get(ids.subnetIds[0]);
      if (subnet === undefined) throw new Error('seed has no subnet a');
      return addInstance(emu.state, subnet, { name: 'iris-c', privateIp: '10.109.10.30' }).networkInterfaceId;
    };

    it('adds a secondary address inside the subnet', async () => {
      const out = await ec2.send(assign(irisA().networkInterfaceId, '10.109.10.20'));
      expect(out.NetworkInterfaceId).toBe(irisA().networkInterfaceId);
      expect(out.AssignedPrivateIpAddresses).toEqual([{ PrivateIpAddress: '10.109.10.20' }]);
      expect((await eni(irisA().networkInterfaceId))?.PrivateIpAddresses).toMatchObject([
        { PrivateIpAddress: '10.109.10.10', Primary: true },
        { PrivateIpAddress: '10.109.10.20', Primary: false },
      ]);
    });

    it('refuses an address held by another interface unless AllowReassignment, then moves it', async () => {
      const other = third();
      await ec2.send(assign(irisA().networkInterfaceId, '10.109.10.20'));
      await rejectsUnchanged(ec2.send(assign(other, '10.109.10.20')), 'PrivateIpAddressInUse');
      await ec2.send(assign(other, '10.109.10.20', true));
      const addresses = (id: string) => eni(id).then((n) => n?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress));
      expect(await addresses(irisA().networkInterfaceId)).toEqual(['10.109.10.10']);
      expect(await addresses(other)).toEqual(['10.109.10.30', '10.109.10.20']);
    });

    it('moves an Elastic IP together with the secondary address it sits on', async () => {
      const other = third();
      await ec2.send(assign(irisA().networkInterfaceId, '10.109.10.20'));
      const assoc = { AllocationId: ids.allocationId, NetworkInterfaceId: irisA().networkInterfaceId };
      await ec2.send(
        new AssociateAddressCommand({ ...assoc, PrivateIpAddress: '10.109.10.20', AllowReassociation: true }),
      );
      expect((await eni(irisA().networkInterfaceId))?.Association).toBeUndefined(); // it left the primary address
      await ec2.send(assign(other, '10.109.10.20', true));
      expect(await address()).toMatchObject({ NetworkInterfaceId: other, PrivateIpAddress: '10.109.10.20' });
      const moved = (await eni(other))?.PrivateIpAddresses?.find((p) => p.PrivateIpAddress === '10.109.10.20');
      expect(moved?.Association?.PublicIp).toBe(ids.publicIp);
    });

    it.each([
      ['an address outside the subnet', '10.109.10.100', 'InvalidParameterValue'],
      ['an address reserved by AWS', '10.109.10.1', 'InvalidParameterValue'],
      ['another interface primary address, even with reassignment', '10.109.10.30', 'PrivateIpAddressInUse'],
    ])('rejects %s', async (_what, ip, code) => {
      third();
      await rejectsUnchanged(ec2.send(assign(irisA().networkInterfaceId, ip, true)), code);
    });

    it('rejects an unknown interface', async () => {
      await rejectsUnchanged(
        ec2.send(assign('eni-0000000000000dead', '10.109.10.20')),
        'InvalidNetworkInterfaceID.NotFound',
      );
    });
  });
});
