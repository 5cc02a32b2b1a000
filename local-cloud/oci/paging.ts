import { invalid } from './errors.ts';

/** One page of a List call; the emulator sends `next` as the opc-next-page header. */
export class Page {
  constructor(
    readonly items: unknown[],
    readonly next: string | undefined,
  ) {}
}

const token = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');

/**
 * List pagination (API "Using the API: List Pagination"): `limit` 1–1000 (default 100), `page` the opc-next-page
 * value of the previous call; the header is present only while items remain.
 */
export function listPage(all: unknown[], q: URLSearchParams): Page {
  const limitText = q.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit must be an integer from 1 to 1000');
  const page = q.get('page');
  let offset = 0;
  if (page !== null) {
    const m = /^offset:(\d{1,7})$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
    if (!m || token(Number(m[1])) !== page) throw invalid('page is not a value of opc-next-page');
    offset = Number(m[1]);
  }
  const end = offset + limit;
  return new Page(all.slice(offset, end), end < all.length ? token(end) : undefined);
}
