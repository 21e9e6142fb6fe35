/**
 * Condition evaluation, compiled once per statement.
 *
 * Rules (pages "Condition operators", "Single-valued vs. multivalued context keys",
 * "Evaluation logic for negated matching condition operators", "Conditions with
 * multiple context keys or values"):
 * - several values for one key are ORed; under a negated operator they are NORed;
 * - several keys, and several operators, are ANDed (the statement checks each condition);
 * - a missing key: plain operators false, negated operators true; `...IfExists` true;
 *   `ForAllValues` true; `ForAnyValue` false; `Null` tests presence itself;
 * - `ForAllValues`: every request value matches some policy value; `ForAnyValue`: some
 *   request value does; a negated operator is applied per request value;
 * - a single-valued operator on a multivalued key does not match (Gatehouse's choice for
 *   what AWS leaves undefined; Access Analyzer warns about it);
 * - an empty multivalued value is treated as an absent key.
 */
import { arnColons, compileTemplate, type Matcher } from './template.js';
import { parseOperator, type ParsedOperator } from './operators.js';
import { parseCidr, parseIp, cidrContains, type Cidr } from './ip.js';
import { parseDate, parseNumber } from './values.js';
import type { ConditionSpec, ContextLookup } from './types.js';

export interface CompiledCondition {
  readonly spec: ConditionSpec;
  /** The context key, lower case. */
  readonly key: string;
  /** Every key the condition reads: its own and its values' variables (lower case). */
  readonly keysRead: readonly string[];
  /** The same keys as written in the policy. */
  readonly keyNames: readonly string[];
  test(ctx: ContextLookup): boolean;
}

/** Does one request value match any of the policy values (before negation)? */
type AnyOf = (value: string, ctx: ContextLookup) => boolean;

export function compileCondition(spec: ConditionSpec, version: string | undefined): CompiledCondition {
  const op = parseOperator(spec.operator);
  if (!op) throw new Error(`unknown condition operator ${spec.operator}`); // the parser refuses these
  const key = spec.key.toLowerCase();
  const variables = op.variables && version === '2012-10-17';
  const { anyOf, variableKeys, variableNames } = compileValues(op, spec.values, variables);
  const keysRead = [key];
  const keyNames = [spec.key];
  variableKeys.forEach((k, i) => {
    if (!keysRead.includes(k)) {
      keysRead.push(k);
      keyNames.push(variableNames[i]!);
    }
  });
  const test = op.base === 'Null' ? nullTest(key, spec.values) : valueTest(op, key, anyOf);
  return { spec, key, keysRead, keyNames, test };
}

function nullTest(key: string, values: readonly string[]): (ctx: ContextLookup) => boolean {
  const wantAbsent = values.some((v) => v.toLowerCase() === 'true');
  const wantPresent = values.some((v) => v.toLowerCase() === 'false');
  return (ctx) => {
    const v = ctx.get(key);
    const present = v !== undefined && (typeof v === 'string' || v.length > 0);
    return present ? wantPresent : wantAbsent;
  };
}

function valueTest(op: ParsedOperator, key: string, anyOf: AnyOf): (ctx: ContextLookup) => boolean {
  const { negated, ifExists, set } = op;
  if (set === 'ForAllValues') {
    return (ctx) => {
      const v = ctx.get(key);
      if (v === undefined) return true;
      if (typeof v === 'string') return anyOf(v, ctx) !== negated;
      for (let i = 0; i < v.length; i++) if (anyOf(v[i]!, ctx) === negated) return false;
      return true;
    };
  }
  if (set === 'ForAnyValue') {
    return (ctx) => {
      const v = ctx.get(key);
      if (v === undefined) return false;
      if (typeof v === 'string') return anyOf(v, ctx) !== negated;
      for (let i = 0; i < v.length; i++) if (anyOf(v[i]!, ctx) !== negated) return true;
      return false;
    };
  }
  return (ctx) => {
    const v = ctx.get(key);
    if (v === undefined || (typeof v !== 'string' && v.length === 0)) return ifExists || negated;
    if (typeof v !== 'string') return false;
    return anyOf(v, ctx) !== negated;
  };
}

interface Values {
  readonly anyOf: AnyOf;
  readonly variableKeys: readonly string[];
  readonly variableNames: readonly string[];
}

const plain = (anyOf: AnyOf): Values => ({ anyOf, variableKeys: [], variableNames: [] });

function compileValues(op: ParsedOperator, values: readonly string[], variables: boolean): Values {
  switch (op.family) {
    case 'string':
      return stringValues(op, values, variables);
    case 'arn':
      return arnValues(values, variables);
    case 'bool':
      return stringValues(op, values, variables, true);
    case 'numeric':
      return plain(numericValues(op, values));
    case 'date':
      return plain(dateValues(op, values));
    case 'ip':
      return plain(ipValues(values));
    case 'binary':
      return plain(binaryValues(values));
    case 'null':
      return plain(() => false);
  }
}

/** The variables a set of matchers reads, lower case and as written, in first-seen order. */
function collectKeys(matchers: readonly Matcher[]): { variableKeys: string[]; variableNames: string[] } {
  const seen = new Map<string, string>();
  for (const m of matchers) m.variableKeys.forEach((k, i) => seen.has(k) || seen.set(k, m.variableNames[i]!));
  return { variableKeys: [...seen.keys()], variableNames: [...seen.values()] };
}

function stringValues(op: ParsedOperator, values: readonly string[], variables: boolean, bool = false): Values {
  const like = op.base === 'StringLike' || op.base === 'StringNotLike';
  const ignoreCase = bool || op.base === 'StringEqualsIgnoreCase' || op.base === 'StringNotEqualsIgnoreCase';
  const matchers = values.map((v) => compileTemplate(ignoreCase ? v.toLowerCase() : v, { wildcards: like, variables, ignoreCase }));
  const keys = collectKeys(matchers);
  // The common case: exact values with no variables or escapes: a set lookup.
  if (!like && keys.variableKeys.length === 0 && !(variables && values.some((v) => v.includes('${')))) {
    const set = new Set(values.map((v) => (ignoreCase ? v.toLowerCase() : v)));
    if (ignoreCase) return plain((v) => set.has(v.toLowerCase()));
    return plain((v) => set.has(v));
  }
  return {
    anyOf: (v, ctx) => {
      for (let i = 0; i < matchers.length; i++) if (matchers[i]!.match(v, ctx)) return true;
      return false;
    },
    ...keys,
  };
}

/**
 * ArnEquals/ArnLike: both sides split on their first five colons; each of the six
 * components matched on its own, so a `*` never crosses a component's colon. A policy
 * value with fewer than six components is matched against the whole value
 * (Gatehouse's choice; `*` then matches any ARN).
 */
function arnValues(values: readonly string[], variables: boolean): Values {
  const compiled = values.map((v) => {
    const parts = splitArn(v);
    const opts = { wildcards: true, variables };
    if (!parts) return { whole: compileTemplate(v, opts), parts: undefined };
    return { whole: undefined, parts: parts.map((p) => compileTemplate(p, opts)) };
  });
  const keys = collectKeys(compiled.flatMap((c) => (c.whole ? [c.whole] : c.parts)));
  const bounds = new Array<number>(7);
  return {
    anyOf: (v, ctx) => {
      const split = arnBounds(v, bounds);
      for (const c of compiled) {
        if (c.whole) {
          if (c.whole.match(v, ctx)) return true;
          continue;
        }
        if (!split) continue;
        let ok = true;
        for (let i = 0; i < 6 && ok; i++) ok = c.parts[i]!.match(v, ctx, bounds[i]! + (i === 0 ? 0 : 1), bounds[i + 1]);
        if (ok) return true;
      }
      return false;
    },
    ...keys,
  };
}

/** Split a policy value on its first five colons (not those inside `${...}`), or undefined when there are fewer. */
function splitArn(v: string): string[] | undefined {
  const colons = arnColons(v);
  if (colons.length < 5) return undefined;
  return [0, ...colons].map((c, i) => v.slice(i === 0 ? 0 : c + 1, colons[i] ?? v.length));
}

/** Fill `out` with component bounds: out[0] = 0, out[1..5] = the first five colons, out[6] = length. */
function arnBounds(v: string, out: number[]): boolean {
  out[0] = 0;
  let from = 0;
  for (let i = 1; i <= 5; i++) {
    const c = v.indexOf(':', from);
    if (c < 0) return false;
    out[i] = c;
    from = c + 1;
  }
  out[6] = v.length;
  return true;
}

type Compare = (a: number, b: number) => boolean;
const COMPARE: Record<string, Compare> = {
  Equals: (a, b) => a === b,
  NotEquals: (a, b) => a === b, // negation is applied by valueTest
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
};

function compareValues(op: ParsedOperator, values: readonly string[], read: (s: string) => number, family: string): AnyOf {
  const cmp = COMPARE[op.base.slice(family.length)]!;
  const policy = values.map(read).filter((n) => !Number.isNaN(n));
  return (v) => {
    const n = read(v);
    if (Number.isNaN(n)) return false;
    for (let i = 0; i < policy.length; i++) if (cmp(n, policy[i]!)) return true;
    return false;
  };
}

const numericValues = (op: ParsedOperator, values: readonly string[]): AnyOf => compareValues(op, values, parseNumber, 'Numeric');
const dateValues = (op: ParsedOperator, values: readonly string[]): AnyOf => compareValues(op, values, parseDate, 'Date');

function ipValues(values: readonly string[]): AnyOf {
  const cidrs = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  return (v) => {
    const ip = parseIp(v);
    if (!ip) return false;
    for (let i = 0; i < cidrs.length; i++) if (cidrContains(cidrs[i]!, ip)) return true;
    return false;
  };
}

/** BinaryEquals: the policy holds base64; compared byte for byte with the request's. */
function binaryValues(values: readonly string[]): AnyOf {
  const canon = (s: string): string => Buffer.from(s, 'base64').toString('base64');
  const set = new Set(values.map(canon));
  return (v) => set.has(canon(v));
}
