import type http from 'node:http';
import { ApiError, type ApiRequest, applyFilter, type ComputeState, listJson, notFound } from './compute-state.ts';

/**
 * One role binding as the emulator models it: permissions granted on a resource path ('projects/P' covers every
 * resource of the project, 'projects/P/zones/Z/instances/I' one instance), as IAM inherits down the hierarchy.
 */
export interface GcpGrant {
  resource: string;
  permissions: string[];
}

/**
 * Grants by caller: the bearer token, or '' for a caller without one (the function over plain http). A caller not
 * in the map is unrestricted, so worlds without a policy behave as before.
 */
export type GcpPolicies = Map<string, GcpGrant[]>;

export const callerOf = (req: http.IncomingMessage): string =>
  /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';

/** Whether the grants give `permission` on `resource` (a grant on an ancestor path counts). */
export function granted(grants: readonly GcpGrant[], permission: string, resource: string): boolean {
  return grants.some(
    (g) => g.permissions.includes(permission) && (resource === g.resource || resource.startsWith(`${g.resource}/`)),
  );
}

const instancePath = (s: ComputeState, [zone, name]: string[]) =>
  `projects/${s.project}/zones/${zone}/instances/${name}`;
const subnetPathOf = (link: string) => /projects\/.+$/.exec(link)?.[0] ?? link;

/** The permissions a call needs and where, as Compute checks them (docs/gcp.md, compute-api.ts GCP_PERMISSIONS_BY_CALL). */
function needs(s: ComputeState, op: string, r: ApiRequest): [string, string][] {
  const project = `projects/${s.project}`;
  const inst = instancePath(s, r.params);
  const nic = s.instance(r.params[0] ?? '', r.params[1] ?? '')?.networkInterfaces[0];
  const subnet = nic ? subnetPathOf(nic.subnetwork) : project;
  switch (op) {
    case 'instances.get':
      return [['compute.instances.get', inst]];
    case 'instances.list':
      return [['compute.instances.list', project]];
    case 'instances.updateNetworkInterface':
      return [
        ['compute.instances.updateNetworkInterface', inst],
        ['compute.subnetworks.use', subnet],
      ];
    case 'instances.addAccessConfig':
      return [
        ['compute.instances.addAccessConfig', inst],
        ['compute.subnetworks.useExternalIp', subnet],
        ['compute.addresses.use', project],
      ];
    case 'instances.deleteAccessConfig':
      return [['compute.instances.deleteAccessConfig', inst]];
    case 'routes.list':
      return [['compute.routes.list', project]];
    case 'routes.get':
      return [['compute.routes.get', project]];
    case 'routes.insert': {
      const hop = /zones\/([^/]+)\/instances\/([^/]+)$/.exec(String(r.body.nextHopInstance ?? ''));
      const target: [string, string][] = hop
        ? [['compute.instances.use', instancePath(s, [hop[1] ?? '', hop[2] ?? ''])]]
        : [];
      return [['compute.routes.create', project], ['compute.networks.updatePolicy', project], ...target];
    }
    case 'routes.delete':
      return [
        ['compute.routes.delete', project],
        ['compute.networks.updatePolicy', project],
      ];
    case 'subnetworks.get':
      return [['compute.subnetworks.get', `${project}/regions/${r.params[0]}/subnetworks/${r.params[1]}`]];
    case 'addresses.list':
      return [['compute.addresses.list', project]];
    default:
      // operations: compute.zoneOperations.get / globalOperations.get on the project; testIamPermissions: anyone
      return op.endsWith('Operations.get') || op.endsWith('Operations.wait')
        ? [[`compute.${op.split('.')[0]}.get`, project]]
        : [];
  }
}

/** 403 forbidden naming the first missing permission, in Compute's words; nothing when allowed or unrestricted. */
export function authorizeCompute(s: ComputeState, caller: string, op: string, r: ApiRequest): void {
  const grants = s.iam.get(caller);
  if (!grants) return;
  const missing = needs(s, op, r).find(([p, res]) => !granted(grants, p, res));
  if (missing) throw new ApiError(403, 'forbidden', `Required '${missing[0]}' permission for '${missing[1]}'`);
}

/** testIamPermissions: the subset of the asked permissions the caller holds on the resource (no permission needed). */
export function testPermissions(s: ComputeState, caller: string, resource: string, body: Record<string, unknown>) {
  const asked = Array.isArray(body.permissions) ? body.permissions.map(String) : [];
  if (asked.length > 100) throw new ApiError(400, 'invalid', 'at most 100 permissions per request');
  const grants = s.iam.get(caller);
  const held = grants ? asked.filter((p) => granted(grants, p, resource)) : asked;
  return held.length ? { permissions: held } : {};
}

/** instances.testIamPermissions: POST zones/{zone}/instances/{resource}/testIamPermissions. */
export function testInstance(s: ComputeState, caller: string, r: ApiRequest) {
  if (!s.instance(r.params[0] ?? '', r.params[1] ?? '')) throw notFound(instancePath(s, r.params));
  return testPermissions(s, caller, instancePath(s, r.params), r.body);
}

/** subnetworks.testIamPermissions: POST regions/{region}/subnetworks/{resource}/testIamPermissions. */
export function testSubnetwork(s: ComputeState, caller: string, r: ApiRequest) {
  const path = `projects/${s.project}/regions/${r.params[0]}/subnetworks/${r.params[1]}`;
  if (!s.subnetworks.has(r.params[1] ?? '')) throw notFound(path);
  return testPermissions(s, caller, path, r.body);
}

/** subnetworks.get: the primary and secondary ranges. */
export function getSubnetwork(s: ComputeState, r: ApiRequest) {
  const sub = s.subnetworks.get(r.params[1] ?? '');
  const path = `regions/${r.params[0]}/subnetworks/${r.params[1]}`;
  if (!sub || r.params[0] !== s.region) throw notFound(`projects/${s.project}/${path}`);
  return {
    kind: 'compute#subnetwork',
    name: sub.name,
    network: sub.network,
    ipCidrRange: sub.ipCidrRange,
    secondaryIpRanges: sub.secondaryIpRanges ?? [],
    region: s.link(`regions/${s.region}`),
    selfLink: s.link(path),
  };
}

/** addresses.list in the region, with the list filter (e.g. address = "34.1.2.3"). */
export function listAddresses(s: ComputeState, r: ApiRequest, filter: string | null) {
  const items = [...s.addresses.values()].map((a) => ({
    kind: 'compute#address',
    id: a.id,
    name: a.name,
    address: a.address,
    addressType: a.addressType,
    networkTier: a.networkTier ?? 'PREMIUM',
    status: 'RESERVED',
    region: s.link(`regions/${s.region}`),
    selfLink: s.link(`regions/${s.region}/addresses/${a.name}`),
  }));
  return listJson(s, 'compute#addressList', `regions/${r.params[0]}/addresses`, applyFilter(items, filter));
}

/**
 * The function's grants as terraform/gcp/iam.tf and check.tf make them, for the seeded alias-ip or route mirror:
 * tests remove one permission and watch both the preflight and a real move fail.
 */
export function functionGrants(s: ComputeState, mode: 'alias-ip' | 'route', instances: [string, string][]): GcpGrant[] {
  const project = `projects/${s.project}`;
  const subnet = `${project}/regions/${s.region}/subnetworks/default`;
  const alias = mode === 'alias-ip';
  const inst = alias
    ? [
        'compute.instances.get',
        'compute.instances.updateNetworkInterface',
        'compute.instances.addAccessConfig',
        'compute.instances.deleteAccessConfig',
      ]
    : ['compute.instances.get', 'compute.instances.use'];
  return [
    ...instances.map(([zone, name]) => ({ resource: `${project}/zones/${zone}/instances/${name}`, permissions: inst })),
    {
      resource: subnet,
      permissions: [
        'compute.subnetworks.get',
        ...(alias ? ['compute.subnetworks.use', 'compute.subnetworks.useExternalIp'] : []),
      ],
    },
    {
      resource: project,
      permissions: alias
        ? ['compute.zoneOperations.get', 'compute.addresses.use', 'compute.addresses.list']
        : [
            'compute.globalOperations.get',
            'compute.networks.updatePolicy',
            'compute.routes.create',
            'compute.routes.delete',
            'compute.routes.get',
            'compute.routes.list',
          ],
    },
  ];
}
