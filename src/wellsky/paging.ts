/**
 * Paging through a WellSky search: `_count=100`, `_page` from 0, until a page comes back empty
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
}

export async function collectPages<T>(fetchPage: (page: number, count: number) => Promise<Page<T>>, opts: PagingOptions<T>): Promise<T[]> {
  const count = opts.pageSize ?? PAGE_SIZE;
  const seen = new Set<string>();
  const all: T[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const { entries } = await fetchPage(page, count);
    let fresh = 0;
    for (const entry of entries) {
      const key = opts.keyOf(entry);
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(entry);
      fresh++;
    }
    if (entries.length < count) return all;
    if (fresh === 0) {
      // A full page of records already seen: the server is ignoring _page. Stop rather than loop.
      opts.logger?.warn('WellSky repeated a full page of results; stopped paging', { search: opts.label, page });
      return all;
    }
  }
  opts.logger?.warn('WellSky search reached the paging guard; results may be incomplete', { search: opts.label, pages: MAX_PAGES });
  return all;
}
