import { nicJson, routeTableJson } from './arm-json.ts';
import { ArmError, type ArmState } from './arm-state.ts';

/**
 * Items per page of a list. The REST reference documents `nextLink` ("the URL to get the next set of results")
 * but no page size; 100 is an assumption (public reports of ARM Network lists see pages of 100), so a reconcile of
 * many mirrors is measured with more pages rather than fewer.
 */
export const ARM_PAGE_SIZE = 100;

/** The list kinds: a resource group's NICs and route tables (Network Interfaces - List, Route Tables - List). */
export type ListKind = 'networkInterfacesList' | 'routeTablesList';

/**
 * GET {resourceGroup}/providers/Microsoft.Network/{networkInterfaces|routeTables}: `{value: [...], nextLink}`, each
 * item as its GET answers it (routes embedded in a route table, each with its etag); `nextLink` is present only
 * while items remain and carries an opaque `$skipToken`.
 */
export function handleList(
  state: ArmState,
  kind: ListKind,
  rgPath: string,
  url: URL,
): { status: number; body: unknown } {
  const prefix = `${rgPath}/providers/microsoft.network/${kind === 'networkInterfacesList' ? 'networkinterfaces' : 'routetables'}/`;
  const all =
    kind === 'networkInterfacesList'
      ? [...state.nics.entries()].filter(([id]) => id.startsWith(prefix)).map(([, n]) => nicJson(n))
      : [...state.routeTables.entries()].filter(([id]) => id.startsWith(prefix)).map(([, t]) => routeTableJson(t));
  const skip = url.searchParams.get('$skipToken');
  const offset =
    skip === null
      ? 0
      : Number(
          Buffer.from(skip, 'base64url')
            .toString('utf8')
            .replace(/^offset:/, ''),
        );
  if (!Number.isInteger(offset) || offset < 0)
    throw new ArmError(400, 'InvalidSkipToken', 'The $skipToken is invalid.');
  const end = offset + ARM_PAGE_SIZE;
  const next = new URL(url);
  next.searchParams.set('$skipToken', Buffer.from(`offset:${end}`).toString('base64url'));
  return { status: 200, body: { value: all.slice(offset, end), ...(end < all.length ? { nextLink: next.href } : {}) } };
}
