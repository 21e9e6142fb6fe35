/**
 * NextToken for Directory Service and Directory Service Data: the position (the last key
 * returned), bound to the query that issued it and sealed with an HMAC, so a token is
 * only good for the same call with the same parameters (AWS's tokens are opaque; a
 * tampered or foreign token is refused). The key lives for the server's lifetime.
 */
import { createHmac, randomBytes } from 'node:crypto';

const KEY = randomBytes(32);
const digest = (cursor: string, query: string): string => createHmac('sha256', KEY).update(`${cursor}\u0000${query}`).digest('base64url').slice(0, 22);

export function issueToken(cursor: string, query: string): string {
  return Buffer.from(`${cursor}|${digest(cursor, query)}`).toString('base64url');
}

/** The cursor a token carries, or undefined when it was not issued for this query. */
export function readToken(token: string, query: string): string | undefined {
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  const cut = raw.lastIndexOf('|');
  if (cut < 0) return undefined;
  const cursor = raw.slice(0, cut);
  return raw.slice(cut + 1) === digest(cursor, query) ? cursor : undefined;
}
