/**
 * Patterns as IAM writes them: literal text, the wildcards `*` (any run, empty
 * included) and `?` (exactly one character), and policy variables `${key}` with an
 * optional default `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}`.
 *
 * A pattern is compiled once into a matcher. Matching never builds a regular
 * expression: a glob is split at its stars into fixed-length segments, the first
 * anchored at the start, the last at the end, the middle ones found leftmost. That is
 * exact for globs (a star can absorb whatever a later choice would have) and cheap.
 * A variable's value is always literal text: a `*` in a tag value is not a wildcard.
 */
import type { ContextLookup } from './types.js';

const enum T {
  Lit,
  Star,
  Any, // `?`
  Var,
}

type Token =
  | { readonly t: T.Lit; readonly s: string }
  | { readonly t: T.Star }
  | { readonly t: T.Any }
  | { readonly t: T.Var; readonly key: string; readonly name: string; readonly dflt: string | undefined };

const STAR: Token = { t: T.Star };
const ANY: Token = { t: T.Any };

export interface TemplateOptions {
  /** `*` and `?` are wildcards (Like operators, Resource, Action, ArnLike). */
  readonly wildcards: boolean;
  /** `${...}` is a policy variable (Version 2012-10-17, and an operator that allows it). */
  readonly variables: boolean;
  /** Compare without regard to case (actions, StringEqualsIgnoreCase). */
  readonly ignoreCase?: boolean;
}

/** Where a variable could not be resolved, matching fails rather than guessing. */
export interface Matcher {
  /** Does `s[from, to)` match? `ctx` resolves variables. */
  match(s: string, ctx: ContextLookup | undefined, from?: number, to?: number): boolean;
  /** The condition keys this pattern's variables read (lower case). */
  readonly variableKeys: readonly string[];
  /** The same keys as written in the policy, for reports. */
  readonly variableNames: readonly string[];
  /** The pattern matches every string (a lone `*`). */
  readonly matchesAll: boolean;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const DEFAULT = /^\s*([^,]+?)\s*,\s*'([^']*)'\s*$/;

function tokenize(pattern: string, opts: TemplateOptions): Token[] {
  const tokens: Token[] = [];
  const pushText = (text: string): void => {
    if (!opts.wildcards) {
      if (text) tokens.push({ t: T.Lit, s: text });
      return;
    }
    let lit = '';
    for (const ch of text) {
      if (ch === '*' || ch === '?') {
        if (lit) tokens.push({ t: T.Lit, s: lit });
        lit = '';
        tokens.push(ch === '*' ? STAR : ANY);
      } else lit += ch;
    }
    if (lit) tokens.push({ t: T.Lit, s: lit });
  };
  if (!opts.variables || !pattern.includes('${')) {
    pushText(pattern);
    return tokens;
  }
  let last = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    pushText(pattern.slice(last, m.index));
    last = m.index + m[0].length;
    const body = m[1]!;
    if (body === '*' || body === '?' || body === '$') {
      tokens.push({ t: T.Lit, s: body });
      continue;
    }
    const d = DEFAULT.exec(body);
    const name = (d ? d[1]! : body).trim();
    tokens.push({ t: T.Var, key: name.toLowerCase(), name, dflt: d ? d[2]! : undefined });
  }
  pushText(pattern.slice(last));
  return tokens;
}

/** Merge adjacent literals (after escapes and resolved variables) so segments stay short. */
function mergeLiterals(tokens: readonly Token[], ignoreCase: boolean): Token[] {
  const out: Token[] = [];
  for (const tok of tokens) {
    const prev = out[out.length - 1];
    if (tok.t === T.Lit && prev?.t === T.Lit) out[out.length - 1] = { t: T.Lit, s: prev.s + tok.s };
    else if (tok.t === T.Star && prev?.t === T.Star) continue;
    else out.push(tok);
  }
  if (ignoreCase) return out.map((t) => (t.t === T.Lit ? { t: T.Lit, s: t.s.toLowerCase() } : t));
  return out;
}

/** Does the segment (literals and `?`, no stars) match s at `pos`, within `to`? */
function segmentAt(seg: readonly Token[], segLen: number, s: string, pos: number, to: number): boolean {
  if (pos + segLen > to) return false;
  for (const tok of seg) {
    if (tok.t === T.Any) {
      pos++;
      continue;
    }
    const lit = (tok as { s: string }).s;
    if (!s.startsWith(lit, pos)) return false;
    pos += lit.length;
  }
  return true;
}

interface Segment {
  readonly tokens: readonly Token[];
  readonly length: number;
  /** The segment's leading literal, used to jump with indexOf. */
  readonly lead: string | undefined;
}

function toSegment(tokens: readonly Token[]): Segment {
  let length = 0;
  for (const t of tokens) length += t.t === T.Lit ? t.s.length : 1;
  const first = tokens[0];
  return { tokens, length, lead: first?.t === T.Lit ? first.s : undefined };
}

/** A glob with no variables left, as segments between stars. */
class Glob {
  private readonly segments: Segment[];
  private readonly stars: boolean;
  constructor(tokens: readonly Token[]) {
    const segs: Token[][] = [[]];
    for (const t of tokens) {
      if (t.t === T.Star) segs.push([]);
      else segs[segs.length - 1]!.push(t);
    }
    this.stars = segs.length > 1;
    this.segments = segs.map(toSegment);
  }

  match(s: string, from: number, to: number): boolean {
    const segs = this.segments;
    const first = segs[0]!;
    if (!this.stars) return to - from === first.length && segmentAt(first.tokens, first.length, s, from, to);
    const last = segs[segs.length - 1]!;
    if (first.length + last.length > to - from) return false;
    if (!segmentAt(first.tokens, first.length, s, from, to)) return false;
    const end = to - last.length;
    if (!segmentAt(last.tokens, last.length, s, end, to)) return false;
    let pos = from + first.length;
    for (let i = 1; i < segs.length - 1; i++) {
      const seg = segs[i]!;
      let found = -1;
      for (let p = pos; p + seg.length <= end; p++) {
        if (seg.lead !== undefined) {
          p = s.indexOf(seg.lead, p);
          if (p < 0 || p + seg.length > end) break;
        }
        if (segmentAt(seg.tokens, seg.length, s, p, end)) {
          found = p;
          break;
        }
      }
      if (found < 0) return false;
      pos = found + seg.length;
    }
    return true;
  }
}

export function compileTemplate(pattern: string, opts: TemplateOptions): Matcher {
  const ignoreCase = opts.ignoreCase === true;
  const tokens = mergeLiterals(tokenize(pattern, opts), ignoreCase);
  const vars = tokens.filter((t): t is Extract<Token, { t: T.Var }> => t.t === T.Var);
  const variableKeys = [...new Set(vars.map((v) => v.key))];
  const variableNames = variableKeys.map((k) => vars.find((v) => v.key === k)!.name);
  if (vars.length === 0) return fixedMatcher(tokens, ignoreCase);

  // Variables: resolve to literals per request, then match as a glob. Only policies
  // that use variables pay for this.
  const globs = new Map<string, Glob>();
  return {
    variableKeys,
    variableNames,
    matchesAll: false,
    match(s, ctx, from = 0, to = s.length) {
      const resolved: Token[] = [];
      for (const tok of tokens) {
        if (tok.t !== T.Var) {
          resolved.push(tok);
          continue;
        }
        const v = ctx?.get(tok.key);
        let text: string;
        if (typeof v === 'string') text = v;
        // An empty list is a null data set: the key counts as absent.
        else if ((v === undefined || v.length === 0) && tok.dflt !== undefined) text = tok.dflt;
        else return false; // missing without a default, or multivalued: never matches
        resolved.push({ t: T.Lit, s: text });
      }
      const input = ignoreCase ? s.slice(from, to).toLowerCase() : s;
      // The same principal tends to come back: keep the last few resolved globs.
      const cacheKey = resolved.map((t) => (t.t === T.Lit ? `L${t.s}` : t.t === T.Star ? '*' : '?')).join('\u0000');
      let glob = globs.get(cacheKey);
      if (!glob) {
        glob = new Glob(mergeLiterals(resolved, ignoreCase));
        if (globs.size >= 64) globs.clear();
        globs.set(cacheKey, glob);
      }
      return glob.match(input, ignoreCase ? 0 : from, ignoreCase ? input.length : to);
    },
  };
}

/** Specialised matchers for the shapes that dominate real policies. */
function fixedMatcher(tokens: readonly Token[], ignoreCase: boolean): Matcher {
  const base = { variableKeys: [] as string[], variableNames: [] as string[], matchesAll: false };
  const lower = (s: string, from: number, to: number): string => {
    const part = from === 0 && to === s.length ? s : s.slice(from, to);
    return ignoreCase ? part.toLowerCase() : part;
  };
  if (tokens.length === 0) return { ...base, match: (_s, _c, from = 0, to = _s.length) => to === from };
  if (tokens.length === 1 && tokens[0]!.t === T.Star) return { ...base, matchesAll: true, match: () => true };
  const [first, second] = tokens;
  if (tokens.length === 1 && first?.t === T.Lit) {
    const lit = first.s;
    // Whole-string equality is V8's fastest comparison; startsWith is slow on long shared prefixes.
    if (!ignoreCase) return { ...base, match: (s, _c, from = 0, to = s.length) => to - from === lit.length && (from === 0 && to === s.length ? s === lit : s.startsWith(lit, from)) };
    return { ...base, match: (s, _c, from = 0, to = s.length) => to - from === lit.length && lower(s, from, to) === lit };
  }
  if (tokens.length === 2 && first?.t === T.Lit && second?.t === T.Star && !ignoreCase) {
    const lit = first.s;
    const n = lit.length;
    const last = lit.charCodeAt(n - 1);
    // ARN prefixes share long heads: test the literal's last character first, then compare a slice.
    return { ...base, match: (s, _c, from = 0, to = s.length) => to - from >= n && s.charCodeAt(from + n - 1) === last && s.slice(from, from + n) === lit };
  }
  const glob = new Glob(tokens);
  if (!ignoreCase) return { ...base, match: (s, _c, from = 0, to = s.length) => glob.match(s, from, to) };
  return {
    ...base,
    match: (s, _c, from = 0, to = s.length) => {
      const l = lower(s, from, to);
      return glob.match(l, 0, l.length);
    },
  };
}

/**
 * Offsets of the first five colons of an ARN pattern, skipping colons inside `${...}`
 * (a variable such as `${aws:PrincipalAccount}` is one unit). Fewer entries when the
 * pattern has fewer colons.
 */
export function arnColons(pattern: string): number[] {
  const colons: number[] = [];
  for (let i = 0; i < pattern.length && colons.length < 5; i++) {
    if (pattern.startsWith('${', i)) {
      const close = pattern.indexOf('}', i);
      if (close > 0) {
        i = close;
        continue;
      }
    }
    if (pattern.charCodeAt(i) === 58) colons.push(i);
  }
  return colons;
}
