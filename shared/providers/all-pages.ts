/** One page of a cloud list call: its items and the token of the next page (absent on the last). */
export interface ListPage<T> {
  items: T[];
  next?: string;
}

/**
 * Every page of one list of a scheduled reconcile's snapshot, `fetch` making one recorded call per page; undefined
 * when a page fails or the pages run past `maxPages`, and then each mirror reads its own resources (and names what
 * failed), so a snapshot can only save calls, never decide anything.
 */
export async function allPages<T>(
  maxPages: number,
  fetch: (next: string | undefined) => Promise<ListPage<T>>,
): Promise<T[] | undefined> {
  const out: T[] = [];
  let next: string | undefined;
  try {
    for (let n = 0; n < maxPages; n++) {
      const page = await fetch(next);
      out.push(...page.items);
      next = page.next;
      if (!next) return out;
    }
  } catch (e: unknown) {
    void e; // refused or failed: the per-mirror reads that follow report it
  }
  return undefined;
}
