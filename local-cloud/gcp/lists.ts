import {
  type Address,
  type ApiRequest,
  applyFilter,
  type ComputeState,
  externalIpHolder,
  instanceJson,
  invalidField,
  listJson,
  notFound,
  routeJson,
} from './compute-state.ts';

type Ctx = ApiRequest & { state: ComputeState };

/** The most results one page holds, and the default (Compute API reference, instances.list `maxResults`: 0–500). */
export const MAX_RESULTS = 500;
const token = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');

/**
 * One page of a list (Compute API reference, `maxResults` and `pageToken` of every list and aggregatedList method):
 * at most `maxResults` items (0–500, default 500; 0 is read as the default), and `nextPageToken` while items remain,
 * which the next request passes back as `pageToken`. A token the emulator did not issue is refused with 400.
 */
export function page<T>(all: T[], query: URLSearchParams): { items: T[]; nextPageToken?: string } {
  const max = query.get('maxResults');
  const n = max === null ? MAX_RESULTS : Number(max);
  if (!Number.isInteger(n) || n < 0 || n > MAX_RESULTS) {
    throw invalidField('maxResults', String(max), `Must be an integer from 0 to ${MAX_RESULTS}.`);
  }
  const size = n === 0 ? MAX_RESULTS : n;
  const pageToken = query.get('pageToken');
  let offset = 0;
  if (pageToken) {
    const m = /^offset:(\d{1,7})$/.exec(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (!m || token(Number(m[1])) !== pageToken) throw invalidField('pageToken', pageToken, 'Invalid page token.');
    offset = Number(m[1]);
  }
  const end = offset + size;
  return { items: all.slice(offset, end), ...(end < all.length ? { nextPageToken: token(end) } : {}) };
}

/** A paged `*List` resource: listJson with the page's items and its nextPageToken. */
function pagedList(
  state: ComputeState,
  kind: string,
  path: string,
  all: Record<string, unknown>[],
  q: URLSearchParams,
) {
  const { items, nextPageToken } = page(all, q);
  return { ...listJson(state, kind, path, items), ...(nextPageToken ? { nextPageToken } : {}) };
}

/** instances.list (GET zones/{zone}/instances). */
export function listInstances({ state, params: [zone = ''], query }: Ctx) {
  const items = [...state.instances.values()].filter((i) => i.zone === zone).map((i) => instanceJson(state, i));
  const kept = applyFilter(items, query.get('filter'));
  return pagedList(state, 'compute#instanceList', `zones/${zone}/instances`, kept, query);
}

/** instances.get. */
export function getInstance({ state, params: [zone = '', name = ''] }: Ctx) {
  const found = state.instance(zone, name);
  if (!found) throw notFound(`projects/${state.project}/zones/${zone}/instances/${name}`);
  return instanceJson(state, found);
}

/** routes.list. */
export function listRoutes({ state, query }: Ctx) {
  const items = [...state.routes.values()].map((r) => routeJson(state, r));
  return pagedList(state, 'compute#routeList', 'global/routes', applyFilter(items, query.get('filter')), query);
}

/** routes.get. */
export function getRoute({ state, params: [name = ''] }: Ctx) {
  const route = state.routes.get(name);
  if (!route) throw notFound(`projects/${state.project}/global/routes/${name}`);
  return routeJson(state, route);
}

/** The Address resource (Compute API reference, addresses): IN_USE with its users while an instance holds it. */
export function addressJson(state: ComputeState, a: Address): Record<string, unknown> {
  const holder = a.addressType === 'EXTERNAL' ? externalIpHolder(state, a.address) : undefined;
  return {
    kind: 'compute#address',
    id: a.id,
    creationTimestamp: a.creationTimestamp,
    name: a.name,
    address: a.address,
    addressType: a.addressType,
    // external addresses always carry their tier; PREMIUM is the default (Compute API reference, addresses)
    ...(a.addressType === 'EXTERNAL'
      ? { networkTier: a.networkTier ?? 'PREMIUM' }
      : a.networkTier
        ? { networkTier: a.networkTier }
        : {}),
    status: holder ? 'IN_USE' : 'RESERVED',
    ...(holder ? { users: [state.link(`zones/${holder.zone}/instances/${holder.name}`)] } : {}),
    region: state.link(`regions/${state.region}`),
    selfLink: state.link(`regions/${state.region}/addresses/${a.name}`),
  };
}

const addressesOf = (state: ComputeState) => [...state.addresses.values()].map((a) => addressJson(state, a));

/** addresses.list (GET regions/{region}/addresses): this state's one region; another region has none. */
export function listAddresses({ state, params: [region = ''], query }: Ctx) {
  const items = region === state.region ? addressesOf(state) : [];
  const kept = applyFilter(items, query.get('filter'));
  return pagedList(state, 'compute#addressList', `regions/${region}/addresses`, kept, query);
}

/** addresses.get (GET regions/{region}/addresses/{name}). */
export function getAddress({ state, params: [region = '', name = ''] }: Ctx) {
  const a = region === state.region ? state.addresses.get(name) : undefined;
  if (!a) throw notFound(`projects/${state.project}/regions/${region}/addresses/${name}`);
  return addressJson(state, a);
}

/**
 * An aggregatedList (InstanceAggregatedList, AddressAggregatedList): `items` maps each scope ("zones/Z",
 * "regions/R") to `{<field>: [...]}`. The real API also lists every empty scope with a NO_RESULTS_ON_PAGE warning;
 * the emulator lists only the scopes it has resources in. Pages count resources, not scopes (maxResults/pageToken).
 */
function aggregated(
  state: ComputeState,
  kind: string,
  path: string,
  field: string,
  scoped: [string, unknown][],
  q: URLSearchParams,
) {
  const { items: onPage, nextPageToken } = page(scoped, q);
  const items: Record<string, Record<string, unknown[]>> = {};
  for (const [scope, item] of onPage) {
    const entry = items[scope] ?? { [field]: [] };
    entry[field]?.push(item);
    items[scope] = entry;
  }
  return {
    kind,
    id: `projects/${state.project}/aggregated/${path}`,
    items,
    ...(nextPageToken ? { nextPageToken } : {}),
    selfLink: state.link(`aggregated/${path}`),
  };
}

/** instances.aggregatedList (GET aggregated/instances), `filter` as instances.list takes it. */
export function aggregatedInstances({ state, query }: Ctx) {
  const all = [...state.instances.values()].map((i) => [i.zone, instanceJson(state, i)] as const);
  const kept = new Set(
    applyFilter(
      all.map(([, j]) => j),
      query.get('filter'),
    ),
  );
  const scoped = all.filter(([, j]) => kept.has(j)).map(([zone, j]): [string, unknown] => [`zones/${zone}`, j]);
  return aggregated(state, 'compute#instanceAggregatedList', 'instances', 'instances', scoped, query);
}

/** addresses.aggregatedList (GET aggregated/addresses): what `gcloud compute addresses list` calls. */
export function aggregatedAddresses({ state, query }: Ctx) {
  const items = applyFilter(addressesOf(state), query.get('filter'));
  const scoped = items.map((a): [string, unknown] => [`regions/${state.region}`, a]);
  return aggregated(state, 'compute#addressAggregatedList', 'addresses', 'addresses', scoped, query);
}
