import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { classifyAwsError } from './aws-errors.ts';

/** The IAM actions this client needs, one per method below: the deployment's policy is checked against it. */
export const EC2_ACTIONS = [
  'ec2:DescribeRouteTables',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeAddresses',
  'ec2:ReplaceRoute',
  'ec2:CreateRoute',
  'ec2:AssociateAddress',
] as const;

export interface RouteTableView {
  routeTableId: string;
  /** The ENI the VIP route points at; null when that route is missing or points at no ENI. */
  vipTarget: string | null;
  hasVipRoute: boolean;
}
export interface EniView {
  eniId: string;
  sourceDestCheck: boolean;
}
export interface AddressView {
  allocationId: string;
  eniId: string | null;
  publicIp: string | null;
}
/** A route table with every route's destination → ENI (null: the route targets something else). */
export interface RouteTableRaw {
  routeTableId: string;
  vpcId: string;
  routes: Record<string, string | null>;
}

export interface RouteArgs {
  routeTableId: string;
  cidr: string;
  eniId: string;
}

/** The narrow EC2 surface the AWS provider uses; the seam for tests and the list of permissions. */
export interface Ec2Api {
  describeRouteTables(
    q: { ids?: string[]; vpcId?: string; cidr: string },
    signal: AbortSignal,
  ): Promise<RouteTableView[]>;
  describeNetworkInterfaces(ids: string[], signal: AbortSignal): Promise<EniView[]>;
  describeAddress(allocationId: string, signal: AbortSignal): Promise<AddressView>;
  replaceRoute(a: RouteArgs, signal: AbortSignal): Promise<void>;
  createRoute(a: RouteArgs, signal: AbortSignal): Promise<void>;
  associateAddress(a: { allocationId: string; eniId: string }, signal: AbortSignal): Promise<void>;
  /** Many route tables in one call (by id, or by VPC), every route kept: the reconcile snapshot. Optional. */
  describeRouteTablesRaw?(q: { ids?: string[]; vpcIds?: string[] }, signal: AbortSignal): Promise<RouteTableRaw[]>;
  /** Many Elastic IPs in one call: the reconcile snapshot. Optional. */
  describeAddresses?(allocationIds: string[], signal: AbortSignal): Promise<AddressView[]>;
}

async function send<T>(op: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e: unknown) {
    throw classifyAwsError(op, e);
  }
}

/** The Ec2Api over the real SDK client (create it with maxAttempts: 1; retries are the caller's). */
export function sdkEc2Api(client: EC2Client): Ec2Api {
  return {
    async describeRouteTables(q, abortSignal) {
      const out: RouteTableView[] = [];
      let NextToken: string | undefined;
      do {
        const cmd = new DescribeRouteTablesCommand({
          RouteTableIds: q.ids,
          Filters: q.vpcId ? [{ Name: 'vpc-id', Values: [q.vpcId] }] : undefined,
          NextToken,
        });
        const res = await send('DescribeRouteTables', () => client.send(cmd, { abortSignal }));
        for (const t of res.RouteTables ?? []) {
          const route = t.Routes?.find((r) => r.DestinationCidrBlock === q.cidr);
          out.push({
            routeTableId: t.RouteTableId ?? '',
            vipTarget: route?.NetworkInterfaceId ?? null,
            hasVipRoute: !!route,
          });
        }
        NextToken = res.NextToken;
      } while (NextToken);
      return out;
    },
    async describeRouteTablesRaw(q, abortSignal) {
      const out: RouteTableRaw[] = [];
      let NextToken: string | undefined;
      do {
        const cmd = new DescribeRouteTablesCommand({
          RouteTableIds: q.ids,
          Filters: q.vpcIds ? [{ Name: 'vpc-id', Values: q.vpcIds }] : undefined,
          NextToken,
        });
        const res = await send('DescribeRouteTables', () => client.send(cmd, { abortSignal }));
        for (const t of res.RouteTables ?? []) {
          const routes = Object.fromEntries(
            (t.Routes ?? []).flatMap((r) =>
              r.DestinationCidrBlock ? [[r.DestinationCidrBlock, r.NetworkInterfaceId ?? null]] : [],
            ),
          );
          out.push({ routeTableId: t.RouteTableId ?? '', vpcId: t.VpcId ?? '', routes });
        }
        NextToken = res.NextToken;
      } while (NextToken);
      return out;
    },
    async describeAddresses(allocationIds, abortSignal) {
      const cmd = new DescribeAddressesCommand({ AllocationIds: allocationIds });
      const res = await send('DescribeAddresses', () => client.send(cmd, { abortSignal }));
      return (res.Addresses ?? []).map((a) => ({
        allocationId: a.AllocationId ?? '',
        eniId: a.NetworkInterfaceId ?? null,
        publicIp: a.PublicIp ?? null,
      }));
    },
    async describeNetworkInterfaces(ids, abortSignal) {
      const cmd = new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids });
      const res = await send('DescribeNetworkInterfaces', () => client.send(cmd, { abortSignal }));
      return (res.NetworkInterfaces ?? []).map((n) => ({
        eniId: n.NetworkInterfaceId ?? '',
        sourceDestCheck: n.SourceDestCheck !== false,
      }));
    },
    async describeAddress(allocationId, abortSignal) {
      const cmd = new DescribeAddressesCommand({ AllocationIds: [allocationId] });
      const res = await send('DescribeAddresses', () => client.send(cmd, { abortSignal }));
      const a = res.Addresses?.[0];
      return { allocationId, eniId: a?.NetworkInterfaceId ?? null, publicIp: a?.PublicIp ?? null };
    },
    async replaceRoute(a, abortSignal) {
      const cmd = new ReplaceRouteCommand({
        RouteTableId: a.routeTableId,
        DestinationCidrBlock: a.cidr,
        NetworkInterfaceId: a.eniId,
      });
      await send('ReplaceRoute', () => client.send(cmd, { abortSignal }));
    },
    async createRoute(a, abortSignal) {
      const cmd = new CreateRouteCommand({
        RouteTableId: a.routeTableId,
        DestinationCidrBlock: a.cidr,
        NetworkInterfaceId: a.eniId,
      });
      await send('CreateRoute', () => client.send(cmd, { abortSignal }));
    },
    async associateAddress(a, abortSignal) {
      const cmd = new AssociateAddressCommand({
        AllocationId: a.allocationId,
        NetworkInterfaceId: a.eniId,
        AllowReassociation: true,
      });
      await send('AssociateAddress', () => client.send(cmd, { abortSignal }));
    },
  };
}
