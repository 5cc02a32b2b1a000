import { canonicalCidr, cidrRange } from './cidr.ts';
import {
  type Ec2State,
  getNetworkInterface,
  getRouteTable,
  primaryInterfaceOf,
  type Route,
  type RouteTable,
  selectResources,
  tagFilterFields,
} from './ec2-state.ts';
import { EmulatorApiError, invalidValue } from './errors.ts';
import type { Filter } from './query.ts';

/** Where a route sends traffic; CreateRoute/ReplaceRoute need exactly one. */
export interface RouteTarget {
  networkInterfaceId?: string;
  instanceId?: string;
  gatewayId?: string;
}

export interface RouteInput {
  routeTableId: string;
  destinationCidrBlock: string;
  target: RouteTarget;
}

function routeFields(table: RouteTable) {
  return (name: string): readonly (string | undefined)[] | undefined => {
    const routes = table.routes;
    switch (name) {
      case 'route-table-id':
        return [table.routeTableId];
      case 'vpc-id':
        return [table.vpcId];
      case 'route.destination-cidr-block':
        return routes.map((r) => r.destinationCidrBlock);
      case 'route.network-interface-id':
        return routes.map((r) => r.networkInterfaceId);
      case 'route.instance-id':
        return routes.map((r) => r.instanceId);
      case 'route.gateway-id':
        return routes.map((r) => r.gatewayId);
      case 'route.state':
        return routes.map((r) => r.state);
      case 'association.subnet-id':
        return table.associations.map((a) => a.subnetId);
      case 'association.main':
        return table.associations.map((a) => String(a.main));
      default:
        return tagFilterFields(table.tags, name);
    }
  };
}

/** DescribeRouteTables: by id (all must exist) and filters. */
export function describeRouteTables(state: Ec2State, ids: readonly string[], filters: readonly Filter[]): RouteTable[] {
  return selectResources(state.routeTables, ids, (id) => getRouteTable(state, id), filters, routeFields);
}

function canonicalDestination(cidr: string): string {
  const canonical = canonicalCidr(cidr);
  if (canonical === undefined) {
    throw invalidValue(
      `Value (${cidr}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`,
    );
  }
  return canonical;
}

/** Validates the target and returns the route fields it sets (the instance comes from the ENI's attachment). */
function resolveTarget(state: Ec2State, table: RouteTable, target: RouteTarget): Omit<Route, 'destinationCidrBlock'> {
  const given = [target.networkInterfaceId, target.instanceId, target.gatewayId].filter((t) => t !== undefined);
  if (given.length === 0) {
    throw new EmulatorApiError(
      'MissingParameter',
      'The request must contain exactly one of gatewayId, instanceId or networkInterfaceId',
    );
  }
  if (given.length > 1) {
    throw new EmulatorApiError('InvalidParameterCombination', 'More than one route target was specified');
  }
  if (target.gatewayId !== undefined) {
    throw new EmulatorApiError('InvalidGatewayID.NotFound', `The gateway ID '${target.gatewayId}' does not exist`);
  }
  const eni =
    target.networkInterfaceId !== undefined
      ? getNetworkInterface(state, target.networkInterfaceId)
      : primaryInterfaceOf(state, target.instanceId as string);
  if (eni.vpcId !== table.vpcId) {
    throw invalidValue(
      `route table ${table.routeTableId} and network interface ${eni.networkInterfaceId} belong to different networks`,
    );
  }
  return {
    networkInterfaceId: eni.networkInterfaceId,
    instanceId: eni.attachment?.instanceId,
    state: 'active',
    origin: 'CreateRoute',
  };
}

/**
 * ReplaceRoute on a missing route: real EC2 answers InvalidParameterValue, not InvalidRoute.NotFound (checked against
 * AWS by moto, getmoto/moto#6425, and by the moto conformance test here); DeleteRoute keeps InvalidRoute.NotFound.
 */
function noRoute(destination: string, table: RouteTable): EmulatorApiError {
  return new EmulatorApiError(
    'InvalidParameterValue',
    `There is no route defined for '${destination}' in the route table ${table.routeTableId}. Use CreateRoute instead.`,
  );
}

/**
 * A route more specific than the VPC's local route must match a whole subnet's CIDR (Amazon VPC user guide, route
 * table rules), so a VIP/32 has to lie outside the VPC's CIDR blocks.
 */
function checkNotInsideVpc(state: Ec2State, table: RouteTable, destination: string): void {
  const d = cidrRange(destination);
  const vpc = state.vpcs.get(table.vpcId);
  const blocks = vpc ? [vpc.cidrBlock, ...(vpc.secondaryCidrBlocks ?? [])].map(cidrRange) : [];
  if (!d || !blocks.some((v) => v && d.first >= v.first && d.last <= v.last)) return;
  const subnets = [...state.subnets.values()].filter((s) => s.vpcId === table.vpcId);
  if (subnets.some((s) => canonicalCidr(s.cidrBlock) === destination)) return;
  throw invalidValue(
    `The destination CIDR block ${destination} is equal to or more specific than one of this VPC's CIDR blocks and does not match a subnet's CIDR block.`,
  );
}

/** CreateRoute: a new route; RouteAlreadyExists when the destination is taken. */
export function createRoute(state: Ec2State, input: RouteInput): void {
  const table = getRouteTable(state, input.routeTableId);
  const destination = canonicalDestination(input.destinationCidrBlock);
  const fields = resolveTarget(state, table, input.target);
  checkNotInsideVpc(state, table, destination);
  if (table.routes.some((r) => r.destinationCidrBlock === destination)) {
    throw new EmulatorApiError('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
  }
  table.routes.push({ destinationCidrBlock: destination, ...fields });
}

/** ReplaceRoute: repoints an existing route; InvalidParameterValue when there is none. */
export function replaceRoute(state: Ec2State, input: RouteInput): void {
  const table = getRouteTable(state, input.routeTableId);
  const destination = canonicalDestination(input.destinationCidrBlock);
  const index = table.routes.findIndex((r) => r.destinationCidrBlock === destination);
  const existing = table.routes[index];
  if (existing === undefined) throw noRoute(destination, table);
  const fields = resolveTarget(state, table, input.target);
  table.routes[index] = { destinationCidrBlock: destination, ...fields };
}

/** DeleteRoute: removes a route; the local route cannot be removed. */
export function deleteRoute(state: Ec2State, routeTableId: string, destinationCidrBlock: string): void {
  const table = getRouteTable(state, routeTableId);
  const destination = canonicalDestination(destinationCidrBlock);
  const index = table.routes.findIndex((r) => r.destinationCidrBlock === destination);
  const existing = table.routes[index];
  if (existing === undefined) {
    throw new EmulatorApiError(
      'InvalidRoute.NotFound',
      `No route with destination-cidr-block ${destination} in route table ${routeTableId}`,
    );
  }
  if (existing.origin === 'CreateRouteTable') {
    throw invalidValue(`cannot remove local route ${destination} in route table ${routeTableId}`);
  }
  table.routes.splice(index, 1);
}
