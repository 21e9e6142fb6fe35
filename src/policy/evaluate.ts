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
 * This is the hot path. The per-action index means only statements that can match the
 * action are looked at; matches are collected in one accumulator per policy type; the
 * explanation (per-type details, matched statements, condition keys read) is derived
 * lazily from those accumulators, only when asked for.
 */
import { MATCH_RANK } from './principal.js';
import { lower } from './lower.js';
import { CompiledPolicy, PolicyGroup, type CompiledStatement } from './compile.js';
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
class Acc {
  allows: CompiledStatement[] | undefined = undefined;
  denies: CompiledStatement[] | undefined = undefined;
  /** For principal-based policies: the strongest way an Allow named the caller. */
  best: PrincipalMatch | undefined = undefined;
  /** For control policies: did every level of the path have an Allow? */
  everyLevel = true;
  constructor(
    /** Is this policy type in force for the request at all? */
    readonly present: boolean,
    /** Control policies (SCPs, RCPs) allow level by level. */
    readonly levelBased = false,
  ) {}
  get allowed(): boolean {
    return this.levelBased ? this.everyLevel : this.allows !== undefined;
  }
  get decision(): PolicyTypeDecision {
    if (!this.present) return 'notApplicable';
    if (this.denies) return 'explicitDeny';
    return this.allowed ? 'allowed' : 'implicitDeny';
  }
}

const ABSENT = new Acc(false);

/** Policy types in the order AWS evaluates them, which is also the order reports use. */
const TYPES: readonly PolicyType[] = ['rcp', 'scp', 'resource', 'identity', 'boundary', 'session'];
/** The order in which a denial message names the policy type, when several deny. */
const DENY_ORDER: readonly PolicyType[] = ['scp', 'rcp', 'identity', 'resource', 'boundary', 'session'];

export class Evaluation {
  constructor(
    readonly decision: Decision,
    /** The policy type AWS's denial message names; undefined when allowed. */
    readonly deniedBy: PolicyType | undefined,
    readonly crossAccount: boolean,
    private readonly rcp: Acc,
    private readonly scp: Acc,
    private readonly resource: Acc,
    private readonly identity: Acc,
    private readonly boundary: Acc,
    private readonly session: Acc,
    private readonly req: AuthorizationRequest,
    private readonly set: PolicySet,
  ) {}

  private get accs(): Readonly<Record<PolicyType, Acc>> {
    return { rcp: this.rcp, scp: this.scp, resource: this.resource, identity: this.identity, boundary: this.boundary, session: this.session };
  }

  /** What each policy type said. */
  get details(): Record<PolicyType, PolicyTypeDecision> {
    const a = this.accs;
    return { rcp: a.rcp.decision, scp: a.scp.decision, resource: a.resource.decision, identity: a.identity.decision, boundary: a.boundary.decision, session: a.session.decision };
  }

  /** How the resource policy's Allow named the caller, when it had one. */
  get resourceGrant(): PrincipalMatch | undefined {
    return this.resource.allows ? this.resource.best : undefined;
  }

  /** Deny statements for an explicit deny; otherwise the Allow statements that matched. */
  get matchedStatements(): MatchedStatement[] {
    const out: MatchedStatement[] = [];
    if (this.decision === 'explicitDeny') {
      for (const t of DENY_ORDER) for (const s of this.accs[t].denies ?? []) out.push(s.descriptor);
    } else {
      for (const t of TYPES) for (const s of this.accs[t].allows ?? []) out.push(s.descriptor);
    }
    return out;
  }

  /** Condition keys read by the statements that apply to the action (as written). */
  get contextKeysRead(): string[] {
    const seen = new Map<string, string>();
    for (const st of consideredStatements(this.req, this.set)) for (const k of st.keyNames) if (!seen.has(k.toLowerCase())) seen.set(k.toLowerCase(), k);
    return [...seen.values()];
  }

  /** Those of contextKeysRead that the request did not carry. */
  get missingContextKeys(): string[] {
    return this.contextKeysRead.filter((k) => !this.req.context.has(k.toLowerCase()));
  }
}

/** Every statement whose Action covers the request, in the policies that were in force. */
function consideredStatements(req: AuthorizationRequest, set: PolicySet): CompiledStatement[] {
  const action = lower(req.action);
  const out: CompiledStatement[] = [];
  const add = (p: CompiledPolicy | PolicyGroup | readonly CompiledPolicy[] | undefined): void => {
    if (p === undefined) return;
    if (p instanceof CompiledPolicy || p instanceof PolicyGroup) out.push(...p.candidates(action));
    else for (const x of p) out.push(...x.candidates(action));
  };
  add(set.identity);
  add(set.boundary);
  add(set.session);
  add(set.resource);
  for (const l of set.principalOrg?.scpLevels ?? []) add(l.policies);
  for (const l of set.resourceOrg?.rcpLevels ?? []) add(l.policies);
  return out;
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

/** Evaluate statements already filtered by action into `acc`. */
function scan(statements: readonly CompiledStatement[], req: AuthorizationRequest, principalBased: boolean, acc: Acc): void {
  const ctx = req.context;
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i]!;
    if (!resourceMatches(st, req.resource, ctx)) continue;
    let how: PrincipalMatch | undefined;
    if (principalBased) {
      how = principalMatches(st, req.principal);
      if (how === undefined) continue;
    }
    const cs = st.conditions;
    let holds = true;
    for (let j = 0; j < cs.length; j++) {
      if (!cs[j]!.test(ctx)) {
        holds = false;
        break;
      }
    }
    if (!holds) continue;
    if (st.allow) {
      (acc.allows ??= []).push(st);
      if (how !== undefined && (acc.best === undefined || MATCH_RANK[how] > MATCH_RANK[acc.best])) acc.best = how;
    } else (acc.denies ??= []).push(st);
  }
}

function scanPolicies(list: readonly CompiledPolicy[] | PolicyGroup | undefined, req: AuthorizationRequest, action: string, principalBased: boolean, acc: Acc): void {
  if (list === undefined) return;
  if (list instanceof PolicyGroup) return scan(list.candidates(action), req, principalBased, acc);
  for (let i = 0; i < list.length; i++) scan(list[i]!.candidates(action), req, principalBased, acc);
}

/** Control policies: every level needs an Allow; Denies anywhere are collected. */
function scanLevels(levels: readonly OrgLevel<CompiledPolicy>[], req: AuthorizationRequest, action: string, principalBased: boolean, acc: Acc): void {
  for (let i = 0; i < levels.length; i++) {
    const before = acc.allows?.length ?? 0;
    scanPolicies(levels[i]!.policies, req, action, principalBased, acc);
    if ((acc.allows?.length ?? 0) === before) acc.everyLevel = false;
  }
}

export function evaluate(req: AuthorizationRequest, set: PolicySet): Evaluation {
  const action = lower(req.action);
  const p = req.principal;
  const resourceAccount = req.resourceAccount ?? p.account;
  const crossAccount = resourceAccount !== p.account;
  const type = p.type;
  const hasIdentity = type === 'User' || type === 'AssumedRole' || type === 'FederatedUser';
  const isRoot = type === 'Account';

  // Which policy types are in force for this request.
  const scpApplies = set.principalOrg !== undefined && (hasIdentity || isRoot) && p.account !== set.principalOrg.managementAccountId && !p.serviceLinkedRole;
  const rcpApplies =
    set.resourceOrg !== undefined &&
    resourceAccount !== set.resourceOrg.managementAccountId &&
    !p.serviceLinkedRole &&
    set.resourceOrg.rcpServices.has(action.slice(0, action.indexOf(':')));
  const identity = hasIdentity ? new Acc(true) : ABSENT;
  const boundary = hasIdentity && set.boundary !== undefined ? new Acc(true) : ABSENT;
  const session = hasIdentity && set.session !== undefined ? new Acc(true) : ABSENT;
  const resource = set.resource !== undefined ? new Acc(true) : ABSENT;
  const scp = scpApplies ? new Acc(true, true) : ABSENT;
  const rcp = rcpApplies ? new Acc(true, true) : ABSENT;

  if (identity.present) scanPolicies(set.identity, req, action, false, identity);
  if (boundary.present) scan(set.boundary!.candidates(action), req, false, boundary);
  if (session.present) scanPolicies(set.session, req, action, false, session);
  if (resource.present) scan(set.resource!.candidates(action), req, true, resource);
  if (scpApplies) scanLevels(set.principalOrg.scpLevels, req, action, false, scp);
  if (rcpApplies) scanLevels(set.resourceOrg.rcpLevels, req, action, true, rcp);

  const finish = (decision: Decision, deniedBy?: PolicyType): Evaluation =>
    new Evaluation(decision, deniedBy, crossAccount, rcp, scp, resource, identity, boundary, session, req, set);

  // 1. Explicit deny anywhere, named in DENY_ORDER.
  if (scp.denies) return finish('explicitDeny', 'scp');
  if (rcp.denies) return finish('explicitDeny', 'rcp');
  if (identity.denies) return finish('explicitDeny', 'identity');
  if (resource.denies) return finish('explicitDeny', 'resource');
  if (boundary.denies) return finish('explicitDeny', 'boundary');
  if (session.denies) return finish('explicitDeny', 'session');

  // 2. Organization policies: an Allow at every level.
  if (rcpApplies && !rcp.everyLevel) return finish('implicitDeny', 'rcp');
  if (scpApplies && !scp.everyLevel) return finish('implicitDeny', 'scp');

  // 3-5. Resource policy, identity policies, boundary, session policies.
  const identityOk = isRoot || identity.allows !== undefined;
  const boundaryOk = !boundary.present || boundary.allows !== undefined;
  const sessionOk = !session.present || session.allows !== undefined;
  const callerHasSide = hasIdentity || isRoot;
  const principalSide = callerHasSide && identityOk && boundaryOk && sessionOk;
  const principalSideFailure: PolicyType = !callerHasSide || !identityOk ? 'identity' : !boundaryOk ? 'boundary' : 'session';
  const granted = resource.allows !== undefined;

  if (crossAccount) {
    // Service principals and anonymous callers have no side of their own.
    if (!callerHasSide) return granted ? finish('allowed') : finish('implicitDeny', 'resource');
    if (!principalSide) return finish('implicitDeny', principalSideFailure);
    return granted ? finish('allowed') : finish('implicitDeny', 'resource');
  }

  if (granted) {
    switch (resource.best) {
      case 'account':
        return principalSide ? finish('allowed') : finish('implicitDeny', principalSideFailure);
      case 'role':
        if (boundaryOk && sessionOk) return finish('allowed');
        return finish('implicitDeny', boundaryOk ? 'session' : 'boundary');
      default:
        return finish('allowed');
    }
  }
  if (set.resourcePolicyRequired || !callerHasSide) return finish('implicitDeny', 'resource');
  return principalSide ? finish('allowed') : finish('implicitDeny', principalSideFailure);
}
