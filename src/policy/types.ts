/**
 * The IAM policy language as Gatehouse models it. Everything in src/policy is pure:
 * no I/O, no store, no HTTP. Field data (known actions, condition keys, the services
 * that support RCPs) comes in through parameters, from src/catalog.
 */

/**
 * The kinds of policy document IAM and AWS Organizations accept. Each has its own
 * grammar (Principal required or forbidden, Resource forbidden in trust policies...)
 * and its own size limit.
 */
export type PolicyKind =
  | 'identity' // inline or managed policy attached to a user, group or role
  | 'resource' // resource-based policy (KMS key policy, Lambda function policy...)
  | 'trust' // a role's trust policy: the resource policy for sts:AssumeRole*
  | 'boundary' // permissions boundary (a managed policy used as a boundary)
  | 'session' // session policy passed to AssumeRole* / GetFederationToken
  | 'scp' // service control policy
  | 'rcp'; // resource control policy

export type Effect = 'Allow' | 'Deny';

/**
 * A place in a policy document's source text. `line` is 1-based. `column` follows the
 * IAM simulator's convention: the 1-based column of the character *after* the brace
 * (AWS reports Column 38 for a statement whose `{` is the 37th character).
 */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** The Principal or NotPrincipal element, normalised. */
export interface PrincipalSpec {
  /** `"Principal": "*"` or `{"AWS": "*"}`: everyone, anonymous included. */
  readonly wildcard: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

/** One `operator: { key: values }` entry of a Condition block, as written. */
export interface ConditionSpec {
  /** The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The condition key exactly as written, e.g. `aws:PrincipalTag/Team`. */
  readonly key: string;
  /** The policy values, as strings (JSON numbers and booleans are stringified). */
  readonly values: readonly string[];
}

export interface StatementSpec {
  /** 0-based index in the Statement list. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly ConditionSpec[];
  readonly start: Position;
  readonly end: Position;
}

export interface PolicyDocument {
  /** `2012-10-17`, `2008-10-17`, or undefined when the document has no Version. */
  readonly version?: string;
  readonly id?: string;
  readonly statements: readonly StatementSpec[];
}

/** Severity levels as IAM Access Analyzer's ValidatePolicy reports them. */
export type Severity = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

/** A problem with a policy document: what, and where. */
export interface Finding {
  readonly severity: Severity;
  /** Access Analyzer-style issue code, e.g. `UNKNOWN_ACTION`, `MISSING_RESOURCE`. */
  readonly code: string;
  /** For errors: IAM's own MalformedPolicyDocument message. */
  readonly message: string;
  /** Where: a path such as `Statement[1].Condition.StringEquals.aws:username`. */
  readonly path: string;
  readonly position?: Position;
}

export interface ParseResult {
  /** Present when there are no errors. */
  readonly document?: PolicyDocument;
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/**
 * Field data the validator checks names against (Access Analyzer reports unknown
 * actions and keys as warnings, not errors). Provided by src/catalog.
 */
export interface PolicyCatalog {
  /** Is `prefix` (lower case) a known service prefix? */
  hasService(prefix: string): boolean;
  /** Is `service:action` (lower case) a known action? */
  hasAction(service: string, action: string): boolean;
  /** Is the condition key (any case) known, globally or for a service? */
  hasConditionKey(key: string): boolean;
  /** The key's type as the Service Authorization Reference gives it (`String`, `ArrayOfString`...). */
  conditionKeyType?(key: string): string | undefined;
}

// ---------------------------------------------------------------------------------
// Requests

/** A context value: single-valued keys hold a string, multivalued keys an array. */
export type ContextValue = string | readonly string[];

/** The kind of principal making a request, as `aws:PrincipalType` reports it. */
export type PrincipalType =
  | 'Account' // the account root user
  | 'User' // an IAM user
  | 'AssumedRole' // a role session
  | 'FederatedUser' // a GetFederationToken session
  | 'Service' // an AWS service principal, e.g. cloudtrail.amazonaws.com
  | 'Anonymous';

export interface RequestPrincipal {
  readonly type: PrincipalType;
  /**
   * The identity's own ARN: the user ARN, the root ARN `arn:aws:iam::A:root`, the session
   * ARN `arn:aws:sts::A:assumed-role/Role/Session`, the federated user ARN
   * `arn:aws:sts::A:federated-user/Name`; for a service, its principal name; for
   * anonymous, `*`.
   */
  readonly arn: string;
  /** The principal's account id (`anonymous` for anonymous requests). */
  readonly account: string;
  /** For role sessions: the role's ARN, with its path (`arn:aws:iam::A:role/path/Role`). */
  readonly roleArn?: string;
  /** For sessions obtained through AssumeRoleWithSAML / WithWebIdentity: the provider. */
  readonly federatedProvider?: string;
  /** A session of a service-linked role: SCPs and RCPs do not restrict it. */
  readonly serviceLinkedRole?: boolean;
}

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, any case. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that take no resource. */
  readonly resource: string;
  /** The account that owns the resource; defaults to the principal's account. */
  readonly resourceAccount?: string;
  /** The request context; see RequestContext in context.ts. */
  readonly context: ContextLookup;
}

/** Case-insensitive access to request context values (keys lower-cased). */
export interface ContextLookup {
  /** `key` must already be lower case. */
  get(key: string): ContextValue | undefined;
  has(key: string): boolean;
}

// ---------------------------------------------------------------------------------
// Decisions

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** The policy types a decision is made of, in AWS's evaluation order. */
export type PolicyType = 'rcp' | 'scp' | 'resource' | 'identity' | 'boundary' | 'session';

/**
 * What one policy type said about a request:
 * - `allowed`, `explicitDeny`, `implicitDeny`: it was evaluated and said so;
 * - `notApplicable`: there was no policy of this type, or AWS exempts the request from
 *   it (SCPs for the management account or a service-linked role, RCPs for a service
 *   that does not support them).
 */
export type PolicyTypeDecision = Decision | 'notApplicable';

/** A statement that contributed to a decision, as the Simulate APIs report it. */
export interface MatchedStatement {
  readonly policyId: string;
  readonly policyType: PolicyType;
  /** Free-form source type for the Simulate APIs (`user`, `group`, `aws-managed`...). */
  readonly sourceType: string;
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly start: Position;
  readonly end: Position;
  /** For SCPs and RCPs: the root, OU or account the policy is attached to. */
  readonly target?: string;
}

/**
 * A compiled policy as the evaluator sees it. Implemented by CompiledPolicy in
 * compile.ts; declared here so that inputs can be described without a cycle.
 */
export interface EvaluablePolicy {
  readonly id: string;
  readonly kind: PolicyKind;
  readonly type: PolicyType;
  readonly sourceType: string;
}

/** One level of an organization path (root, an OU, the account) and its policies. */
export interface OrgLevel<P extends EvaluablePolicy = EvaluablePolicy> {
  /** `r-xxxx`, `ou-xxxx-yyyyyyyy` or the account id. */
  readonly target: string;
  readonly policies: readonly P[];
}

/** SCPs that apply to the principal's account, from the root down to the account. */
export interface PrincipalOrganization<P extends EvaluablePolicy = EvaluablePolicy> {
  readonly managementAccountId: string;
  readonly scpLevels: readonly OrgLevel<P>[];
}

/** RCPs that apply to the resource's account, from the root down to the account. */
export interface ResourceOrganization<P extends EvaluablePolicy = EvaluablePolicy> {
  readonly managementAccountId: string;
  readonly rcpLevels: readonly OrgLevel<P>[];
  /** Service prefixes RCPs apply to (AWS publishes the list; src/catalog supplies it). */
  readonly rcpServices: ReadonlySet<string>;
}

/** Every policy that applies to one request. */
export interface PolicySetOf<P extends EvaluablePolicy, G> {
  /** Identity policies: the user's (and its groups') or the role's, inline and managed. */
  readonly identity?: readonly P[] | G;
  readonly boundary?: P;
  /** Session policies; undefined means the session has none (it is then not capped). */
  readonly session?: readonly P[];
  /** The resource's policy (a trust policy for sts:AssumeRole*, a key policy for KMS...). */
  readonly resource?: P;
  /**
   * The resource policy must grant explicitly, even in the same account: role trust
   * policies and KMS key policies. An identity-policy Allow alone is then not enough.
   */
  readonly resourcePolicyRequired?: boolean;
  readonly principalOrg?: PrincipalOrganization<P>;
  readonly resourceOrg?: ResourceOrganization<P>;
}

/** How a resource-based policy's Principal matched the caller. Decides §3 of iam.md. */
export type PrincipalMatch =
  | 'wildcard' // "*"
  | 'account' // an account id or root ARN: delegates to the account's identity policies
  | 'user' // the IAM user's ARN
  | 'role' // the role's ARN, matching one of its sessions
  | 'session' // the role session's or federated user's ARN
  | 'service' // a service principal
  | 'federated' // a SAML / OIDC provider
  | 'canonicalUser';
