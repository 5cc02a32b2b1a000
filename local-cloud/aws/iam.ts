import type { IncomingMessage } from 'node:http';
import type { Ec2State } from './ec2-state.ts';
import { EmulatorApiError } from './errors.ts';
import type { Dispatch } from './protocol.ts';

/**
 * One Allow statement of an identity's policy: an action ('ec2:ReplaceRoute', 'ec2:*') on resource ARNs ('*' or a
 * glob such as 'arn:aws:ec2:*:*:route-table/rtb-0abc'). There is no Deny: a missing Allow is what a clean-up removes.
 */
export interface Grant {
  action: string;
  resources: string[];
}

/**
 * Identities with a policy, by access key id. A key that is not here is unrestricted (the emulator's default, so
 * worlds without a policy behave as before); a key that is here may do only what its grants allow.
 */
export type IamPolicies = Map<string, Grant[]>;

/** The access key id of a SigV4-signed request ("Credential=AKID/date/region/service/aws4_request"). */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === 'string' ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

/** The resource ARNs an action is authorized against (the Service Authorization Reference's resource types). */
export function resourcesOf(state: Ec2State, d: Dispatch): string[] {
  const ec2 = (type: string, id: string | undefined) =>
    `arn:aws:ec2:${state.region}:${state.ownerId}:${type}/${id ?? ''}`;
  const p = d.params;
  if (d.service === 'ec2') {
    if (d.action === 'CreateRoute' || d.action === 'ReplaceRoute' || d.action === 'DeleteRoute')
      return [ec2('route-table', p.RouteTableId)];
    if (d.action === 'AssociateAddress')
      return [ec2('elastic-ip', p.AllocationId), ec2('network-interface', p.NetworkInterfaceId)];
    if (d.action === 'AssignPrivateIpAddresses' || d.action === 'ModifyNetworkInterfaceAttribute')
      return [ec2('network-interface', p.NetworkInterfaceId)];
    return ['*']; // Describe* actions support no resource-level permissions
  }
  if (d.service === 'ssm') {
    const name = p.Name ?? '';
    return [`arn:aws:ssm:${state.region}:${state.ownerId}:parameter${name.startsWith('/') ? '' : '/'}${name}`];
  }
  if (d.service === 'lambda')
    return [`arn:aws:lambda:${state.region}:${state.ownerId}:function:${p.FunctionName ?? ''}`];
  return [p.TopicArn ?? p.TargetArn ?? '*'];
}

function allowed(grants: readonly Grant[], action: string, resource: string): boolean {
  return grants.some(
    (g) =>
      glob(g.action).test(action) && g.resources.some((r) => r === '*' || resource === '*' || glob(r).test(resource)),
  );
}

/**
 * The error a request of an identity without the permission gets, as each service words it; undefined when allowed.
 * EC2: 403 UnauthorizedOperation "…Encoded authorization failure message: <opaque>" (decoded by STS
 * DecodeAuthorizationMessage; here base64 of the decoded JSON's shape: allowed, explicitDeny, context).
 */
export function authorize(policies: IamPolicies, key: string | undefined, state: Ec2State, d: Dispatch) {
  const grants = key === undefined ? undefined : policies.get(key);
  if (grants === undefined || d.action === '') return undefined;
  const action = `${d.service}:${d.action}`;
  const denied = resourcesOf(state, d).find((r) => !allowed(grants, action, r));
  if (denied === undefined) return undefined;
  const user = `arn:aws:sts::${state.ownerId}:assumed-role/mirror-vip/${key}`;
  if (d.service === 'ec2') {
    const decoded = { allowed: false, explicitDeny: false, matchedStatements: { items: [] }, failures: { items: [] } };
    const context = { principal: { arn: user }, action, resource: denied, conditions: { items: [] } };
    const encoded = Buffer.from(JSON.stringify({ ...decoded, context })).toString('base64');
    return new EmulatorApiError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. User: ${user} is not authorized to perform: ${action} on resource: ${denied} because no identity-based policy allows the ${action} action. Encoded authorization failure message: ${encoded}`,
      403,
    );
  }
  const message = `User: ${user} is not authorized to perform: ${action} on resource: ${denied} because no identity-based policy allows the ${action} action`;
  if (d.service === 'ssm') return new EmulatorApiError('AccessDeniedException', message, 400);
  if (d.service === 'lambda') return new EmulatorApiError('AccessDeniedException', message, 403);
  return new EmulatorApiError('AuthorizationError', message, 403);
}

/**
 * The function role's policy as terraform/aws/iam.tf and check.tf write it, for a seeded mirror: the tests remove
 * one grant and watch both the preflight and a real move fail.
 */
export function functionGrants(
  state: Ec2State,
  m: { routeTableIds: string[]; allocationId: string; eniIds: string[]; topicArn?: string; functionName: string },
): Grant[] {
  const ec2 = `arn:aws:ec2:${state.region}:${state.ownerId}`;
  return [
    { action: 'ec2:DescribeRouteTables', resources: ['*'] },
    { action: 'ec2:DescribeNetworkInterfaces', resources: ['*'] },
    { action: 'ec2:DescribeAddresses', resources: ['*'] },
    { action: 'ec2:DescribeVpcs', resources: ['*'] },
    { action: 'ec2:ReplaceRoute', resources: m.routeTableIds.map((id) => `${ec2}:route-table/${id}`) },
    { action: 'ec2:CreateRoute', resources: m.routeTableIds.map((id) => `${ec2}:route-table/${id}`) },
    {
      action: 'ec2:AssociateAddress',
      resources: [`${ec2}:elastic-ip/${m.allocationId}`, ...m.eniIds.map((id) => `${ec2}:network-interface/${id}`)],
    },
    { action: 'ssm:GetParameter', resources: [`arn:aws:ssm:${state.region}:${state.ownerId}:parameter/mirror-vip/*`] },
    { action: 'sns:Publish', resources: m.topicArn ? [m.topicArn] : [] },
    {
      action: 'lambda:GetFunctionConcurrency',
      resources: [`arn:aws:lambda:${state.region}:${state.ownerId}:function:${m.functionName}`],
    },
  ];
}
