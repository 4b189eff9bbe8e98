/**
 * Paging through a WellSky search: `_count=100`, `_page` from 0 (or 1 where the vendor reference says so), until a page comes back empty
 * or short. The reported count (`totalRecords` or `total`) is never trusted to stop early: an
 * earlier integration lost shifts of a client with over 100 a month by trusting the wrong one.
 */
import type { Logger } from 'winston';
import type { Page } from './schemas';

export const PAGE_SIZE = 100;
/** 50 000 records: far beyond an agency; a guard against a server that never runs short. */
const MAX_PAGES = 500;

export interface PagingOptions<T> {
  pageSize?: number;
  /** Identity of an entry, to drop duplicates across pages. */
  keyOf: (entry: T) => string;
  logger?: Logger;
  label?: string;
  /**
   * 1 for the searches the vendor reference pages from 1 (encounter search, profile tags). The
   * sandbox and some deployments page those from 0 too; a first page that comes back empty, or a
   * run that ends with fewer records than the reported count, also reads page 0, so either
   * numbering loses nothing.
   */
  firstPage?: 0 | 1;
}

export async function collectPages<T>(fetchPage: (page: number, count: number) => Promise<Page<T>>, opts: PagingOptions<T>): Promise<T[]> {
  const count = opts.pageSize ?? PAGE_SIZE;
  const first = opts.firstPage ?? 0;
  const seen = new Set<string>();
  const all: T[] = [];
  let reported: number | undefined;
  const take = (entries: T[]): number => {
    let fresh = 0;
    for (const entry of entries) {
      const key = opts.keyOf(entry);
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(entry);
      fresh++;
    }
    return fresh;
  };
  const finish = async (): Promise<T[]> => {
    if (first === 1 && (all.length === 0 || (reported !== undefined && all.length < reported))) {
      // Page 1 was the second page of a server that counts from 0: read page 0 too.
      take((await fetchPage(0, count)).entries);
    }
    return all;
  };
  for (let page = first; page < first + MAX_PAGES; page++) {
    const { entries, total } = await fetchPage(page, count);
    if (total !== undefined) reported = Math.max(reported ?? 0, total);
    const fresh = take(entries);
    if (entries.length < count) return finish();
    if (fresh === 0) {
      // A full page of records already seen: the server is ignoring _page. Stop rather than loop.
      opts.logger?.warn('WellSky repeated a full page of results; stopped paging', { search: opts.label, page });
      return finish();
    }
  }
  opts.logger?.warn('WellSky search reached the paging guard; results may be incomplete', { search: opts.label, pages: MAX_PAGES });
  return all;
}
