import type { Endpoint } from './endpoints.ts';
import { invalid, missing } from './errors.ts';
import type { OciState } from './oci-state.ts';
import { listPage } from './paging.ts';
import { AD, COMPARTMENT } from './resources.ts';
import { publicIpJson, publicIpScope, routeTableJson } from './views.ts';

/** The required compartmentId of a compartment-wide List call (400 MissingParameter without it). */
function compartmentOf(q: URLSearchParams): string {
  const c = q.get('compartmentId');
  if (!c) throw missing('compartmentId');
  if (c.length > 255) throw invalid('compartmentId must be 1 to 255 characters');
  return c;
}

/**
 * ListPublicIps (API reference, GET /20160918/publicIps): compartmentId and scope required; scope REGION lists the
 * regional (reserved) public IPs and takes no availabilityDomain; scope AVAILABILITY_DOMAIN needs one and lists the
 * ephemeral public IPs of private IPs in it; lifetime filters EPHEMERAL or RESERVED.
 */
function listPublicIps(s: OciState, q: URLSearchParams) {
  const compartmentId = compartmentOf(q);
  const scope = q.get('scope');
  if (!scope) throw missing('scope');
  if (scope !== 'REGION' && scope !== 'AVAILABILITY_DOMAIN')
    throw invalid('scope must be REGION or AVAILABILITY_DOMAIN');
  const ad = q.get('availabilityDomain');
  if (scope === 'AVAILABILITY_DOMAIN' && !ad) throw missing('availabilityDomain (scope AVAILABILITY_DOMAIN)');
  if (scope === 'REGION' && ad) throw invalid('availabilityDomain must be empty when scope is REGION');
  const lifetime = q.get('lifetime');
  if (lifetime !== null && lifetime !== 'EPHEMERAL' && lifetime !== 'RESERVED') {
    throw invalid('lifetime must be EPHEMERAL or RESERVED');
  }
  const all = [...s.publicIps.values()].filter(
    (p) =>
      (p.compartmentId ?? COMPARTMENT) === compartmentId &&
      publicIpScope(p) === scope &&
      (ad === null || ad === AD) &&
      (lifetime === null || (p.lifetime ?? 'RESERVED') === lifetime),
  );
  return listPage(all.map(publicIpJson), q);
}

/** ListRouteTables (API reference, GET /20160918/routeTables): compartmentId required, vcnId an optional filter. */
function listRouteTables(s: OciState, q: URLSearchParams) {
  const compartmentId = compartmentOf(q);
  const vcnId = q.get('vcnId');
  const all = [...s.routeTables.values()].filter(
    (t) => (t.compartmentId ?? COMPARTMENT) === compartmentId && (vcnId === null || t.vcnId === vcnId),
  );
  return listPage(all.map(routeTableJson), q);
}

/** The compartment-wide lists a scheduled reconcile's snapshot makes (pages: limit/page, opc-next-page). */
export const LIST_ENDPOINTS: Endpoint[] = [
  { method: 'GET', pattern: /^\/20160918\/publicIps$/, op: 'ListPublicIps', handle: (s, _p, q) => listPublicIps(s, q) },
  {
    method: 'GET',
    pattern: /^\/20160918\/routeTables$/,
    op: 'ListRouteTables',
    handle: (s, _p, q) => listRouteTables(s, q),
  },
];
