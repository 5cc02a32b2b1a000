import { invalid, notFound } from './errors.ts';
import { LIST_ENDPOINTS } from './list-endpoints.ts';
import type { OciState } from './oci-state.ts';
import { listPage, Page } from './paging.ts';
import { privateIpJson, publicIpJson, routeTableJson, vnicJson } from './views.ts';

type Handler = (
  s: OciState,
  p: string[],
  q: URLSearchParams,
  body: Record<string, unknown>,
  ifMatch?: string,
) => unknown;
/** One VirtualNetwork operation the emulator serves: method, path, OCI operation name, handler. */
export interface Endpoint {
  method: string;
  pattern: RegExp;
  op: string;
  handle: Handler;
  /** Whether it changes state (default: every method but GET). */
  write?: boolean;
}

export { Page };

/** An optional displayName in an update body: a string of 1–255 characters (UpdatePrivateIpDetails, UpdatePublicIpDetails). */
function displayName(b: Record<string, unknown>): string | undefined {
  const n = b.displayName;
  if (n === undefined) return undefined;
  if (typeof n !== 'string' || n.length < 1 || n.length > 255) throw invalid('displayName must be 1 to 255 characters');
  return n;
}

/** UpdatePrivateIp: a secondary private IP's VNIC (a move) and/or display name; a primary private IP is refused. */
function updatePrivateIp(s: OciState, id: string, b: Record<string, unknown>, ifMatch?: string) {
  const p = s.updatablePrivateIp(id, ifMatch);
  const name = displayName(b);
  if (b.vnicId !== undefined && typeof b.vnicId !== 'string') throw invalid('vnicId must be a VNIC OCID');
  if (typeof b.vnicId === 'string') s.movePrivateIp(id, b.vnicId, ifMatch);
  if (name !== undefined && name !== p.displayName) s.rename(p, name);
  return privateIpJson(p);
}

/** UpdatePublicIp: assign (privateIpId), unassign (privateIpId ""), and/or a new display name. */
function updatePublicIp(s: OciState, id: string, b: Record<string, unknown>, ifMatch?: string) {
  const pub = s.updatablePublicIp(id, ifMatch);
  const name = displayName(b);
  const to = b.privateIpId;
  if (to !== undefined && typeof to !== 'string') throw invalid('privateIpId must be a private IP OCID or ""');
  if (to === '') s.unassignPublicIp(id, ifMatch);
  else if (typeof to === 'string') s.assignPublicIp(id, to, ifMatch);
  if (name !== undefined && name !== pub.displayName) s.rename(pub, name);
  return publicIpJson(pub);
}

export const ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    pattern: /^\/20160918\/privateIps\/([^/]+)$/,
    op: 'GetPrivateIp',
    handle: (s, [id]) => privateIpJson(s.privateIp(id as string)),
  },
  {
    method: 'GET',
    pattern: /^\/20160918\/privateIps$/,
    op: 'ListPrivateIps',
    handle: (s, _p, q) => {
      const subnet = q.get('subnetId');
      const vnic = q.get('vnicId');
      if (!subnet && !vnic) throw invalid('one of subnetId or vnicId is required');
      const ip = q.get('ipAddress');
      const all = [...s.privateIps.values()].filter(
        (p) => (!subnet || p.subnetId === subnet) && (!vnic || p.vnicId === vnic) && (!ip || p.ipAddress === ip),
      );
      return listPage(all.map(privateIpJson), q);
    },
  },
  {
    method: 'PUT',
    pattern: /^\/20160918\/privateIps\/([^/]+)$/,
    op: 'UpdatePrivateIp',
    handle: (s, [id], _q, b, ifMatch) => updatePrivateIp(s, id as string, b, ifMatch),
  },
  {
    method: 'GET',
    pattern: /^\/20160918\/vnics\/([^/]+)$/,
    op: 'GetVnic',
    handle: (s, [id]) => {
      const v = s.vnic(id as string);
      const primary = [...s.privateIps.values()].find((p) => p.vnicId === v.id && p.isPrimary);
      return vnicJson(v, primary?.ipAddress);
    },
  },
  {
    method: 'GET',
    pattern: /^\/20160918\/publicIps\/([^/]+)$/,
    op: 'GetPublicIp',
    handle: (s, [id]) => publicIpJson(s.publicIp(id as string)),
  },
  {
    method: 'PUT',
    pattern: /^\/20160918\/publicIps\/([^/]+)$/,
    op: 'UpdatePublicIp',
    handle: (s, [id], _q, b, ifMatch) => updatePublicIp(s, id as string, b, ifMatch),
  },
  {
    method: 'POST',
    pattern: /^\/20160918\/publicIps\/actions\/getByPrivateIpId$/,
    op: 'GetPublicIpByPrivateIpId',
    write: false,
    handle: (s, _p, _q, b) => {
      if (typeof b.privateIpId !== 'string' || b.privateIpId === '') throw invalid('privateIpId is required');
      const pub = s.publicIpOf(b.privateIpId);
      if (!pub) throw notFound(`a public IP assigned to ${b.privateIpId}`);
      return publicIpJson(pub);
    },
  },
  {
    method: 'GET',
    pattern: /^\/20160918\/routeTables\/([^/]+)$/,
    op: 'GetRouteTable',
    handle: (s, [id]) => routeTableJson(s.routeTable(id as string)),
  },
  {
    method: 'PUT',
    pattern: /^\/20160918\/routeTables\/([^/]+)$/,
    op: 'UpdateRouteTable',
    handle: (s, [id], _q, b, ifMatch) => routeTableJson(s.updateRouteTable(id as string, b.routeRules, ifMatch)),
  },
  ...LIST_ENDPOINTS,
];
