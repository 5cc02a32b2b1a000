import type { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import type { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client.js';
import type { ComputeApi } from './compute-api.ts';
import { gaxOptions, nicOfInstance, type RouteJson, send, toRoute } from './compute-sdk.ts';

/** The most items one list page holds (Compute API reference, `maxResults`: 0–500, default 500). */
export const PAGE_SIZE = 500;

/** `network eq ".*\/global\/networks\/(a|b)"`: network names are [a-z0-9-], so they need no escaping in the regex. */
export const networksFilter = (networks: readonly string[]) =>
  `network eq ".*/global/networks/(${[...new Set(networks)].sort().join('|')})"`;

type Raw<T> = [unknown, unknown, T | undefined];

/**
 * The snapshot's two list calls over the real clients, one page per call (each page is one recorded call, retried
 * on its own): instances.aggregatedList for nic0 of every instance, routes.list filtered to the VIPs' networks.
 */
export function snapshotReads(
  instances: () => InstancesClient,
  routes: () => RoutesClient,
): Required<Pick<ComputeApi, 'listNicsPage' | 'listRoutesPage'>> {
  const paged = (o: Parameters<typeof gaxOptions>[0]) =>
    ({ ...(gaxOptions(o) as object), autoPaginate: false }) as never;
  return {
    async listNicsPage({ project, pageToken }, o) {
      const req = { project, maxResults: PAGE_SIZE, ...(pageToken ? { pageToken } : {}) };
      // the generated client offers aggregatedList only as an iterator over all pages; its inner call is one page
      const client = instances();
      await client.initialize();
      const res = (await send('compute.instances.aggregatedList', o, () =>
        client.innerApiCalls.aggregatedList?.(req, paged(o)),
      )) as unknown as Raw<{ items?: Record<string, { instances?: unknown[] | null }>; nextPageToken?: string | null }>;
      const page = res[2];
      const nics = Object.entries(page?.items ?? {}).flatMap(([scope, list]) =>
        (list.instances ?? []).flatMap((inst) => {
          const zone = scope.replace(/^zones\//, '');
          return (inst as { networkInterfaces?: unknown[] }).networkInterfaces?.length
            ? [nicOfInstance(inst as never, zone)]
            : [];
        }),
      );
      return { items: nics, ...(page?.nextPageToken ? { next: page.nextPageToken } : {}) };
    },
    async listRoutesPage({ project, networks, pageToken }, o) {
      const req = {
        project,
        filter: networksFilter(networks),
        maxResults: PAGE_SIZE,
        ...(pageToken ? { pageToken } : {}),
      };
      const res = (await send('compute.routes.list', o, () => routes().list(req, paged(o)))) as unknown as Raw<{
        items?: RouteJson[] | null;
        nextPageToken?: string | null;
      }>;
      const page = res[2];
      return { items: (page?.items ?? []).map(toRoute), ...(page?.nextPageToken ? { next: page.nextPageToken } : {}) };
    },
  };
}
