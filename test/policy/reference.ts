/**
 * A deliberately naive REFERENCE evaluator for IAM authorization, used as the oracle of
 * the differential test (differential.test.ts) against the compiled engine in src/policy.
 *
 * Written straight from /work/shared/reference/iam.md (§1–8, §17) and the engine's
 * documented choices, NOT from the engine's source. Design rules:
 * - it reads raw JSON policy documents (no parsing/validation step: documents are assumed valid);
 * - everything is recomputed on every call: regular expressions are built per match, no caches;
 * - plain loops and small functions, one rule per function, so each can be checked by eye.
 *
 * Only types are imported from src/policy.
 *
 * Choices beyond iam.md that this reference encodes (each one is where the engine and a
 * careful reader could differ; the differential test settled them against AWS's docs):
 * - a single-valued operator on a multivalued (array) key is false, negated ones included;
 * - an empty array is a null data set: the key counts as absent (Null true, IfExists true,
 *   variable defaults apply);
 * - ForAllValues/ForAnyValue on a missing key: true/false whatever the IfExists suffix
 *   (AWS applies IfExists per request value, inside the set loop);
 * - policy variables only in 2012-10-17 documents; in Resource/NotResource only after the
 *   fifth colon; in String*, Arn* and Bool condition values (substituted before the ARN is
 *   split into components); `${*}`, `${?}`, `${$}` are literal characters; an unresolvable
 *   variable makes that one policy value match nothing;
 * - Arn*: a policy value with fewer than six components is a whole-string glob; otherwise a
 *   request value with fewer than six components does not match;
 * - the root user (type Account) and service principals have no identity side: identity,
 *   boundary and session policies are ignored; root is allowed by its own account, a service
 *   only by a resource policy; an account id in Principal does not name a service principal;
 * - NotPrincipal exempts only the caller's own ARN (an account id means its root ARN) or `*`;
 * - SCPs skip the management account, SLRs and service principals; RCPs skip the management
 *   account's resources, unlisted services and SLRs (they do apply to service principals).
 */
import type { Decision, PrincipalMatch, RequestPrincipal } from '../../src/policy/types.js';

// ---------------------------------------------------------------------------------
// Inputs

/** A raw context value, as given to `new RequestContext(...)`. */
export type RefContextValue = string | number | boolean | readonly string[];

export interface RefRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount?: string;
  /** Raw context: key names are matched case-insensitively. */
  readonly context: Readonly<Record<string, RefContextValue>>;
}

/** A raw policy document (parsed JSON). */
export type RawPolicy = Readonly<Record<string, unknown>>;

export interface RefOrgLevel {
  readonly target: string;
  readonly policies: readonly RawPolicy[];
}

/** Mirrors PolicySet, with raw documents instead of compiled policies. */
export interface RefPolicySet {
  readonly identity?: readonly RawPolicy[];
  readonly boundary?: RawPolicy;
  /** undefined: no session policy (not capped); [] or more: at least one must allow. */
  readonly session?: readonly RawPolicy[];
  readonly resource?: RawPolicy;
  readonly resourcePolicyRequired?: boolean;
  readonly principalOrg?: { readonly managementAccountId: string; readonly scpLevels: readonly RefOrgLevel[] };
  readonly resourceOrg?: {
    readonly managementAccountId: string;
    readonly rcpLevels: readonly RefOrgLevel[];
    readonly rcpServices: ReadonlySet<string> | readonly string[];
  };
}

// ---------------------------------------------------------------------------------
// Request context

interface ContextEntry {
  readonly present: boolean;
  /** string for single-valued keys, array for multivalued keys. */
  readonly value: string | readonly string[];
}

/** Case-insensitive lookup; numbers and booleans are stringified. */
function lookup(context: Readonly<Record<string, RefContextValue>>, key: string): ContextEntry {
  const wanted = key.toLowerCase();
  for (const name of Object.keys(context)) {
    if (name.toLowerCase() !== wanted) continue;
    const raw = context[name];
    if (raw === undefined) continue;
    if (Array.isArray(raw)) {
      // An empty list is a null data set: the key counts as absent everywhere (AWS: the
      // "context key value resolves to a null dataset"; Null treats it as null).
      if (raw.length === 0) return { present: false, value: '' };
      const values: string[] = [];
      for (const v of raw as readonly unknown[]) values.push(String(v));
      return { present: true, value: values };
    }
    return { present: true, value: String(raw) };
  }
  return { present: false, value: '' };
}

// ---------------------------------------------------------------------------------
// Globs and policy variables

/** One unit of a pattern: a literal character or a wildcard. */
type Token = { readonly lit: string } | { readonly wild: '*' | '?' };

/** Every character of `text` as a token; `*` and `?` are wildcards. */
function plainTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const ch of text) {
    if (ch === '*' || ch === '?') out.push({ wild: ch });
    else out.push({ lit: ch });
  }
  return out;
}

/** Every character of `text` as a literal token (substituted values are data, not patterns). */
function literalTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const ch of text) out.push({ lit: ch });
  return out;
}

/**
 * Substitutes `${...}` policy variables in `text` (iam.md §7). Returns the tokens, or
 * null when a variable cannot be resolved (key missing without default, or multivalued):
 * such a policy value never matches.
 */
function substitute(text: string, context: Readonly<Record<string, RefContextValue>>): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      const close = text.indexOf('}', i + 2);
      if (close < 0) {
        // Unterminated: the rest is ordinary pattern text.
        out.push(...plainTokens(text.slice(i)));
        break;
      }
      const inner = text.slice(i + 2, close);
      i = close + 1;
      if (inner === '*' || inner === '?' || inner === '$') {
        out.push({ lit: inner });
        continue;
      }
      let key = inner;
      let fallback: string | undefined;
      const withDefault = /^(.*?)\s*,\s*'(.*)'$/s.exec(inner);
      if (withDefault) {
        key = withDefault[1]!;
        fallback = withDefault[2]!;
      }
      const entry = lookup(context, key.trim());
      if (!entry.present) {
        if (fallback === undefined) return null;
        out.push(...literalTokens(fallback));
      } else if (typeof entry.value !== 'string') {
        return null; // multivalued key used as a variable: never matches
      } else {
        out.push(...literalTokens(entry.value));
      }
      continue;
    }
    out.push(...plainTokens(text[i]!));
    i += 1;
  }
  return out;
}

function escapeRegex(ch: string): string {
  return ch.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => '\\' + c);
}

/** Whole-string glob match of tokens against `value`. */
function globMatch(tokens: readonly Token[], value: string, ignoreCase: boolean): boolean {
  let source = '^';
  for (const t of tokens) {
    if ('lit' in t) source += escapeRegex(t.lit);
    else if (t.wild === '*') source += '[\\s\\S]*';
    else source += '[\\s\\S]';
  }
  source += '$';
  return new RegExp(source, ignoreCase ? 'i' : '').test(value);
}

/** Tokens as a plain string (wildcards as their characters); for non-glob operators. */
function tokensToString(tokens: readonly Token[]): string {
  let s = '';
  for (const t of tokens) s += 'lit' in t ? t.lit : t.wild;
  return s;
}

// ---------------------------------------------------------------------------------
// Action, Resource

function actionMatches(pattern: string, action: string): boolean {
  return globMatch(plainTokens(pattern), action, true);
}

/** Index of the n-th (1-based) occurrence of `ch` in `s`, or -1. */
function nthIndexOf(s: string, ch: string, n: number): number {
  let from = 0;
  for (let k = 1; k <= n; k++) {
    const at = s.indexOf(ch, from);
    if (at < 0) return -1;
    if (k === n) return at;
    from = at + 1;
  }
  return -1;
}

/**
 * Resource/NotResource pattern: whole-string, case-sensitive glob. With variables, they
 * are substituted only after the fifth colon; an unresolvable variable makes the pattern
 * match nothing.
 */
function resourceMatches(pattern: string, resource: string, variables: boolean, req: RefRequest): boolean {
  let tokens: Token[];
  const fifth = nthIndexOf(pattern, ':', 5);
  if (!variables || fifth < 0) {
    tokens = plainTokens(pattern);
  } else {
    const rest = substitute(pattern.slice(fifth + 1), req.context);
    if (rest === null) return false;
    tokens = [...plainTokens(pattern.slice(0, fifth + 1)), ...rest];
  }
  return globMatch(tokens, resource, false);
}

// ---------------------------------------------------------------------------------
// Principal

/** A JSON scalar as IAM sees it: numbers and booleans are stringified. */
function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** A policy element that is one value or a list of values, as a list of strings. */
function listOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return (value as unknown[]).map(scalar);
  return [scalar(value)];
}

/** How the Principal element names the caller; empty when it does not. */
function principalMatches(spec: unknown, p: RequestPrincipal): PrincipalMatch[] {
  const found: PrincipalMatch[] = [];
  if (spec === '*') return ['wildcard'];
  if (typeof spec !== 'object' || spec === null) return found;
  const element = spec as Record<string, unknown>;
  for (const v of listOf(element.AWS)) {
    if (v === '*') found.push('wildcard');
    // An account names the principals of that account (not service principals).
    if (p.type !== 'Service' && (v === p.account || v === `arn:aws:iam::${p.account}:root`)) found.push('account');
    if (p.type === 'User' && v === p.arn) found.push('user');
    if ((p.type === 'AssumedRole' || p.type === 'FederatedUser') && v === p.arn) found.push('session');
    if (p.type === 'AssumedRole' && p.roleArn !== undefined && v === p.roleArn) found.push('role');
  }
  for (const v of listOf(element.Service)) {
    if (p.type === 'Service' && v === p.arn) found.push('service');
  }
  for (const v of listOf(element.Federated)) {
    if (p.federatedProvider !== undefined && v === p.federatedProvider) found.push('federated');
  }
  return found;
}

/**
 * NotPrincipal: applies unless the caller's own ARN, or `*`, is listed. A bare account id
 * is AWS's short form of the account's root ARN, so it names the root user only.
 */
function notPrincipalApplies(spec: unknown, p: RequestPrincipal): boolean {
  if (spec === '*') return false;
  const element = (typeof spec === 'object' && spec !== null ? spec : {}) as Record<string, unknown>;
  for (const name of Object.keys(element)) {
    for (const v of listOf(element[name])) {
      const arn = /^\d{12}$/.test(v) ? `arn:aws:iam::${v}:root` : v;
      if (v === '*' || arn === p.arn) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------
// Conditions

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorInfo {
  readonly family: Family;
  readonly negated: boolean;
  readonly comparison: Comparison;
}

const OPERATORS: Readonly<Record<string, OperatorInfo>> = {
  StringEquals: { family: 'string', negated: false, comparison: 'eq' },
  StringNotEquals: { family: 'string', negated: true, comparison: 'eq' },
  StringEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: false, comparison: 'eq' },
  StringNotEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: true, comparison: 'eq' },
  StringLike: { family: 'stringLike', negated: false, comparison: 'eq' },
  StringNotLike: { family: 'stringLike', negated: true, comparison: 'eq' },
  NumericEquals: { family: 'numeric', negated: false, comparison: 'eq' },
  NumericNotEquals: { family: 'numeric', negated: true, comparison: 'eq' },
  NumericLessThan: { family: 'numeric', negated: false, comparison: 'lt' },
  NumericLessThanEquals: { family: 'numeric', negated: false, comparison: 'le' },
  NumericGreaterThan: { family: 'numeric', negated: false, comparison: 'gt' },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, comparison: 'ge' },
  DateEquals: { family: 'date', negated: false, comparison: 'eq' },
  DateNotEquals: { family: 'date', negated: true, comparison: 'eq' },
  DateLessThan: { family: 'date', negated: false, comparison: 'lt' },
  DateLessThanEquals: { family: 'date', negated: false, comparison: 'le' },
  DateGreaterThan: { family: 'date', negated: false, comparison: 'gt' },
  DateGreaterThanEquals: { family: 'date', negated: false, comparison: 'ge' },
  Bool: { family: 'bool', negated: false, comparison: 'eq' },
  BinaryEquals: { family: 'binary', negated: false, comparison: 'eq' },
  IpAddress: { family: 'ip', negated: false, comparison: 'eq' },
  NotIpAddress: { family: 'ip', negated: true, comparison: 'eq' },
  ArnEquals: { family: 'arn', negated: false, comparison: 'eq' },
  ArnLike: { family: 'arn', negated: false, comparison: 'eq' },
  ArnNotEquals: { family: 'arn', negated: true, comparison: 'eq' },
  ArnNotLike: { family: 'arn', negated: true, comparison: 'eq' },
  Null: { family: 'null', negated: false, comparison: 'eq' },
};

interface ParsedOperator extends OperatorInfo {
  readonly set: 'none' | 'ForAllValues' | 'ForAnyValue';
  readonly ifExists: boolean;
}

function parseOperator(written: string): ParsedOperator {
  let name = written;
  let set: ParsedOperator['set'] = 'none';
  if (name.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    name = name.slice('ForAllValues:'.length);
  } else if (name.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    name = name.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (name.endsWith('IfExists')) {
    ifExists = true;
    name = name.slice(0, -'IfExists'.length);
  }
  const info = OPERATORS[name];
  if (info === undefined) throw new Error(`reference: unknown condition operator ${written}`);
  return { ...info, set, ifExists };
}

function compare(a: number, b: number, comparison: Comparison): boolean {
  switch (comparison) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
  }
}

function parseNumber(s: string): number {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s.trim())) return NaN;
  return Number(s);
}

/** Milliseconds since the epoch: numeric strings are epoch seconds, else Date.parse. */
function parseDate(s: string): number {
  if (/^[+-]?\d+(\.\d+)?$/.test(s.trim())) return Number(s) * 1000;
  return Date.parse(s);
}

interface IpValue {
  readonly v6: boolean;
  readonly bits: bigint;
}

function parseIpv4(s: string): bigint | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0n;
  for (let k = 1; k <= 4; k++) {
    const octet = Number(m[k]);
    if (octet > 255) return null;
    n = n * 256n + BigInt(octet);
  }
  return n;
}

function parseIpv6(s: string): bigint | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<string>(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = n * 65536n + BigInt(parseInt(g, 16));
  }
  return n;
}

function parseIp(s: string): IpValue | null {
  if (s.includes(':')) {
    const bits = parseIpv6(s);
    return bits === null ? null : { v6: true, bits };
  }
  const bits = parseIpv4(s);
  return bits === null ? null : { v6: false, bits };
}

/** Is the address `value` inside the policy's CIDR (a bare address is /32 or /128)? */
function ipMatches(policyValue: string, value: string): boolean {
  const slash = policyValue.indexOf('/');
  const net = parseIp(slash < 0 ? policyValue : policyValue.slice(0, slash));
  const addr = parseIp(value);
  if (net === null || addr === null || net.v6 !== addr.v6) return false;
  const width = net.v6 ? 128 : 32;
  let prefix = width;
  if (slash >= 0) {
    const p = policyValue.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return false;
    prefix = Number(p);
    if (prefix > width) return false;
  }
  const shift = BigInt(width - prefix);
  return net.bits >> shift === addr.bits >> shift;
}

/** Splits on the first five colons; a value with fewer than five has fewer than six parts. */
function splitArn(s: string): string[] {
  const parts: string[] = [];
  let rest = s;
  for (let k = 0; k < 5; k++) {
    const at = rest.indexOf(':');
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}

/** The same split on tokens (only literal colons separate). */
function splitArnTokens(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of tokens) {
    if ('lit' in t && t.lit === ':' && parts.length < 6) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/**
 * Arn* operators: a policy value with fewer than six parts is a whole-string glob (so `*`
 * matches anything); otherwise a request value with fewer than six parts does not match,
 * and the six parts are glob-matched one by one.
 */
function arnMatches(policyTokens: readonly Token[], value: string): boolean {
  const policyParts = splitArnTokens(policyTokens);
  if (policyParts.length < 6) return globMatch(policyTokens, value, false);
  const valueParts = splitArn(value);
  if (valueParts.length < 6) return false;
  for (let k = 0; k < 6; k++) {
    if (!globMatch(policyParts[k]!, valueParts[k]!, false)) return false;
  }
  return true;
}

/**
 * Does one policy value match one request value, in the operator's positive sense?
 * Variables are substituted for String*, Arn* and Bool operators (2012-10-17 only);
 * an unresolvable variable never matches.
 */
function valueMatches(op: OperatorInfo, policyValue: string, value: string, variables: boolean, req: RefRequest): boolean {
  const templated = op.family === 'string' || op.family === 'stringIgnoreCase' || op.family === 'stringLike' || op.family === 'arn' || op.family === 'bool';
  let tokens: Token[];
  if (templated && variables) {
    const t = substitute(policyValue, req.context);
    if (t === null) return false;
    tokens = t;
  } else {
    tokens = plainTokens(policyValue);
  }
  switch (op.family) {
    case 'string':
      return tokensToString(tokens) === value;
    case 'stringIgnoreCase':
      return tokensToString(tokens).toLowerCase() === value.toLowerCase();
    case 'stringLike':
      return globMatch(tokens, value, false);
    case 'arn':
      return arnMatches(tokens, value);
    case 'bool':
      return tokensToString(tokens).toLowerCase() === value.toLowerCase();
    case 'binary':
      return policyValue === value;
    case 'ip':
      return ipMatches(policyValue, value);
    case 'numeric': {
      const a = parseNumber(value);
      const b = parseNumber(policyValue);
      return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b, op.comparison);
    }
    case 'date': {
      const a = parseDate(value);
      const b = parseDate(policyValue);
      return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b, op.comparison);
    }
    case 'null':
      return false; // handled by the caller
  }
}

/** One `operator: { key: values }` entry. */
function conditionHolds(written: string, key: string, policyValues: readonly string[], variables: boolean, req: RefRequest): boolean {
  const op = parseOperator(written);
  const entry = lookup(req.context, key);

  if (op.family === 'null') {
    // "true": the key is null (absent, or an empty list); "false": it has a value.
    // Several values are ORed.
    const isNull = !entry.present;
    for (const v of policyValues) {
      const wantsNull = v.toLowerCase() === 'true';
      const wantsValue = v.toLowerCase() === 'false';
      if ((wantsNull && isNull) || (wantsValue && !isNull)) return true;
    }
    return false;
  }

  if (!entry.present) {
    // Set operators decide absence themselves; IfExists does not change them (AWS applies
    // IfExists per request value, inside the set loop: a missing key has no values).
    if (op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    if (op.ifExists) return true;
    return op.negated;
  }

  /** The operator's test for one request value: OR over policy values, NOR if negated. */
  const test = (value: string): boolean => {
    let any = false;
    for (const pv of policyValues) {
      if (valueMatches(op, pv, value, variables, req)) any = true;
    }
    return op.negated ? !any : any;
  };

  if (op.set === 'none') {
    if (typeof entry.value !== 'string') return false; // single-valued operator on a multivalued key
    return test(entry.value);
  }
  const values = typeof entry.value === 'string' ? [entry.value] : entry.value;
  if (op.set === 'ForAllValues') {
    for (const v of values) if (!test(v)) return false;
    return true;
  }
  for (const v of values) if (test(v)) return true;
  return false;
}

function conditionsHold(condition: unknown, variables: boolean, req: RefRequest): boolean {
  if (condition === undefined) return true;
  const block = condition as Record<string, Record<string, unknown>>;
  for (const operator of Object.keys(block)) {
    const keys = block[operator]!;
    for (const key of Object.keys(keys)) {
      const values = listOf(keys[key]);
      if (!conditionHolds(operator, key, values, variables, req)) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------
// Statements and policies

interface Applicable {
  readonly effect: 'Allow' | 'Deny';
  /** For statements with a Principal element: how it named the caller. */
  readonly principal: readonly PrincipalMatch[];
}

function statementsOf(doc: RawPolicy): Record<string, unknown>[] {
  const s = doc.Statement;
  if (Array.isArray(s)) return s as Record<string, unknown>[];
  return [s as Record<string, unknown>];
}

/** The statements of `doc` that apply to the request (Principal, Action, Resource, Condition). */
function applicableStatements(doc: RawPolicy, req: RefRequest): Applicable[] {
  const variables = doc.Version === '2012-10-17';
  const out: Applicable[] = [];
  for (const st of statementsOf(doc)) {
    let principal: PrincipalMatch[] = [];
    if (st.Principal !== undefined) {
      principal = principalMatches(st.Principal, req.principal);
      if (principal.length === 0) continue;
    }
    if (st.NotPrincipal !== undefined && !notPrincipalApplies(st.NotPrincipal, req.principal)) continue;

    if (st.Action !== undefined && !listOf(st.Action).some((a) => actionMatches(a, req.action))) continue;
    if (st.NotAction !== undefined && listOf(st.NotAction).some((a) => actionMatches(a, req.action))) continue;

    if (st.Resource !== undefined && !listOf(st.Resource).some((r) => resourceMatches(r, req.resource, variables, req))) continue;
    if (st.NotResource !== undefined && listOf(st.NotResource).some((r) => resourceMatches(r, req.resource, variables, req))) continue;

    if (!conditionsHold(st.Condition, variables, req)) continue;
    out.push({ effect: st.Effect === 'Deny' ? 'Deny' : 'Allow', principal });
  }
  return out;
}

function hasEffect(list: readonly Applicable[], effect: 'Allow' | 'Deny'): boolean {
  return list.some((s) => s.effect === effect);
}

// ---------------------------------------------------------------------------------
// The decision (iam.md §1–3 plus the engine's documented choices)

export function referenceEvaluate(req: RefRequest, set: RefPolicySet): Decision {
  const p = req.principal;
  const resourceAccount = req.resourceAccount ?? p.account;
  const crossAccount = resourceAccount !== p.account;
  const servicePrefix = req.action.split(':')[0]!.toLowerCase();
  // SCPs limit the organization's own principals: never service principals or SLRs.
  const exemptFromScps = p.serviceLinkedRole === true || p.type === 'Service';
  // RCPs limit access to the organization's resources by any caller, AWS service
  // principals included (AWS's data-perimeter RCPs exempt them explicitly with
  // aws:PrincipalIsAWSService); only service-linked roles are exempt.
  const exemptFromRcps = p.serviceLinkedRole === true;

  const scpApplies = set.principalOrg !== undefined && !exemptFromScps && p.account !== set.principalOrg.managementAccountId;
  let rcpApplies = false;
  if (set.resourceOrg !== undefined && !exemptFromRcps && resourceAccount !== set.resourceOrg.managementAccountId) {
    rcpApplies = [...set.resourceOrg.rcpServices].some((s) => s.toLowerCase() === servicePrefix);
  }

  // iam.md §1 step 0: the account root user has full access to its own account.
  // iam.md §4: a service principal can only be granted access by a resource policy.
  // Neither can have identity policies, a boundary or session policies: those are ignored.
  const root = p.type === 'Account';
  const service = p.type === 'Service';
  const noIdentitySide = root || service;

  // Every applicable statement, per policy.
  const identity = noIdentitySide ? [] : (set.identity ?? []).flatMap((d) => applicableStatements(d, req));
  const boundary = noIdentitySide || set.boundary === undefined ? undefined : applicableStatements(set.boundary, req);
  const sessions = noIdentitySide || set.session === undefined ? undefined : set.session.map((d) => applicableStatements(d, req));
  const resource = set.resource === undefined ? [] : applicableStatements(set.resource, req);
  const scpLevels = scpApplies ? set.principalOrg.scpLevels.map((l) => l.policies.flatMap((d) => applicableStatements(d, req))) : [];
  const rcpLevels = rcpApplies ? set.resourceOrg!.rcpLevels.map((l) => l.policies.flatMap((d) => applicableStatements(d, req))) : [];

  // 1. An explicit deny anywhere wins.
  const everything: Applicable[] = [...identity, ...(boundary ?? []), ...(sessions ?? []).flat(), ...resource, ...scpLevels.flat(), ...rcpLevels.flat()];
  if (hasEffect(everything, 'Deny')) return 'explicitDeny';

  // 2-3. RCPs and SCPs: every level needs an Allow.
  for (const level of scpLevels) if (!hasEffect(level, 'Allow')) return 'implicitDeny';
  for (const level of rcpLevels) if (!hasEffect(level, 'Allow')) return 'implicitDeny';

  // Principal side: identity Allow, capped by the boundary and the session policies.
  const identityAllows = root || hasEffect(identity, 'Allow');
  const boundaryAllows = boundary === undefined || hasEffect(boundary, 'Allow');
  const sessionAllows = sessions === undefined || sessions.some((s) => hasEffect(s, 'Allow'));
  const principalSide = identityAllows && boundaryAllows && sessionAllows;

  // Resource side: how the resource policy's Allow statements named the caller.
  const grants = new Set<PrincipalMatch>();
  for (const s of resource) if (s.effect === 'Allow') for (const m of s.principal) grants.add(m);

  if (service) return grants.size > 0 ? 'allowed' : 'implicitDeny';
  if (crossAccount) {
    return principalSide && grants.size > 0 ? 'allowed' : 'implicitDeny';
  }

  // Same account (iam.md §3).
  for (const exact of ['user', 'session', 'wildcard', 'service', 'federated'] as const) {
    if (grants.has(exact)) return 'allowed';
  }
  if (grants.has('role') && boundaryAllows && sessionAllows) return 'allowed';
  if (grants.has('account') && principalSide) return 'allowed';
  if (grants.size === 0 && !set.resourcePolicyRequired && principalSide) return 'allowed';
  return 'implicitDeny';
}
