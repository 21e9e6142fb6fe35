/**
 * Compile once, evaluate many times. A compiled policy holds, per statement, matchers
 * for its actions, resources, principal and conditions, and a per-action index: the
 * first request for `iam:CreateRole` finds the statements whose Action/NotAction can
 * match it, and every later request for that action touches only those.
 *
 * Compiled policies are cached by content, so the same managed policy attached to a
 * thousand roles is compiled once.
 */
import { arnColons, compileTemplate, type Matcher } from './template.js';
import { compileCondition, type CompiledCondition } from './conditions.js';
import { CompiledPrincipal } from './principal.js';
import { parsePolicy, PolicyDocumentError, type ParseOptions } from './parse.js';
import type { EvaluablePolicy, MatchedStatement, PolicyDocument, PolicyKind, PolicyType, StatementSpec } from './types.js';

const TYPE_OF_KIND: Readonly<Record<PolicyKind, PolicyType>> = {
  identity: 'identity',
  resource: 'resource',
  trust: 'resource',
  boundary: 'boundary',
  session: 'session',
  scp: 'scp',
  rcp: 'rcp',
};

/** A bound on every per-policy memo, so a flood of made-up action names cannot grow it. */
const MEMO_LIMIT = 4096;

export class CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly allow: boolean;
  /** The descriptor reported when this statement decides; built once, never per request. */
  readonly descriptor: MatchedStatement;
  readonly spec: StatementSpec;
  private readonly actions: readonly Matcher[];
  private readonly notAction: boolean;
  readonly resources: readonly Matcher[];
  readonly notResource: boolean;
  /** Resource `*` (or NotResource that can never exclude): skip resource matching. */
  readonly anyResource: boolean;
  readonly principal: CompiledPrincipal | undefined;
  readonly notPrincipal: CompiledPrincipal | undefined;
  readonly conditions: readonly CompiledCondition[];
  /** Condition keys the statement reads (as written in the policy). */
  readonly keyNames: readonly string[];

  constructor(spec: StatementSpec, version: string | undefined, descriptor: MatchedStatement) {
    this.spec = spec;
    this.effect = spec.effect;
    this.allow = spec.effect === 'Allow';
    this.descriptor = descriptor;
    this.notAction = spec.notAction !== undefined;
    // Actions are matched in lower case: the request's action is lowered once per request.
    this.actions = (spec.action ?? spec.notAction ?? []).map((a) => compileTemplate(a.toLowerCase(), { wildcards: true, variables: false }));
    this.notResource = spec.notResource !== undefined;
    const variables = version === '2012-10-17';
    this.resources = (spec.resource ?? spec.notResource ?? []).map((r) => compileResource(r, variables));
    // A trust policy has no Resource element: its resource is the role itself.
    const noResourceElement = spec.resource === undefined && spec.notResource === undefined;
    this.anyResource = noResourceElement || (!this.notResource && this.resources.some((m) => m.matchesAll));
    this.principal = spec.principal ? new CompiledPrincipal(spec.principal) : undefined;
    this.notPrincipal = spec.notPrincipal ? new CompiledPrincipal(spec.notPrincipal) : undefined;
    this.conditions = spec.conditions.map((c) => compileCondition(c, version));
    const names = new Map<string, string>();
    for (const c of this.conditions) c.keysRead.forEach((k, i) => names.has(k) || names.set(k, c.keyNames[i]!));
    for (const m of this.resources) m.variableKeys.forEach((k, i) => names.has(k) || names.set(k, m.variableNames[i]!));
    this.keyNames = [...names.values()];
  }

  /** Does Action/NotAction cover the (lower-case) action? Used to build the index. */
  coversAction(action: string): boolean {
    let hit = false;
    for (const m of this.actions) {
      if (m.match(action, undefined)) {
        hit = true;
        break;
      }
    }
    return hit !== this.notAction;
  }
}

/**
 * Resource patterns: a variable is honoured only in the resource part of the ARN,
 * after the fifth colon (page "IAM policy elements: Variables and tags"); before it,
 * `${...}` stays literal text.
 */
function compileResource(pattern: string, variables: boolean): Matcher {
  if (!variables || !pattern.includes('${')) return compileTemplate(pattern, { wildcards: true, variables: false });
  const cut = arnColons(pattern)[4];
  if (cut === undefined) return compileTemplate(pattern, { wildcards: true, variables: false });
  // Escape `${` in the head by turning it into the literal escapes the template knows.
  const head = pattern.slice(0, cut + 1).replace(/\$\{/g, '${$}{');
  return compileTemplate(head + pattern.slice(cut + 1), { wildcards: true, variables: true });
}

/** Statements per action, built lazily and memoised. Shared by policies and groups. */
abstract class ActionIndex {
  private memo = new Map<string, readonly CompiledStatement[]>();
  protected abstract build(action: string): readonly CompiledStatement[];
  /** Statements whose Action/NotAction covers `action` (lower case), in policy order. */
  candidates(action: string): readonly CompiledStatement[] {
    let hit = this.memo.get(action);
    if (hit === undefined) {
      hit = this.build(action);
      if (this.memo.size >= MEMO_LIMIT) this.memo = new Map();
      this.memo.set(action, hit);
    }
    return hit;
  }
}

export class CompiledPolicy extends ActionIndex implements EvaluablePolicy {
  readonly type: PolicyType;
  readonly statements: readonly CompiledStatement[];
  constructor(
    readonly id: string,
    readonly kind: PolicyKind,
    readonly sourceType: string,
    readonly document: PolicyDocument,
  ) {
    super();
    this.type = TYPE_OF_KIND[kind];
    this.statements = document.statements.map(
      (st) =>
        new CompiledStatement(st, document.version, {
          policyId: id,
          policyType: this.type,
          sourceType,
          index: st.index,
          ...(st.sid === undefined ? {} : { sid: st.sid }),
          effect: st.effect,
          start: st.start,
          end: st.end,
        }),
    );
  }
  protected build(action: string): readonly CompiledStatement[] {
    return this.statements.filter((s) => s.coversAction(action));
  }
}

/**
 * Several policies evaluated together (a principal's identity policies): one merged
 * index, so a principal with 200 attached policies costs one lookup per request.
 */
export class PolicyGroup extends ActionIndex {
  constructor(readonly policies: readonly CompiledPolicy[]) {
    super();
  }
  protected build(action: string): readonly CompiledStatement[] {
    return this.policies.flatMap((p) => p.candidates(action));
  }
}

export interface CompileOptions extends ParseOptions {
  /** The policy's identifier, reported in MatchedStatements (a name, an ARN, `PolicyInputList.1`...). */
  readonly id: string;
  readonly kind: PolicyKind;
  /** Source type for the Simulate APIs; defaults to the kind. */
  readonly sourceType?: string;
}

const CACHE_LIMIT = 20_000;
const cache = new Map<string, CompiledPolicy>();

/**
 * Parse and compile a document, from the cache when the same text was compiled before
 * under the same id. Throws PolicyDocumentError when the document is malformed.
 */
export function compilePolicy(input: string | object, options: CompileOptions): CompiledPolicy {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  const sourceType = options.sourceType ?? options.kind;
  const key = `${options.kind}\u0000${options.id}\u0000${sourceType}\u0000${options.managed ? 1 : 0}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) {
    // Refresh its place so the cache drops the least recently used first.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const parsed = parsePolicy(text, options.kind, options);
  if (!parsed.document) throw new PolicyDocumentError(parsed.errors);
  const compiled = new CompiledPolicy(options.id, options.kind, sourceType, parsed.document);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Compile an already-parsed document (no cache). */
export function compileDocument(document: PolicyDocument, id: string, kind: PolicyKind, sourceType: string = kind): CompiledPolicy {
  return new CompiledPolicy(id, kind, sourceType, document);
}
