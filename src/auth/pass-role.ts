/**
 * iam:PassRole, the check every operation that takes a role ARN makes (iam.md §11; seed
 * 003). It is a permission, not an API: it is authorized inside the consuming call (with
 * that service's denial wording) and leaves no CloudTrail event of its own.
 *
 *   1. the caller must be allowed `iam:PassRole` on the role's ARN, with
 *      `iam:PassedToService` (and `iam:AssociatedResourceArn` when the service names the
 *      resource the role goes to). Authorized first, as AWS does. A role of another
 *      account cannot be passed: that decision is made cross-account (no resource-based
 *      policy can allow it), so the denial reads "User: … is not authorized to perform:
 *      iam:PassRole on resource: arn:aws:iam::<other>:role/… because no resource-based
 *      policy allows the iam:PassRole action";
 *   2. the role must exist in the caller's account (else the consuming service's own
 *      error, which the caller words);
 *   3. its trust policy must let the receiving service principal `sts:AssumeRole` (the
 *      policy engine decides, trust policies granting explicitly), else the service's
 *      error again.
 *
 * Role tags are not put in the context: `ResourceTag` conditions are not honoured for
 * PassRole (iam.md §11).
 *
 * Layering: src/auth does not import src/services, so roles are found through
 * `RoleLookup`, which the IAM service implements and registers (`setRoleLookup`, done
 * when src/services/iam/service-linked-roles.ts loads); a caller may also pass one.
 */
import { compilePolicy, evaluate, RequestContext, type ContextInput, type Evaluation } from '../policy/index.js';
import type { AuthorizeOptions } from './authorizer.js';
import type { Caller } from './caller.js';
import type { Tx } from '../store/index.js';
import type { AwsError } from '../models/errors.js';

/** What PassRole needs to know about a role. */
export interface PassableRole {
  /** The role's ARN, with its path. */
  readonly arn: string;
  readonly roleId: string;
  readonly roleName: string;
  /** The trust policy document (JSON). */
  readonly trustPolicy: string;
  /** For a service-linked role: its service principal. */
  readonly serviceLinked?: string;
}

/** Finds roles by ARN; implemented by the IAM service. */
export interface RoleLookup {
  /** The role `roleArn` names in `account` (the ARN, path included, must be the role's), or undefined. */
  roleByArn(tx: Tx, account: string, roleArn: string): Promise<PassableRole | undefined>;
}

let registered: RoleLookup | undefined;

/** The registered lookup (IAM's); services find roles only through it. */
export function roleLookup(): RoleLookup {
  if (!registered) throw new Error('no role lookup registered: the IAM service is not loaded');
  return registered;
}

/** The IAM service registers its role lookup here. */
export function setRoleLookup(lookup: RoleLookup): void {
  registered = lookup;
}

/** The part of a service's request context PassRole uses (a ServiceContext is one). */
export interface PassRoleContext {
  readonly caller: Caller;
  readonly tx: Tx;
  readonly now: Date;
  authorize(action: string, resource: string, options?: AuthorizeOptions): Promise<Evaluation>;
}

export interface PassRoleOptions {
  /** The service principal receiving the role (`ec2.amazonaws.com`): `iam:PassedToService`. */
  readonly service: string;
  /** The resource the role will be attached to: `iam:AssociatedResourceArn`. */
  readonly associatedResourceArn?: string;
  /** The consuming service's error for a role that does not exist in the caller's account (or an ARN that is not a role's). */
  readonly notFound: (roleArn: string) => AwsError;
  /** The consuming service's error for a role whose trust policy does not let `service` assume it; `notFound` when absent. */
  readonly untrusted?: (roleArn: string) => AwsError;
  /** Overrides the registered role lookup. */
  readonly roles?: RoleLookup;
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?[\w+=,.@-]{1,64}$/;

/**
 * Check that the caller may pass `roleArn` to `options.service`; returns the role.
 * Throws the consuming service's access-denied error (through `ctx.authorize`), or the
 * errors `options` supplies.
 */
export async function checkPassRole(ctx: PassRoleContext, roleArn: string, options: PassRoleOptions): Promise<PassableRole> {
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw options.notFound(roleArn);
  const roleAccount = m[1]!;
  const own = roleAccount === ctx.caller.account;
  const context: ContextInput = {
    'iam:PassedToService': options.service,
    ...(options.associatedResourceArn !== undefined ? { 'iam:AssociatedResourceArn': options.associatedResourceArn } : {}),
  };
  await ctx.authorize('iam:PassRole', roleArn, { context, ...(own ? {} : { resourceAccount: roleAccount }) });
  // Unreachable in practice (no resource policy can grant a cross-account PassRole).
  if (!own) throw options.notFound(roleArn);
  const lookup = options.roles ?? registered;
  if (!lookup) throw new Error('checkPassRole: no role lookup registered (the IAM service registers one)');
  const role = await lookup.roleByArn(ctx.tx, ctx.caller.account, roleArn);
  if (!role) throw options.notFound(roleArn);
  if (!roleTrustsService(role, options.service, { account: roleAccount, now: ctx.now, ...(options.associatedResourceArn !== undefined ? { sourceArn: options.associatedResourceArn } : {}) })) {
    throw (options.untrusted ?? options.notFound)(roleArn);
  }
  return role;
}

/**
 * Does the role's trust policy let `service` call sts:AssumeRole? Evaluated as the
 * service's own AssumeRole would be: principal type Service, the trust policy as the
 * resource policy that must grant explicitly, and the context the service would carry
 * (`aws:SourceAccount`, `aws:SourceArn` when the resource is known).
 */
export function roleTrustsService(role: PassableRole, service: string, facts: { readonly account: string; readonly now: Date; readonly sourceArn?: string }): boolean {
  let trust;
  try {
    trust = compilePolicy(role.trustPolicy, { id: role.arn, kind: 'trust' });
  } catch {
    return false;
  }
  const context = new RequestContext({
    'aws:PrincipalServiceName': service,
    'aws:PrincipalIsAWSService': 'true',
    'aws:SourceAccount': facts.account,
    ...(facts.sourceArn !== undefined ? { 'aws:SourceArn': facts.sourceArn } : {}),
    'aws:CurrentTime': facts.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.now.getTime() / 1000)),
    'aws:SecureTransport': 'true',
    'aws:ViaAWSService': 'false',
  });
  const evaluation = evaluate(
    { principal: { type: 'Service', arn: service, account: facts.account }, action: 'sts:AssumeRole', resource: role.arn, resourceAccount: facts.account, context },
    { resource: trust, resourcePolicyRequired: true },
  );
  return evaluation.decision === 'allowed';
}
