import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeImagesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local-cloud/aws/ec2-emulator.ts';
import { expectSdkError, sdkClients } from '../../../local-cloud/aws/sdk-clients.ts';
import { type SeededMirror, seedMirrorVpc } from '../../../local-cloud/aws/seed.ts';

describe('EC2 emulator: route tables, through the real EC2 client', () => {
  let emu: AwsEmulator;
  let ids: SeededMirror;
  let ec2: EC2Client;

  beforeEach(async () => {
    emu = await startAwsEmulator();
    ids = seedMirrorVpc(emu.state, { tables: 3 });
    ec2 = sdkClients(emu).ec2;
  });
  afterEach(() => emu.close());

  const irisA = () => ids.members['iris-a'];
  const irisB = () => ids.members['iris-b'];
  const table = (i: number) => ids.routeTableIds[i] as string;
  const vipRoute = async (routeTableId: string) => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }));
    return out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === ids.vipCidr);
  };
  /** The call must fail with `code` and leave the state exactly as it was. */
  const rejectsUnchanged = async (call: Promise<unknown>, code: string) => {
    const before = structuredClone(emu.state);
    const error = await expectSdkError(call, code);
    expect(emu.state).toEqual(before);
    expect(error.$fault).toBe('client');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    return error;
  };

  describe('DescribeRouteTables', () => {
    it('returns every field of the table, its routes, associations and tags', async () => {
      const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table(0)] }));
      expect(out.RouteTables).toHaveLength(1);
      const t = out.RouteTables?.[0];
      expect(t).toMatchObject({ RouteTableId: table(0), VpcId: ids.vpcId, OwnerId: '123456789012' });
      expect(t?.Routes).toEqual([
        { DestinationCidrBlock: '10.109.10.0/24', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
        {
          DestinationCidrBlock: '10.109.11.254/32',
          NetworkInterfaceId: irisA().networkInterfaceId,
          InstanceId: irisA().instanceId,
          InstanceOwnerId: '123456789012',
          State: 'active',
          Origin: 'CreateRoute',
        },
      ]);
      expect(t?.Associations?.[0]).toMatchObject({ SubnetId: ids.subnetIds[0], Main: false, RouteTableId: table(0) });
      expect(t?.Associations?.[0]?.RouteTableAssociationId).toMatch(/^rtbassoc-0[0-9a-f]{16}$/);
      expect(t?.Tags).toEqual([{ Key: 'Name', Value: 'mirror-rt-1' }]);
      expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('generates ids that look like real ones', () => {
      expect(table(0)).toMatch(/^rtb-0[0-9a-f]{16}$/);
      expect(irisA().networkInterfaceId).toMatch(/^eni-0[0-9a-f]{16}$/);
      expect(ids.allocationId).toMatch(/^eipalloc-0[0-9a-f]{16}$/);
      expect(irisA().instanceId).toMatch(/^i-0[0-9a-f]{16}$/);
    });

    it('filters by vpc-id, route-table-id, route.destination-cidr-block and tags (ANDed, values ORed)', async () => {
      const byVpc = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [ids.vpcId] }] }),
      );
      expect(byVpc.RouteTables?.map((t) => t.RouteTableId)).toEqual(ids.routeTableIds);
      const filters = [
        { Name: 'route-table-id', Values: [table(0), table(2)] },
        { Name: 'route.destination-cidr-block', Values: [ids.vipCidr] },
      ];
      const both = await ec2.send(new DescribeRouteTablesCommand({ Filters: filters }));
      expect(both.RouteTables?.map((t) => t.RouteTableId)).toEqual([table(0), table(2)]);
      const none = await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [{ Name: 'route.destination-cidr-block', Values: ['10.9.9.9/32'] }],
        }),
      );
      expect(none.RouteTables).toEqual([]);
      const tagged = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['mirror-rt-2'] }] }),
      );
      expect(tagged.RouteTables?.map((t) => t.RouteTableId)).toEqual([table(1)]);
    });

    it('rejects an unknown id with InvalidRouteTableID.NotFound naming it', async () => {
      const call = ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table(0), 'rtb-0000000000000dead'] }));
      const error = await rejectsUnchanged(call, 'InvalidRouteTableID.NotFound');
      expect(error.message).toBe("The routeTable ID 'rtb-0000000000000dead' does not exist");
    });

    it('rejects an unknown filter name with InvalidParameterValue', async () => {
      const call = ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] }));
      await rejectsUnchanged(call, 'InvalidParameterValue');
    });
  });

  describe('CreateRoute', () => {
    it('adds a route to an interface, canonicalises the CIDR and records the instance from the attachment', async () => {
      const out = await ec2.send(
        new CreateRouteCommand({
          RouteTableId: table(1),
          DestinationCidrBlock: '192.168.7.9/16',
          NetworkInterfaceId: irisB().networkInterfaceId,
        }),
      );
      expect(out.Return).toBe(true);
      const described = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table(1)] }));
      const route = described.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '192.168.0.0/16');
      expect(route).toMatchObject({ NetworkInterfaceId: irisB().networkInterfaceId, InstanceId: irisB().instanceId });
      expect(route).toMatchObject({ State: 'active', Origin: 'CreateRoute' });
    });

    it('accepts an instance as the target and resolves its primary interface', async () => {
      const cmd = { RouteTableId: table(0), DestinationCidrBlock: '10.200.0.0/16', InstanceId: irisB().instanceId };
      await ec2.send(new CreateRouteCommand(cmd));
      const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table(0)] }));
      const route = out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '10.200.0.0/16');
      expect(route?.NetworkInterfaceId).toBe(irisB().networkInterfaceId);
    });

    it.each([
      ['an unknown table', { RouteTableId: 'rtb-0000000000000dead' }, 'InvalidRouteTableID.NotFound'],
      ['an unknown interface', { NetworkInterfaceId: 'eni-0000000000000dead' }, 'InvalidNetworkInterfaceID.NotFound'],
      ['an existing destination', { DestinationCidrBlock: '10.109.11.254/32' }, 'RouteAlreadyExists'],
      ['a destination that is not a CIDR', { DestinationCidrBlock: '10.1.2/33' }, 'InvalidParameterValue'],
      ['a /32 inside the VPC that is no subnet', { DestinationCidrBlock: '10.109.10.254/32' }, 'InvalidParameterValue'],
      ['no target', { NetworkInterfaceId: undefined }, 'MissingParameter'],
      [
        'a gateway the account does not have',
        { NetworkInterfaceId: undefined, GatewayId: 'igw-1' },
        'InvalidGatewayID.NotFound',
      ],
    ])('rejects %s with the real error code', async (_what, change, code) => {
      const base = {
        RouteTableId: table(0),
        DestinationCidrBlock: '10.109.11.254/32',
        NetworkInterfaceId: irisB().networkInterfaceId,
      };
      const input = { ...base, DestinationCidrBlock: '172.16.0.0/12', ...change };
      await rejectsUnchanged(ec2.send(new CreateRouteCommand(input)), code);
    });

    it('names the missing parameter', async () => {
      const input = { RouteTableId: table(0), NetworkInterfaceId: irisB().networkInterfaceId };
      const error = await rejectsUnchanged(ec2.send(new CreateRouteCommand(input)), 'MissingParameter');
      expect(error.message).toContain('DestinationCidrBlock');
    });
  });

  describe('ReplaceRoute', () => {
    it('repoints the VIP route at another interface', async () => {
      const input = {
        RouteTableId: table(2),
        DestinationCidrBlock: ids.vipCidr,
        NetworkInterfaceId: irisB().networkInterfaceId,
      };
      expect((await ec2.send(new ReplaceRouteCommand(input))).$metadata.httpStatusCode).toBe(200);
      expect(await vipRoute(table(2))).toMatchObject({
        NetworkInterfaceId: irisB().networkInterfaceId,
        InstanceId: irisB().instanceId,
        State: 'active',
      });
      expect((await vipRoute(table(0)))?.NetworkInterfaceId).toBe(irisA().networkInterfaceId);
    });

    it.each([
      ['an unknown table', { RouteTableId: 'rtb-0000000000000dead' }, 'InvalidRouteTableID.NotFound'],
      // real EC2 (and moto since getmoto/moto#6425) answers InvalidParameterValue here, not InvalidRoute.NotFound
      ['a destination with no route', { DestinationCidrBlock: '10.77.0.0/16' }, 'InvalidParameterValue'],
      ['an unknown interface', { NetworkInterfaceId: 'eni-0000000000000dead' }, 'InvalidNetworkInterfaceID.NotFound'],
      ['a missing table id', { RouteTableId: undefined }, 'MissingParameter'],
    ])('rejects %s with the real error code', async (_what, change, code) => {
      const base = {
        RouteTableId: table(0),
        DestinationCidrBlock: ids.vipCidr,
        NetworkInterfaceId: irisB().networkInterfaceId,
      };
      await rejectsUnchanged(ec2.send(new ReplaceRouteCommand({ ...base, ...change } as typeof base)), code);
    });
  });

  describe('DeleteRoute', () => {
    it('removes the route so that a create can follow (delete-then-create)', async () => {
      await ec2.send(new DeleteRouteCommand({ RouteTableId: table(0), DestinationCidrBlock: ids.vipCidr }));
      expect(await vipRoute(table(0))).toBeUndefined();
      const input = {
        RouteTableId: table(0),
        DestinationCidrBlock: ids.vipCidr,
        NetworkInterfaceId: irisB().networkInterfaceId,
      };
      await ec2.send(new CreateRouteCommand(input));
      expect((await vipRoute(table(0)))?.NetworkInterfaceId).toBe(irisB().networkInterfaceId);
    });

    it('rejects a missing route with InvalidRoute.NotFound and the local route with InvalidParameterValue', async () => {
      const missing = { RouteTableId: table(0), DestinationCidrBlock: '10.77.0.0/16' };
      await rejectsUnchanged(ec2.send(new DeleteRouteCommand(missing)), 'InvalidRoute.NotFound');
      const local = { RouteTableId: table(0), DestinationCidrBlock: ids.vpcCidr };
      await rejectsUnchanged(ec2.send(new DeleteRouteCommand(local)), 'InvalidParameterValue');
      const unknown = { RouteTableId: 'rtb-0000000000000dead', DestinationCidrBlock: ids.vipCidr };
      await rejectsUnchanged(ec2.send(new DeleteRouteCommand(unknown)), 'InvalidRouteTableID.NotFound');
    });
  });

  describe('request handling', () => {
    it('answers an action it does not implement with InvalidAction', async () => {
      const error = await rejectsUnchanged(ec2.send(new DescribeImagesCommand({})), 'InvalidAction');
      expect(error.message).toContain('DescribeImages');
    });

    it('validates a DryRun request without applying it (412 DryRunOperation)', async () => {
      const input = {
        RouteTableId: table(0),
        DestinationCidrBlock: ids.vipCidr,
        NetworkInterfaceId: irisB().networkInterfaceId,
      };
      const before = structuredClone(emu.state);
      const dry = await expectSdkError(
        ec2.send(new ReplaceRouteCommand({ ...input, DryRun: true })),
        'DryRunOperation',
      );
      expect(dry.$metadata.httpStatusCode).toBe(412);
      expect(emu.state).toEqual(before);
      const bad = { ...input, RouteTableId: 'rtb-0000000000000dead', DryRun: true };
      await rejectsUnchanged(ec2.send(new ReplaceRouteCommand(bad)), 'InvalidRouteTableID.NotFound');
    });

    it('escapes text so markup and invalid characters survive the round trip', async () => {
      const stored = emu.state.routeTables.get(table(0));
      if (stored !== undefined) stored.tags.Note = `<b>&"quoted"'s</b>\u0001`;
      const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table(0)] }));
      expect(out.RouteTables?.[0]?.Tags).toContainEqual({ Key: 'Note', Value: `<b>&"quoted"'s</b>\uFFFD` });
      const odd = 'rtb-<x>&"\'';
      const error = await rejectsUnchanged(
        ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [odd] })),
        'InvalidRouteTableID.NotFound',
      );
      expect(error.message).toBe(`The routeTable ID '${odd}' does not exist`);
    });

    it('answers a request without an Action with MissingAction, and caps the body at 1 MiB', async () => {
      const missing = await fetch(emu.url, { method: 'POST', body: 'Version=2016-11-15' });
      expect(missing.status).toBe(400);
      expect(await missing.text()).toContain('<Code>MissingAction</Code>');
      const huge = await fetch(emu.url, {
        method: 'POST',
        body: `Action=DescribeRouteTables&X=${'a'.repeat(2 << 20)}`,
      });
      expect(huge.status).toBe(413);
      expect(emu.calls.map((c) => c.status)).toEqual([400, 413]);
    });

    it('listens on 127.0.0.1 and sends the request id as x-amzn-requestid', async () => {
      expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(emu.url, { method: 'POST', body: 'Action=DescribeRouteTables&Version=2016-11-15' });
      const body = await res.text();
      const requestId = res.headers.get('x-amzn-requestid');
      expect(body).toContain(`<requestId>${requestId}</requestId>`);
      expect(body).toContain('<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    });
  });
});
