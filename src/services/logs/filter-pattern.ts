/**
 * CloudWatch Logs filter patterns (FilterLogEvents' `filterPattern`), the two forms
 * Gatehouse supports, parsed once into a predicate over an event's message:
 *
 * - Terms, for unstructured events. `ERROR Exception`: every term appears; `"Failed to
 *   connect"`: an exact phrase; `-DEBUG`: the term must not appear; `?ERROR ?WARN`: either.
 *   Matching is case-sensitive and by substring. An empty pattern (or `""`) matches every
 *   event.
 * - JSON, for events whose message is a JSON object: `{ $.level = "error" }`,
 *   `{ $.latency > 100 && $.status != 200 }`, `{ ($.a = 1) || ($.b = "x*") }`, with `=`,
 *   `!=`, `<`, `<=`, `>`, `>=`, `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`, selectors
 *   like `$.a.b[0].c`, `*` as a wildcard in string values, and parentheses.
 *
 * Space-delimited patterns (`[ip, user, ...]`) and regular expressions (`%...%`) are not
 * supported: they are refused with InvalidParameterException, as a malformed pattern is.
 *
 * Where the documentation is silent, Gatehouse's choices:
 * - `?` starts an alternative: the terms after a `?term` up to the next `?term` belong to
 *   it (`?ERROR MainThread ?WARN Deadlock` is (ERROR and MainThread) or (WARN and
 *   Deadlock), as the AWS CDK's `FilterPattern.anyTermGroup` writes it). Terms before the
 *   first `?term` are required whatever alternative matches.
 * - Bare terms may hold any character but whitespace and `"` (AWS asks for quotes around
 *   terms with other characters than letters, digits and `_`, and may refuse some bare).
 * - In JSON patterns, a string value compares with a string, number or boolean field
 *   (as text); a number compares only with a number field; a comparison on a missing
 *   field does not match, `!=` included; a message that is not a JSON object matches no
 *   JSON pattern.
 */
import { AwsError } from '../../models/errors.js';

export type Matcher = (message: string) => boolean;

const invalid = (why: string): AwsError => new AwsError('InvalidParameterException', `Invalid filter pattern: ${why}`);

export function parseFilterPattern(pattern: string): Matcher {
  const text = pattern.trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return parseJsonPattern(text);
  if (text.startsWith('[')) throw invalid('space-delimited patterns are not supported');
  if (text.startsWith('%')) throw invalid('regular expressions are not supported');
  return parseTerms(text);
}

// ---------------------------------------------------------------------------------------
// Terms

interface Term {
  readonly text: string;
  readonly negated: boolean;
}

function parseTerms(text: string): Matcher {
  const required: Term[] = [];
  const alternatives: Term[][] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    let optional = false;
    let negated = false;
    if (text[i] === '?') {
      optional = true;
      i++;
    } else if (text[i] === '-' && i + 1 < text.length && !/\s/.test(text[i + 1]!)) {
      negated = true;
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const end = quotedEnd(text, i);
      term = unquote(text.slice(i, end));
      i = end;
      if (i < text.length && !/\s/.test(text[i]!)) throw invalid(`unexpected '${text[i]!}' after a quoted term`);
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i]!) && text[i] !== '"') i++;
      term = text.slice(start, i);
      if (term === '') throw invalid(`a term is missing after '${optional ? '?' : '-'}'`);
      if (text[i] === '"') throw invalid(`unexpected '"' in term '${term}'`);
    }
    if (optional) alternatives.push([{ text: term, negated: false }]);
    else if (alternatives.length > 0) alternatives[alternatives.length - 1]!.push({ text: term, negated });
    else required.push({ text: term, negated });
  }
  const all = (terms: readonly Term[], message: string): boolean => terms.every((t) => message.includes(t.text) !== t.negated);
  return (message) => all(required, message) && (alternatives.length === 0 || alternatives.some((a) => all(a, message)));
}

/** The index after the quoted string that starts at `start` (backslash escapes a character). */
function quotedEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  throw invalid('unterminated quoted string');
}

const unquote = (quoted: string): string => quoted.slice(1, -1).replace(/\\(.)/g, '$1');

// ---------------------------------------------------------------------------------------
// JSON

type Token =
  | { readonly kind: 'punct'; readonly value: '(' | ')' | '&&' | '||' | '{' | '}' }
  | { readonly kind: 'op'; readonly value: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { readonly kind: 'selector'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'string'; readonly value: string; readonly quoted: boolean }
  | { readonly kind: 'number'; readonly value: number };

type Node =
  | { readonly kind: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'compare'; readonly path: readonly (string | number)[]; readonly op: string; readonly value: string | number }
  | { readonly kind: 'is'; readonly path: readonly (string | number)[]; readonly what: true | false | null | 'missing' };

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '{' || c === '}') {
      out.push({ kind: 'punct', value: c });
      i++;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      out.push({ kind: 'punct', value: text.slice(i, i + 2) as '&&' | '||' });
      i += 2;
    } else if (text.startsWith('!=', i) || text.startsWith('<=', i) || text.startsWith('>=', i)) {
      out.push({ kind: 'op', value: text.slice(i, i + 2) as '!=' | '<=' | '>=' });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      out.push({ kind: 'op', value: c });
      i++;
    } else if (c === '$') {
      const [path, end] = selector(text, i);
      out.push({ kind: 'selector', path });
      i = end;
    } else if (c === '"') {
      const end = quotedEnd(text, i);
      out.push({ kind: 'string', value: unquote(text.slice(i, end)), quoted: true });
      i = end;
    } else {
      const start = i;
      while (i < text.length && !/[\s(){}&|=!<>"]/.test(text[i]!)) i++;
      const word = text.slice(start, i);
      if (word === '') throw invalid(`unexpected '${c}'`);
      out.push(NUMBER.test(word) ? { kind: 'number', value: Number(word) } : { kind: 'string', value: word, quoted: false });
    }
  }
  return out;
}

/** `$.a.b[0].c`: the path and the index after it. */
function selector(text: string, start: number): [(string | number)[], number] {
  const path: (string | number)[] = [];
  let i = start + 1;
  for (;;) {
    if (text[i] === '.') {
      const m = /^[A-Za-z0-9_@\-:]+/.exec(text.slice(i + 1));
      if (!m) throw invalid(`a field name is missing at position ${i + 1}`);
      path.push(m[0]);
      i += 1 + m[0].length;
    } else if (text[i] === '[') {
      const m = /^\[(\d+)\]/.exec(text.slice(i));
      if (!m) throw invalid(`only numeric array indexes are supported, at position ${i}`);
      path.push(Number(m[1]));
      i += m[0].length;
    } else {
      break;
    }
  }
  if (path.length === 0) throw invalid("a selector must name a field ('$.field')");
  return [path, i];
}

function parseJsonPattern(text: string): Matcher {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isPunct = (t: Token | undefined, v: string): boolean => t?.kind === 'punct' && t.value === v;
  const expect = (v: string): void => {
    if (!isPunct(peek(), v)) throw invalid(`expected '${v}'`);
    pos++;
  };

  const or = (): Node => {
    let left = and();
    while (isPunct(peek(), '||')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = unary();
    while (isPunct(peek(), '&&')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    const t = peek();
    if (isPunct(t, '(')) {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (t?.kind !== 'selector') throw invalid('expected a selector ($.field)');
    pos++;
    const next = peek();
    if (next?.kind === 'string' && !next.quoted && (next.value === 'IS' || next.value === 'NOT')) {
      pos++;
      const what = peek();
      pos++;
      const word = what?.kind === 'string' && !what.quoted ? what.value : '';
      if (next.value === 'NOT') {
        if (word !== 'EXISTS') throw invalid("expected 'NOT EXISTS'");
        return { kind: 'is', path: t.path, what: 'missing' };
      }
      if (word === 'TRUE') return { kind: 'is', path: t.path, what: true };
      if (word === 'FALSE') return { kind: 'is', path: t.path, what: false };
      if (word === 'NULL') return { kind: 'is', path: t.path, what: null };
      throw invalid("expected TRUE, FALSE or NULL after 'IS'");
    }
    if (next?.kind !== 'op') throw invalid('expected a comparison operator');
    pos++;
    const value = peek();
    if (value?.kind !== 'string' && value?.kind !== 'number') throw invalid('expected a value to compare with');
    pos++;
    if (value.kind === 'string' && next.value !== '=' && next.value !== '!=') throw invalid(`'${next.value}' compares numbers only`);
    return { kind: 'compare', path: t.path, op: next.value, value: value.value };
  };

  expect('{');
  const root = or();
  expect('}');
  if (pos < tokens.length) throw invalid('unexpected text after the closing brace');
  const test = compile(root);
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && test(doc);
  };
}

function lookup(doc: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = doc;
  for (const p of path) {
    if (typeof p === 'number') v = Array.isArray(v) ? (v as unknown[])[p] : undefined;
    else v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[p] : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

const glob = (pattern: string): RegExp => new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');

function compile(node: Node): (doc: unknown) => boolean {
  switch (node.kind) {
    case 'and': {
      const l = compile(node.left);
      const r = compile(node.right);
      return (d) => l(d) && r(d);
    }
    case 'or': {
      const l = compile(node.left);
      const r = compile(node.right);
      return (d) => l(d) || r(d);
    }
    case 'is':
      return (d) => {
        const v = lookup(d, node.path);
        return node.what === 'missing' ? v === undefined : v === node.what;
      };
    case 'compare': {
      const { op, value, path } = node;
      if (typeof value === 'number') {
        const cmp = NUMERIC[op]!;
        return (d) => {
          const v = lookup(d, path);
          return typeof v === 'number' && cmp(v, value);
        };
      }
      const re = glob(value);
      return (d) => {
        const v = lookup(d, path);
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
        return re.test(String(v)) === (op === '=');
      };
    }
  }
}

const NUMERIC: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
