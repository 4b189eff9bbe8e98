/**
 * Search results as WellSky returns them: a searchset Bundle whose count field is `totalRecords`
 * or `total`, whose entries are bare or wrapped in `{resource}`, paged by `_count` (1–100,
 * default 20) and a 0-based `_page`. Either style can alternate response by response, so a
 * client that reads only one of them fails in a test, not in the field.
 */
import { badRequest } from './rules';

export type CountField = 'totalRecords' | 'total' | 'alternate';
export type EntryShape = 'bare' | 'wrapped' | 'alternate';

export interface Paging {
  count: number;
  page: number;
}

export function parsePaging(params: Record<string, string | undefined>, defaultCount = 20): Paging {
  let count = defaultCount;
  let page = 0;
  if (params._count !== undefined) {
    if (!/^\d+$/.test(params._count) || Number(params._count) < 1 || Number(params._count) > 100) {
      throw badRequest(`_count must be an integer from 1 to 100, got "${params._count}"`);
    }
    count = Number(params._count);
  }
  if (params._page !== undefined) {
    if (!/^\d+$/.test(params._page)) throw badRequest(`_page must be a non-negative integer, got "${params._page}"`);
    page = Number(params._page);
  }
  return { count, page };
}

export class BundleStyle {
  private responses = 0;

  constructor(
    public countField: CountField,
    public entryShape: EntryShape,
  ) {}

  /** `forceWrapped`: RelatedPerson bundles always wrap their entries. */
  bundle(matches: unknown[], paging: Paging | undefined, forceWrapped = false): Record<string, unknown> {
    const n = this.responses++;
    const page = paging ? matches.slice(paging.page * paging.count, paging.page * paging.count + paging.count) : matches;
    const field = this.countField === 'alternate' ? (n % 2 === 0 ? 'totalRecords' : 'total') : this.countField;
    const wrapped = forceWrapped || (this.entryShape === 'alternate' ? n % 2 === 0 : this.entryShape === 'wrapped');
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      [field]: matches.length,
      entry: page.map((resource) => (wrapped ? { resource } : resource)),
    };
  }

  resetAlternation(): void {
    this.responses = 0;
  }
}

/**
 * The `agencyId` query-parameter trap: WellSky accepts it and then answers with only a few of
 * the records (field-verified). Keep a stable seventh of them.
 */
export function agencyIdTrap<T extends { id: string }>(records: T[]): T[] {
  return records.filter((r) => {
    let h = 0;
    for (const ch of r.id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return h % 7 === 0;
  });
}
