/**
 * IP addresses and CIDR blocks for IpAddress / NotIpAddress, IPv4 and IPv6.
 * A bare address in a policy means /32 (IPv4) or /128 (IPv6). An IPv4-mapped IPv6
 * address (`::ffff:10.0.0.1`, what a dual-stack socket reports) is matched as IPv4.
 */
import ipaddr from 'ipaddr.js';

export interface Cidr {
  readonly v6: boolean;
  /** IPv4: one 32-bit word. IPv6: four 32-bit words, most significant first. */
  readonly words: readonly number[];
  readonly prefix: number;
}

export interface Ip {
  readonly v6: boolean;
  readonly words: readonly number[];
}

/** Fast IPv4 dotted-quad parse (the common case on every request), or undefined. */
function parseV4(s: string): number | undefined {
  let word = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      word = word * 256 + part;
      part = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (word * 256 + part) >>> 0;
}

export function parseIp(s: string): Ip | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { v6: false, words: [v4] };
  if (!s.includes(':') || !ipaddr.IPv6.isValid(s)) return undefined;
  const addr = ipaddr.IPv6.parse(s);
  if (addr.isIPv4MappedAddress()) return { v6: false, words: [parseV4(addr.toIPv4Address().toString())!] };
  const p = addr.parts;
  return { v6: true, words: [0, 2, 4, 6].map((i) => ((p[i]! << 16) | p[i + 1]!) >>> 0) };
}

export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  return { v6: ip.v6, words: ip.words, prefix };
}

export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.v6 !== ip.v6) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < cidr.words.length && bits > 0; i++) {
    const take = bits >= 32 ? 32 : bits;
    const mask = take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0;
    if (((cidr.words[i]! & mask) >>> 0) !== ((ip.words[i]! & mask) >>> 0)) return false;
    bits -= take;
  }
  return true;
}
