/**
 * The authorizer: every request's policy decision goes through here. It builds the
 * request context AWS would (global keys from the request and the caller), gathers the
 * policies that apply (the caller's identity policies, boundary and session policies
 * from the IAM service; the resource's policy from the calling service), and asks the
 * policy engine.
 */
import {
  compilePolicy,
  evaluate,
  RequestContext,
  type CompiledPolicy,
  type ContextInput,
  type Evaluation,
  type PolicyGroup,
  type PrincipalOrganization,
  type ResourceOrganization,
} from '../policy/index.js';
import { principalArn, requestPrincipal, type Caller } from './caller.js';
import type { Tx } from '../store/index.js';

/** What the IAM service knows about a caller: its policies and tags. */
export interface PrincipalPolicies {
  readonly identity: PolicyGroup;
  readonly boundary?: CompiledPolicy;
  /** The user's or role's tags (`aws:PrincipalTag/*`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Managed session policies by ARN (resolved for the caller's session). */
  readonly sessionManaged?: readonly CompiledPolicy[];
}

/** Implemented by the IAM service; the authorizer never reads IAM's records itself. */
export interface PolicySource {
  policiesFor(caller: Caller, tx: Tx): Promise<PrincipalPolicies>;
}

/** Condition keys and their values, as an organization gives them. */
export type OrgKeys = Readonly<Record<string, string | readonly string[]>>;

/** What Organizations says about one account in an organization. */
export interface AccountOrganization {
  /** The SCP levels for the account's principals, when SCPs are enabled in its organization. */
  readonly scp?: PrincipalOrganization<CompiledPolicy>;
  /** The RCP levels for the account's resources, when RCPs are enabled in its organization. */
  readonly rcp?: ResourceOrganization<CompiledPolicy>;
  /** `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalOrgMasterAccountId`: for a principal of the account. */
  readonly principalKeys: OrgKeys;
  /** `aws:ResourceOrgID`, `aws:ResourceOrgPaths`: for a resource the account owns. */
  readonly resourceKeys: OrgKeys;
}

/** Implemented by Organizations; absent (or an undefined answer) means the account is in no organization. */
export interface OrganizationSource {
  /** One lookup per account and request: the caller's account, and the resource's when it is another. */
  organizationOf(account: string, tx: Tx): Promise<AccountOrganization | undefined>;
}

/** Facts about the request itself, from the HTTP layer. */
export interface RequestFacts {
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly region: string;
  readonly now: Date;
  readonly userAgent?: string;
}

/** How a service acts: directly for the caller, or on the caller's behalf (forward access). */
export interface Via {
  /** The chain of service principals a forward-access call came through. */
  readonly calledVia: readonly string[];
  /** The calling service's own address. */
  readonly sourceIp: string;
}

export interface AuthorizeOptions {
  /** The action's own condition keys (`iam:PassedToService`, `aws:RequestTag/...`). */
  readonly context?: ContextInput;
  readonly resourcePolicy?: CompiledPolicy;
  /** Trust and KMS key policies must allow explicitly. */
  readonly resourcePolicyRequired?: boolean;
  readonly resourceAccount?: string;
}

const empty: Readonly<Record<string, string>> = Object.freeze({});

export class Authorizer {
  private readonly sessionCache = new Map<string, CompiledPolicy[]>();

  constructor(
    private readonly policies: PolicySource,
    private readonly organizations?: OrganizationSource,
  ) {}

  /**
   * The global condition keys AWS puts in every request's context; with `org`, the keys the
   * organizations of the caller's and the resource's accounts give (one context built, no copy).
   */
  baseContext(caller: Caller, facts: RequestFacts, tags: Readonly<Record<string, string>>, via?: Via, org?: { principal?: OrgKeys; resourceAccount?: string; resource?: OrgKeys }): RequestContext {
    const ctx: Record<string, string | readonly string[]> = {
      'aws:SourceIp': via ? via.sourceIp : facts.sourceIp,
      'aws:SecureTransport': facts.secureTransport ? 'true' : 'false',
      'aws:CurrentTime': facts.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'aws:EpochTime': String(Math.floor(facts.now.getTime() / 1000)),
      'aws:PrincipalArn': principalArn(caller),
      'aws:PrincipalAccount': caller.account,
      'aws:PrincipalType': caller.type,
      'aws:userid': caller.userId,
      'aws:RequestedRegion': facts.region,
      'aws:ViaAWSService': via ? 'true' : 'false',
      'aws:PrincipalIsAWSService': 'false',
    };
    // aws:username is an IAM user's alone (a federated user's session names its user for policies only).
    if (caller.userName && caller.type === 'User') ctx['aws:username'] = caller.userName;
    if (caller.sessionToken) {
      ctx['aws:MultiFactorAuthPresent'] = caller.mfaAuthenticated ? 'true' : 'false';
      if (caller.tokenIssueTime) ctx['aws:TokenIssueTime'] = caller.tokenIssueTime;
    }
    if (caller.sourceIdentity) ctx['aws:SourceIdentity'] = caller.sourceIdentity;
    if (facts.userAgent) ctx['aws:UserAgent'] = facts.userAgent;
    if (via && via.calledVia.length > 0) {
      ctx['aws:CalledVia'] = via.calledVia;
      ctx['aws:CalledViaFirst'] = via.calledVia[0]!;
      ctx['aws:CalledViaLast'] = via.calledVia[via.calledVia.length - 1]!;
    }
    // Session tags override the identity's tags of the same key.
    const allTags = { ...tags, ...(caller.sessionTags ?? {}) };
    for (const [k, v] of Object.entries(allTags)) ctx[`aws:PrincipalTag/${k}`] = v;
    if (org) {
      // aws:ResourceAccount is in most requests' context (the global condition keys page lists
      // the few actions without it; Gatehouse gives it everywhere): the account owning the
      // resource, the caller's unless the service names another. aws:ResourceOrgID and
      // aws:ResourceOrgPaths only "if the account that owns the resource is a member of an organization".
      if (org.resourceAccount !== undefined) ctx['aws:ResourceAccount'] = org.resourceAccount;
      for (const k in org.principal) ctx[k] = org.principal[k]!;
      for (const k in org.resource) ctx[k] = org.resource[k]!;
    }
    return new RequestContext(ctx);
  }

  private sessionPolicies(caller: Caller, managed: readonly CompiledPolicy[] | undefined): CompiledPolicy[] | undefined {
    // An empty list still means "session policies present" (a GetFederationToken session
    // without any has no permissions); undefined means the session is not capped.
    if (caller.sessionPolicies === undefined && !managed?.length) return undefined;
    const key = caller.accessKeyId;
    let compiled = this.sessionCache.get(key);
    if (!compiled) {
      compiled = (caller.sessionPolicies ?? []).map((doc, i) => compilePolicy(doc, { id: `session-policy-${i + 1}`, kind: 'session', sourceType: 'session' }));
      if (this.sessionCache.size > 10_000) this.sessionCache.clear();
      this.sessionCache.set(key, compiled);
    }
    return [...compiled, ...(managed ?? [])];
  }

  /** What Organizations says about an account (the IAM policy simulator's SCPs); undefined outside any organization. */
  organizationOf(account: string, tx: Tx): Promise<AccountOrganization | undefined> {
    return this.organizations ? this.organizations.organizationOf(account, tx) : Promise.resolve(undefined);
  }

  /** Decide a request; never throws for a denial (the caller words the error). */
  async decide(tx: Tx, caller: Caller, action: string, resource: string, facts: RequestFacts, options: AuthorizeOptions = {}, via?: Via): Promise<{ evaluation: Evaluation; context: RequestContext }> {
    const principal = caller.type === 'Account' ? undefined : await this.policies.policiesFor(caller, tx);
    // Service principals and anonymous callers belong to no organization.
    const inAccount = caller.type !== 'Anonymous';
    const callerOrg = inAccount ? await this.organizations?.organizationOf(caller.account, tx) : undefined;
    const resourceAccount = options.resourceAccount ?? (inAccount ? caller.account : undefined);
    const resourceOrg = resourceAccount === undefined ? undefined : resourceAccount === caller.account ? callerOrg : await this.organizations?.organizationOf(resourceAccount, tx);
    const base = this.baseContext(caller, facts, principal?.tags ?? empty, via, {
      ...(callerOrg ? { principal: callerOrg.principalKeys } : {}),
      ...(resourceAccount !== undefined ? { resourceAccount } : {}),
      ...(resourceOrg ? { resource: resourceOrg.resourceKeys } : {}),
    });
    const context = options.context ? base.with(options.context) : base;
    const org = callerOrg?.scp;
    const rcps = resourceOrg?.rcp;
    const session = this.sessionPolicies(caller, principal?.sessionManaged);
    const evaluation = evaluate(
      {
        principal: requestPrincipal(caller),
        action,
        resource,
        ...(options.resourceAccount ? { resourceAccount: options.resourceAccount } : {}),
        context,
      },
      {
        ...(principal ? { identity: principal.identity } : {}),
        ...(principal?.boundary ? { boundary: principal.boundary } : {}),
        ...(session ? { session } : {}),
        ...(options.resourcePolicy ? { resource: options.resourcePolicy } : {}),
        ...(options.resourcePolicyRequired ? { resourcePolicyRequired: true } : {}),
        ...(org ? { principalOrg: org } : {}),
        ...(rcps ? { resourceOrg: rcps } : {}),
      },
    );
    return { evaluation, context };
  }
}
