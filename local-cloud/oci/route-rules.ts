import { invalid, relatedNotFound } from './errors.ts';

/** A route rule as written: `destination` + `destinationType`, or the deprecated `cidrBlock` alone. */
export interface RouteRule {
  destination?: string;
  destinationType?: string;
  /** Deprecated form (IPv4 only); never beside `destination`. */
  cidrBlock?: string;
  networkEntityId: string;
  description?: string;
  routeType?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_PREFIX = /^([0-9a-f:]+)\/(12[0-8]|1[01]\d|[1-9]?\d)$/i;
/** A Service's cidrBlock label (ListServices): `all-<region key>-services-in-oracle-services-network` or `oci-<key>-objectstorage`. */
const SERVICE_LABEL = /^(all-[a-z0-9]+-services-in-oracle-services-network|oci-[a-z0-9]+-objectstorage)$/;
/** Targets an IPv6 destination may have (RouteRule.destination: "the route rule's target can only be a DRG or internet gateway"). */
const IPV6_TARGETS = ['ocid1.drg.', 'ocid1.internetgateway.'];
const SERVICE_GATEWAY = 'ocid1.servicegateway.';

const isIpv6Prefix = (s: string) => {
  const m = IPV6_PREFIX.exec(s);
  if (!m?.[1]?.includes(':')) return false;
  const addr = m[1];
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (groups.some((g) => g.length === 0 || g.length > 4)) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
};

const optionalString = (r: Record<string, unknown>, k: string, i: number) => {
  if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'string')
    throw invalid(`routeRules[${i}].${k} must be a string`);
  return (r[k] ?? undefined) as string | undefined;
};

interface Destination {
  destination?: string;
  destinationType?: string;
  cidrBlock?: string;
}

/** The rule's destination in one of its two forms, and the targets each destination may have. */
function checkDestination({ destination, destinationType, cidrBlock }: Destination, target: string, at: string) {
  if (cidrBlock !== undefined && destination !== undefined)
    throw invalid(`${at}: cidrBlock and destination cannot both be given`);
  if (cidrBlock !== undefined) {
    if (destinationType !== undefined) throw invalid(`${at}: destinationType needs destination, not cidrBlock`);
    if (!IPV4.test(cidrBlock)) throw invalid(`${at}.cidrBlock ${cidrBlock} is not an IPv4 CIDR block`);
  } else if (destination === undefined) {
    throw invalid(`${at}: destination (or the deprecated cidrBlock) is required`);
  } else if (destinationType === undefined) {
    throw invalid(`${at}: destinationType is required with destination`);
  } else if (destinationType === 'CIDR_BLOCK') {
    const v6 = isIpv6Prefix(destination);
    if (!v6 && !IPV4.test(destination)) throw invalid(`${at}.destination ${destination} is not a CIDR block`);
    if (v6 && !IPV6_TARGETS.some((p) => target.startsWith(p)))
      throw invalid(`${at}: an IPv6 destination can only target a DRG or an internet gateway`);
  } else if (destinationType === 'SERVICE_CIDR_BLOCK') {
    if (!SERVICE_LABEL.test(destination)) throw invalid(`${at}.destination ${destination} is not a Service cidrBlock`);
  } else {
    throw invalid(`${at}.destinationType must be CIDR_BLOCK or SERVICE_CIDR_BLOCK`);
  }
  if ((destinationType === 'SERVICE_CIDR_BLOCK') !== target.startsWith(SERVICE_GATEWAY))
    throw invalid(`${at}: a service gateway target goes with a SERVICE_CIDR_BLOCK destination, and only it`);
}

/** One rule checked as RouteRule (oci-core 2.139, API 20160918) describes it; returns it in its stored form. */
function checkRule(raw: unknown, i: number, privateIpExists: (id: string) => boolean): RouteRule {
  const at = `routeRules[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`${at} must be an object`);
  const r = raw as Record<string, unknown>;
  const target = optionalString(r, 'networkEntityId', i);
  if (!target?.startsWith('ocid1.')) throw invalid(`${at}.networkEntityId must be an OCID`);
  const [destination, destinationType, cidrBlock, description, routeType] = [
    'destination',
    'destinationType',
    'cidrBlock',
    'description',
    'routeType',
  ].map((k) => optionalString(r, k, i));
  checkDestination({ destination, destinationType, cidrBlock }, target, at);
  if (routeType !== undefined && routeType !== 'STATIC' && routeType !== 'LOCAL')
    throw invalid(`${at}.routeType must be STATIC or LOCAL`);
  if (target.startsWith('ocid1.privateip.') && !privateIpExists(target))
    throw relatedNotFound(`route target ${target}`);
  return {
    ...(cidrBlock !== undefined ? { cidrBlock } : { destination, destinationType }),
    networkEntityId: target,
    ...(description !== undefined ? { description } : {}),
    ...(routeType !== undefined ? { routeType } : {}),
  };
}

/** UpdateRouteTableDetails.routeRules: each rule valid, no two with one destination; the list that replaces the table's. */
export function checkRouteRules(rules: unknown, privateIpExists: (id: string) => boolean): RouteRule[] {
  if (!Array.isArray(rules)) throw invalid('routeRules must be a list');
  const checked = rules.map((r, i) => checkRule(r, i, privateIpExists));
  const seen = new Set<string>();
  for (const r of checked) {
    const key = (r.destination ?? r.cidrBlock ?? '').toLowerCase();
    if (seen.has(key)) throw invalid(`two route rules have destination ${key}`);
    seen.add(key);
  }
  return checked;
}

/** A rule as GetRouteTable answers it: a cidrBlock rule also carries destination/destinationType; STATIC by default. */
export const routeRuleJson = (r: RouteRule) => ({
  ...r,
  ...(r.cidrBlock !== undefined ? { destination: r.cidrBlock, destinationType: 'CIDR_BLOCK' } : {}),
  routeType: r.routeType ?? 'STATIC',
});
