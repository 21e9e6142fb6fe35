/**
 * Lower-casing with a bounded cache. Action names and condition-key names are
 * case-insensitive and the same few thousand recur on every request: caching saves an
 * allocation and a string hash per use on the hot path.
 */
const LIMIT = 8192;
let cache = new Map<string, string>();

export function lower(s: string): string {
  let l = cache.get(s);
  if (l === undefined) {
    if (cache.size >= LIMIT) cache = new Map();
    cache.set(s, (l = s.toLowerCase()));
  }
  return l;
}
