/**
 * Directory Service Data's paging: results in SAM account name order (case-insensitive;
 * AD does not promise an order, Gatehouse gives a stable one), MaxResults 1-250 (the
 * model's range; 250 when omitted, a choice), and a NextToken bound to the call that
 * issued it (src/services/ds/paging.ts). A token from another call, or a forged one, is
 * ValidationException with reason INVALID_NEXT_TOKEN.
 */
import { issueToken, readToken } from '../ds/paging.js';
import { validation } from './access.js';

const DEFAULT_PAGE = 250;

export function pageOf<T extends { readonly SAMAccountName: string }>(
  items: readonly T[],
  input: { readonly MaxResults?: number; readonly NextToken?: string },
  query: readonly unknown[],
): { items: T[]; NextToken?: string } {
  const key = JSON.stringify(query);
  const sorted = [...items].sort((a, b) => (a.SAMAccountName.toLowerCase() < b.SAMAccountName.toLowerCase() ? -1 : 1));
  let rest = sorted;
  if (input.NextToken !== undefined) {
    const after = readToken(input.NextToken, key);
    if (after === undefined) throw validation('INVALID_NEXT_TOKEN', 'The NextToken is not valid for this request.');
    rest = sorted.filter((x) => x.SAMAccountName.toLowerCase() > after);
  }
  const size = input.MaxResults ?? DEFAULT_PAGE;
  const page = rest.slice(0, size);
  return rest.length > size ? { items: page, NextToken: issueToken(page[page.length - 1]!.SAMAccountName.toLowerCase(), key) } : { items: page };
}
