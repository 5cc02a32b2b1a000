import { invalid } from './errors.ts';
import type { OciState } from './oci-state.ts';
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
      return [...s.privateIps.values()]
        .filter(
          (p) => (!subnet || p.subnetId === subnet) && (!vnic || p.vnicId === vnic) && (!ip || p.ipAddress === ip),
        )
        .map(privateIpJson);
    },
  },
  {
    method: 'PUT',
    pattern: /^\/20160918\/privateIps\/([^/]+)$/,
    op: 'UpdatePrivateIp',
    handle: (s, [id], _q, b, ifMatch) => {
      const p = s.privateIp(id as string);
      if (typeof b.vnicId === 'string') return privateIpJson(s.movePrivateIp(p.id, b.vnicId, ifMatch));
      return privateIpJson(p);
    },
  },
  {
    method: 'GET',
    pattern: /^\/20160918\/vnics\/([^/]+)$/,
    op: 'GetVnic',
    handle: (s, [id]) => vnicJson(s.vnic(id as string)),
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
    handle: (s, [id], _q, b, ifMatch) => {
      if (typeof b.privateIpId !== 'string') throw invalid('privateIpId is required to assign a reserved public IP');
      return publicIpJson(s.assignPublicIp(id as string, b.privateIpId, ifMatch));
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
];
