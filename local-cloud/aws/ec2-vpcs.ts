import type { Ec2Action } from './ec2-actions.ts';
import { getNetworkInterface, getRouteTable, selectResources, tagFilterFields, type Vpc } from './ec2-state.ts';
import { EmulatorApiError } from './errors.ts';
import { filterParams, listParam, type Params, requireParam } from './query.ts';

function vpcXml(ownerId: string, v: Vpc) {
  const v4 = [v.cidrBlock, ...(v.secondaryCidrBlocks ?? [])];
  return {
    vpcId: v.vpcId,
    ownerId,
    state: 'available',
    cidrBlock: v.cidrBlock,
    cidrBlockAssociationSet: v4.map((cidrBlock, i) => ({
      associationId: `${v.vpcId.replace('vpc-', 'vpc-cidr-assoc-')}${i}`,
      cidrBlock,
      cidrBlockState: { state: 'associated' },
    })),
    ipv6CidrBlockAssociationSet: (v.ipv6CidrBlocks ?? []).map((ipv6CidrBlock, i) => ({
      associationId: `${v.vpcId.replace('vpc-', 'vpc-cidr-assoc-6')}${i}`,
      ipv6CidrBlock,
      ipv6CidrBlockState: { state: 'associated' },
      networkBorderGroup: 'us-east-1',
    })),
    dhcpOptionsId: 'dopt-0123456789abcdef0',
    instanceTenancy: 'default',
    isDefault: false,
    tagSet: Object.entries(v.tags).map(([key, value]) => ({ key, value })),
  };
}

/** DescribeVpcs: by id (all must exist) and filters, with every IPv4 and IPv6 block (EC2 API reference, Vpc). */
export const describeVpcs: Ec2Action = {
  write: false,
  run: (state, p) => {
    const lookup = (id: string) => {
      const vpc = state.vpcs.get(id);
      if (vpc === undefined) throw new EmulatorApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
      return vpc;
    };
    const fields = (v: Vpc) => (name: string) =>
      name === 'vpc-id'
        ? [v.vpcId]
        : name === 'cidr-block-association.cidr-block'
          ? [v.cidrBlock, ...(v.secondaryCidrBlocks ?? [])]
          : tagFilterFields(v.tags, name);
    const vpcs = selectResources(state.vpcs, listParam(p, 'VpcId'), lookup, filterParams(p), fields);
    return { vpcSet: vpcs.map((v) => vpcXml(state.ownerId, v)) };
  },
};

/**
 * DryRun of CreateRoute / ReplaceRoute: a permission test. The table and the ENI must exist; whether the route is
 * there yet is the write's business, not the permission's (so both calls of a move can be tested on any table).
 */
export function routeDryRun(state: Parameters<Ec2Action['run']>[0], p: Params): Record<string, never> {
  getRouteTable(state, requireParam(p, 'RouteTableId'));
  requireParam(p, 'DestinationCidrBlock');
  getNetworkInterface(state, requireParam(p, 'NetworkInterfaceId'));
  return {};
}
