/** Page numbers from query strings, read the same way by every paginated list. */
import { BadInputError } from './errors';

/** Nine digits: any real list ends long before, and OFFSET stays far from overflowing. */
const PAGE_PATTERN = /^[1-9]\d{0,8}$/;

/** `?page=`: a whole number from 1 (default 1); anything else is a 400 naming the parameter. */
export function pageNumber(raw: unknown): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !PAGE_PATTERN.test(raw)) throw new BadInputError(`page: must be a whole number from 1 (got ${JSON.stringify(raw).slice(0, 40)})`);
  return Number(raw);
}

/**
 * A 400 for a page past the last one: a later page that came back empty (page 1 of an empty
 * list is a list with nothing in it). Lists need no count to tell.
 */
export function refuseEmptyPage(page: number, rowsOnPage: number): void {
  if (page > 1 && rowsOnPage === 0) throw new BadInputError(`page: ${page} is past the last page`);
}
