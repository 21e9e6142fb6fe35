/**
 * The authorization decision, in AWS's documented order (page "Policy evaluation logic";
 * iam.md §1-4):
 *
 *   1. an explicit Deny in any applicable policy is final;
 *   2. RCPs, then SCPs: every level of the organization path needs an Allow;
 *   3. same account: a resource policy Allow can grant alone, depending on which form of
 *      the principal it names (user or session ARN: alone; role ARN: boundary and session
 *      policy still apply; account: delegates to identity policies); trust and KMS key
 *      policies must allow explicitly;
 *   4. otherwise identity policies must allow, and the permissions boundary and session
 *      policies, where present, must allow too;
 *   5. cross account: the principal's side (identity, boundary, session, SCPs) and the
 *      resource's side (resource policy, RCPs) must both allow.
 *
 * Evaluation allocates only the result and the lists of statements that matched; the
 * per-action index means only statements that can match the action are looked at.
 */
import { MATCH_RANK } from './principal.js';
import type { CompiledPolicy} from './compile.js';
import { PolicyGroup, type CompiledStatement } from './compile.js';
import type {
  AuthorizationRequest,
  ContextLookup,
  Decision,
  MatchedStatement,
  OrgLevel,
  PolicySetOf,
  PolicyType,
  PolicyTypeDecision,
  PrincipalMatch,
  RequestPrincipal,
} from './types.js';

export type PolicySet = PolicySetOf<CompiledPolicy, PolicyGroup>;

/** What one policy type's statements said. */
interface Scan {
  allows: CompiledStatement[] | undefined;
  denies: CompiledStatement[] | undefined;
  /** For principal-based policies: the strongest way an Allow named the caller. */
  best: PrincipalMatch | undefined;
}

export class Evaluation {
  constructor(
    readonly decision: Decision,
    /** The policy type AWS's denial message names; undefined when allowed. */
    readonly deniedBy: PolicyType | undefined,
    readonly details: Readonly<Record<PolicyType, PolicyTypeDecision>>,
    /** Deny statements for an explicit deny; otherwise the Allow statements that matched. */
    readonly matchedStatements: readonly MatchedStatement[],
    readonly crossAccount: boolean,
    /** How the resource policy's Allow named the caller, when it had one. */
    readonly resourceGrant: PrincipalMatch | undefined,
    private readonly considered: readonly CompiledStatement[],
    private readonly context: ContextLookup,
  ) {}

  /** Condition keys read by the statements that apply to the action (as written). */
  get contextKeysRead(): string[] {
    const seen = new Map<string, string>();
    for (const st of this.considered) for (const k of st.keyNames) if (!seen.has(k.toLowerCase())) seen.set(k.toLowerCase(), k);
    return [...seen.values()];
  }

  /** Those of contextKeysRead that the request did not carry. */
  get missingContextKeys(): string[] {
    return this.contextKeysRead.filter((k) => !this.context.has(k.toLowerCase()));
  }
}

/** The scan of a policy type that is absent or exempt. Never mutated. */
const EMPTY: Scan & { everyLevel: boolean } = Object.freeze({ allows: undefined, denies: undefined, best: undefined, everyLevel: true });

class Run {
  readonly considered: CompiledStatement[] = [];
  constructor(
    readonly req: AuthorizationRequest,
    readonly action: string,
  ) {}

  /** Evaluate statements already filtered by action. */
  scan(statements: readonly CompiledStatement[], principalBased: boolean): Scan {
    const out: Scan = { allows: undefined, denies: undefined, best: undefined };
    const { req } = this;
    const ctx = req.context;
    for (let i = 0; i < statements.length; i++) {
      const st = statements[i]!;
      if (st.keyNames.length > 0) this.considered.push(st);
      if (!resourceMatches(st, req.resource, ctx)) continue;
      let how: PrincipalMatch | undefined;
      if (principalBased) {
        how = principalMatches(st, req.principal);
        if (how === undefined) continue;
      }
      if (!conditionsHold(st, ctx)) continue;
      if (st.allow) {
        (out.allows ??= []).push(st);
        if (how !== undefined && (out.best === undefined || MATCH_RANK[how] > MATCH_RANK[out.best])) out.best = how;
      } else (out.denies ??= []).push(st);
    }
    return out;
  }

  policies(list: readonly CompiledPolicy[] | PolicyGroup | undefined, principalBased = false): Scan {
    if (list === undefined) return EMPTY;
    if (list instanceof PolicyGroup) return this.scan(list.candidates(this.action), principalBased);
    if (list.length === 1) return this.scan(list[0]!.candidates(this.action), principalBased);
    const all: Scan = { allows: undefined, denies: undefined, best: undefined };
    for (const p of list) merge(all, this.scan(p.candidates(this.action), principalBased));
    return all;
  }

  /** Every level must have an Allow; Denies anywhere are collected. */
  levels(levels: readonly OrgLevel<CompiledPolicy>[], principalBased: boolean): Scan & { everyLevel: boolean } {
    const all: Scan & { everyLevel: boolean } = { allows: undefined, denies: undefined, best: undefined, everyLevel: true };
    for (const level of levels) {
      const s = this.policies(level.policies, principalBased);
      if (!s.allows) all.everyLevel = false;
      merge(all, s);
    }
    return all;
  }
}

function merge(into: Scan, from: Scan): void {
  if (from.allows) (into.allows ??= []).push(...from.allows);
  if (from.denies) (into.denies ??= []).push(...from.denies);
  if (from.best !== undefined && (into.best === undefined || MATCH_RANK[from.best] > MATCH_RANK[into.best])) into.best = from.best;
}

function resourceMatches(st: CompiledStatement, resource: string, ctx: ContextLookup): boolean {
  if (st.anyResource) return true;
  const rs = st.resources;
  let hit = false;
  for (let i = 0; i < rs.length; i++) {
    if (rs[i]!.match(resource, ctx)) {
      hit = true;
      break;
    }
  }
  return hit !== st.notResource;
}

function principalMatches(st: CompiledStatement, p: RequestPrincipal): PrincipalMatch | undefined {
  if (st.principal) return st.principal.match(p);
  if (st.notPrincipal) return st.notPrincipal.exempts(p) ? undefined : 'wildcard';
  return 'wildcard'; // control policies (RCPs) without Principal cannot be stored; be lenient
}

function conditionsHold(st: CompiledStatement, ctx: ContextLookup): boolean {
  const cs = st.conditions;
  for (let i = 0; i < cs.length; i++) if (!cs[i]!.test(ctx)) return false;
  return true;
}

function typeDecision(present: boolean, s: Scan): PolicyTypeDecision {
  if (!present) return 'notApplicable';
  if (s.denies) return 'explicitDeny';
  return s.allows ? 'allowed' : 'implicitDeny';
}

/** Principals that have identity policies (and so boundaries and SCPs). */
const HAS_IDENTITY: ReadonlySet<string> = new Set(['User', 'AssumedRole', 'FederatedUser']);

/** The order in which a denial message names the policy type, when several deny. */
const DENY_ORDER: readonly PolicyType[] = ['scp', 'rcp', 'identity', 'resource', 'boundary', 'session'];

export function evaluate(req: AuthorizationRequest, set: PolicySet): Evaluation {
  const action = req.action.toLowerCase();
  const p = req.principal;
  const run = new Run(req, action);
  const resourceAccount = req.resourceAccount ?? p.account;
  const crossAccount = resourceAccount !== p.account;
  const hasIdentity = HAS_IDENTITY.has(p.type);
  const isRoot = p.type === 'Account';

  // Which policy types apply to this request at all.
  const scpApplies =
    set.principalOrg !== undefined && (hasIdentity || isRoot) && p.account !== set.principalOrg.managementAccountId && !p.serviceLinkedRole;
  const service = action.slice(0, action.indexOf(':'));
  const rcpApplies =
    set.resourceOrg !== undefined &&
    resourceAccount !== set.resourceOrg.managementAccountId &&
    !p.serviceLinkedRole &&
    set.resourceOrg.rcpServices.has(service);

  const identity = hasIdentity ? run.policies(set.identity) : EMPTY;
  const boundaryPresent = hasIdentity && set.boundary !== undefined;
  const boundary = boundaryPresent ? run.scan(set.boundary.candidates(action), false) : EMPTY;
  const sessionPresent = hasIdentity && set.session !== undefined;
  const session = sessionPresent ? run.policies(set.session) : EMPTY;
  const resource = set.resource ? run.scan(set.resource.candidates(action), true) : EMPTY;
  const scp = scpApplies ? run.levels(set.principalOrg.scpLevels, false) : EMPTY;
  const rcp = rcpApplies ? run.levels(set.resourceOrg.rcpLevels, true) : EMPTY;

  const details: Record<PolicyType, PolicyTypeDecision> = {
    rcp: rcpApplies ? (rcp.denies ? 'explicitDeny' : rcp.everyLevel ? 'allowed' : 'implicitDeny') : 'notApplicable',
    scp: scpApplies ? (scp.denies ? 'explicitDeny' : scp.everyLevel ? 'allowed' : 'implicitDeny') : 'notApplicable',
    resource: typeDecision(set.resource !== undefined, resource),
    identity: typeDecision(hasIdentity, identity),
    boundary: typeDecision(boundaryPresent, boundary),
    session: typeDecision(sessionPresent, session),
  };
  const scans: Record<PolicyType, Scan> = { rcp, scp, resource, identity, boundary, session };
  const finish = (decision: Decision, deniedBy: PolicyType | undefined, statements: readonly CompiledStatement[]): Evaluation =>
    new Evaluation(
      decision,
      deniedBy,
      details,
      statements.map((s) => s.descriptor),
      crossAccount,
      resource.allows ? resource.best : undefined,
      run.considered,
      req.context,
    );

  // 1. Explicit deny anywhere.
  const deniedBy = DENY_ORDER.find((t) => scans[t].denies !== undefined);
  if (deniedBy !== undefined) {
    const denies: CompiledStatement[] = [];
    for (const t of DENY_ORDER) if (scans[t].denies) denies.push(...scans[t].denies);
    return finish('explicitDeny', deniedBy, denies);
  }

  const allows: CompiledStatement[] = [];
  for (const t of ['rcp', 'scp', 'resource', 'identity', 'boundary', 'session'] as const) if (scans[t].allows) allows.push(...scans[t].allows);

  // 2. Organization policies: an Allow at every level.
  if (details.rcp === 'implicitDeny') return finish('implicitDeny', 'rcp', allows);
  if (details.scp === 'implicitDeny') return finish('implicitDeny', 'scp', allows);

  // 3-5. Resource policy, identity policies, boundary, session policies.
  const identityOk = isRoot || identity.allows !== undefined;
  const boundaryOk = !boundaryPresent || boundary.allows !== undefined;
  const sessionOk = !sessionPresent || session.allows !== undefined;
  const principalSide = (hasIdentity || isRoot) && identityOk && boundaryOk && sessionOk;
  const principalSideFailure: PolicyType = !(hasIdentity || isRoot) || !identityOk ? 'identity' : !boundaryOk ? 'boundary' : 'session';
  const granted = resource.allows !== undefined;

  if (crossAccount) {
    // Service principals and anonymous callers have no side of their own.
    if (!(hasIdentity || isRoot)) return granted ? finish('allowed', undefined, allows) : finish('implicitDeny', 'resource', allows);
    if (!principalSide) return finish('implicitDeny', principalSideFailure, allows);
    return granted ? finish('allowed', undefined, allows) : finish('implicitDeny', 'resource', allows);
  }

  if (granted) {
    switch (resource.best) {
      case 'account':
        return principalSide ? finish('allowed', undefined, allows) : finish('implicitDeny', principalSideFailure, allows);
      case 'role':
        if (boundaryOk && sessionOk) return finish('allowed', undefined, allows);
        return finish('implicitDeny', boundaryOk ? 'session' : 'boundary', allows);
      default:
        return finish('allowed', undefined, allows);
    }
  }
  if (set.resourcePolicyRequired || !(hasIdentity || isRoot)) return finish('implicitDeny', 'resource', allows);
  return principalSide ? finish('allowed', undefined, allows) : finish('implicitDeny', principalSideFailure, allows);
}
