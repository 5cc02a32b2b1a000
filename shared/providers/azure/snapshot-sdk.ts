import type { NetworkManagementClient } from '@azure/arm-network';
import { nicView } from './arm-sdk.ts';
import { classifyArmError } from './azure-errors.ts';
import type { NetworkApi, RouteTableView } from './network-api.ts';

const rgOf = (id: string | undefined) => /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';

/** The first page, or the page a nextLink names: one HTTP call each, so each page is retried on its own. */
async function onePage<T>(
  op: string,
  pages: (settings?: { continuationToken?: string }) => AsyncIterableIterator<T[] & { continuationToken?: string }>,
  next: string | undefined,
): Promise<{ items: T[]; next?: string }> {
  try {
    const { value } = await pages(next ? { continuationToken: next } : undefined).next();
    const items = (value ?? []) as T[] & { continuationToken?: string };
    return { items: [...items], ...(items.continuationToken ? { next: items.continuationToken } : {}) };
  } catch (e: unknown) {
    throw classifyArmError(op, e);
  }
}

/** The snapshot's two lists over @azure/arm-network: a resource group's NICs and its route tables, page by page. */
export function snapshotReads(
  client: NetworkManagementClient,
): Required<Pick<NetworkApi, 'listNicsPage' | 'listRouteTablesPage'>> {
  return {
    async listNicsPage(resourceGroup, next, c) {
      const list = client.networkInterfaces.list(resourceGroup, { abortSignal: c.signal });
      const page = await onePage('network.networkInterfaces.list', (s) => list.byPage(s), next);
      return { ...page, items: page.items.map(nicView) };
    },
    async listRouteTablesPage(resourceGroup, next, c) {
      const list = client.routeTables.list(resourceGroup, { abortSignal: c.signal });
      const page = await onePage('network.routeTables.list', (s) => list.byPage(s), next);
      const tables: RouteTableView[] = page.items.map((t) => ({
        resourceGroup: rgOf(t.id),
        name: t.name ?? '',
        routes: new Map(
          (t.routes ?? []).map((r) => [
            (r.name ?? '').toLowerCase(),
            {
              etag: r.etag ?? '',
              addressPrefix: r.addressPrefix ?? '',
              nextHopType: r.nextHopType ?? '',
              nextHopIpAddress: r.nextHopIpAddress ?? null,
            },
          ]),
        ),
      }));
      return { ...page, items: tables };
    },
  };
}
