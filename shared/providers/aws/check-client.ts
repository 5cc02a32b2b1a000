import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { GetFunctionConcurrencyCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { apiCodeOf, classifyAwsError } from './aws-errors.ts';

/** The IAM actions the preflight needs beyond the move's own (terraform/aws/check.tf grants them). */
export const CHECK_ACTIONS = ['ec2:DescribeVpcs', 'lambda:GetFunctionConcurrency'] as const;

export type DryRunWrite = 'ReplaceRoute' | 'CreateRoute' | 'AssociateAddress';
/** What a DryRun answered: allowed (DryRunOperation), or refused with the service's message (UnauthorizedOperation). */
export type DryRunAnswer = { allowed: true } | { allowed: false; message: string };

export interface VpcView {
  vpcId: string;
  ipv4: string[];
  ipv6: string[];
}
export interface EniFacts {
  eniId: string;
  vpcId: string;
  sourceDestCheck: boolean;
}
export interface TableFacts {
  routeTableId: string;
  vpcId: string;
  hasRoute: boolean;
}

/** The narrow read-and-dry-run surface of the AWS preflight; no method here can change anything. */
export interface AwsCheckApi {
  /** DryRun=true of one write of a move (EC2 API reference, "Common query parameters": DryRun). */
  dryRun(
    op: DryRunWrite,
    a: { target: string; cidr?: string; eniId: string },
    signal: AbortSignal,
  ): Promise<DryRunAnswer>;
  vpc(vpcId: string, signal: AbortSignal): Promise<VpcView>;
  /** One ENI; null when EC2 answers InvalidNetworkInterfaceID.NotFound. */
  eni(eniId: string, signal: AbortSignal): Promise<EniFacts | null>;
  /** One route table (null when not found), or with `vpcId` every table of that VPC holding the route. */
  tables(q: { id?: string; vpcId?: string; cidr: string }, signal: AbortSignal): Promise<TableFacts[]>;
  /** The Elastic IP's domain; null when not found. */
  address(allocationId: string, signal: AbortSignal): Promise<{ domain: string } | null>;
  /** Reads (and decrypts) a parameter without returning its value. */
  readParameter(name: string, signal: AbortSignal): Promise<void>;
  /** The function's reserved concurrency, null when none is reserved. */
  reservedConcurrency(functionName: string, signal: AbortSignal): Promise<number | null>;
}

async function send<T>(op: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e: unknown) {
    throw classifyAwsError(op, e);
  }
}

const notFound = async <T>(p: Promise<T>, code: string): Promise<T | null> =>
  p.catch((e: unknown) => {
    if (apiCodeOf(e) === code) return null;
    throw e;
  });

function dryRunCommand(op: DryRunWrite, a: { target: string; cidr?: string; eniId: string }) {
  if (op === 'AssociateAddress')
    return new AssociateAddressCommand({
      AllocationId: a.target,
      NetworkInterfaceId: a.eniId,
      AllowReassociation: true,
      DryRun: true,
    });
  const input = { RouteTableId: a.target, DestinationCidrBlock: a.cidr, NetworkInterfaceId: a.eniId, DryRun: true };
  return op === 'ReplaceRoute' ? new ReplaceRouteCommand(input) : new CreateRouteCommand(input);
}

/** The AwsCheckApi over the real SDK clients (maxAttempts 1; retries are the caller's). */
export function sdkCheckApi(c: { ec2: EC2Client; ssm: SSMClient; lambda: LambdaClient }): AwsCheckApi {
  return {
    async dryRun(op, a, abortSignal) {
      try {
        // biome-ignore lint/suspicious/noExplicitAny: three command types share this one send
        await c.ec2.send(dryRunCommand(op, a) as any, { abortSignal });
      } catch (e: unknown) {
        const name = (e as { name?: string }).name;
        if (name === 'DryRunOperation') return { allowed: true };
        if (name === 'UnauthorizedOperation') return { allowed: false, message: String((e as Error).message) };
        throw classifyAwsError(`${op}(DryRun)`, e);
      }
      // a DryRun never succeeds; an endpoint that made the change is not EC2 as documented
      throw classifyAwsError(`${op}(DryRun)`, new Error('DryRun answered success: the request may have been made'));
    },
    async vpc(vpcId, abortSignal) {
      const res = await send('DescribeVpcs', () =>
        c.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }), { abortSignal }),
      );
      const v = res.Vpcs?.[0];
      const ipv4 = (v?.CidrBlockAssociationSet ?? []).map((x) => x.CidrBlock ?? '').filter(Boolean);
      const ipv6 = (v?.Ipv6CidrBlockAssociationSet ?? []).map((x) => x.Ipv6CidrBlock ?? '').filter(Boolean);
      return { vpcId, ipv4: ipv4.length ? ipv4 : [v?.CidrBlock ?? ''].filter(Boolean), ipv6 };
    },
    async eni(eniId, abortSignal) {
      const cmd = new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] });
      const res = await notFound(
        send('DescribeNetworkInterfaces', () => c.ec2.send(cmd, { abortSignal })),
        'InvalidNetworkInterfaceID.NotFound',
      );
      const n = res?.NetworkInterfaces?.[0];
      return n ? { eniId, vpcId: n.VpcId ?? '', sourceDestCheck: n.SourceDestCheck !== false } : null;
    },
    async tables(q, abortSignal) {
      const cmd = new DescribeRouteTablesCommand(
        q.id ? { RouteTableIds: [q.id] } : { Filters: [{ Name: 'vpc-id', Values: [q.vpcId ?? ''] }] },
      );
      const res = await notFound(
        send('DescribeRouteTables', () => c.ec2.send(cmd, { abortSignal })),
        'InvalidRouteTableID.NotFound',
      );
      const all = (res?.RouteTables ?? []).map((t) => ({
        routeTableId: t.RouteTableId ?? '',
        vpcId: t.VpcId ?? '',
        hasRoute: !!t.Routes?.some((r) => r.DestinationCidrBlock === q.cidr),
      }));
      return q.id ? all : all.filter((t) => t.hasRoute);
    },
    async address(allocationId, abortSignal) {
      const cmd = new DescribeAddressesCommand({ AllocationIds: [allocationId] });
      const res = await notFound(
        send('DescribeAddresses', () => c.ec2.send(cmd, { abortSignal })),
        'InvalidAllocationID.NotFound',
      );
      const a = res?.Addresses?.[0];
      return a ? { domain: a.Domain ?? 'standard' } : null;
    },
    async readParameter(name, abortSignal) {
      const cmd = new GetParameterCommand({ Name: name, WithDecryption: true });
      await send('GetParameter', () => c.ssm.send(cmd, { abortSignal }));
    },
    async reservedConcurrency(functionName, abortSignal) {
      const cmd = new GetFunctionConcurrencyCommand({ FunctionName: functionName });
      const res = await send('GetFunctionConcurrency', () => c.lambda.send(cmd, { abortSignal }));
      return res.ReservedConcurrentExecutions ?? null;
    },
  };
}
