/**
 * What AssumeRoleWithSAML and AssumeRoleWithWebIdentity share once the assertion or the
 * token is verified: the role's trust policy decides, alone. These requests are unsigned
 * (the caller is anonymous, with no policies of its own), so STS evaluates the trust
 * policy itself, for a principal that is the identity provider (`Principal: {Federated:
 * <provider>}`), with the provider's claims as condition keys (`saml:aud`,
 * `<issuer>:sub`...). Only when it allows is the decision recorded for the pipeline.
 */
import { evaluate, RequestContext, type ContextInput, type Evaluation } from '../../policy/index.js';
import type { Credentials } from '../../auth/credentials.js';
import type { AwsError } from '../../models/errors.js';
import type { RoleRecord } from '../iam/records.js';
import type { ServiceContext } from '../types.js';
import { compileTrust, createRoleSession } from './assume-role.js';
import {
  accessDenied,
  checkSessionPolicies,
  isoSeconds,
  packedPolicySize,
  parseRoleArn,
  roleSessionDuration,
  type InputPolicyArn,
  type IssuedSession,
  type SessionCaller,
  type SessionTags,
} from './common.js';

export interface FederatedRequest {
  readonly action: 'sts:AssumeRoleWithSAML' | 'sts:AssumeRoleWithWebIdentity';
  readonly role: RoleRecord | undefined;
  readonly roleArn: string;
  /** The provider as trust policies name it: an IAM provider's ARN, or `accounts.google.com`... */
  readonly provider: string;
  readonly sessionName: string;
  /** The provider's claims as condition keys. */
  readonly claims: ContextInput;
  readonly tags: SessionTags;
  readonly sourceIdentity?: string;
  readonly durationSeconds: number | undefined;
  /** A cap from the assertion itself (SAML SessionNotOnOrAfter), in seconds from now. */
  readonly maxSeconds?: number;
  readonly policy: string | undefined;
  readonly policyArns: readonly InputPolicyArn[] | undefined;
}

/** "Not authorized to perform sts:AssumeRoleWithWebIdentity": AWS's whole message. */
export const notAuthorized = (action: string): AwsError => accessDenied(`Not authorized to perform ${action}`);

function trustAllows(ctx: ServiceContext, r: FederatedRequest, role: RoleRecord, action: string, context: RequestContext): Evaluation {
  const account = parseRoleArn(role.Arn)!.account;
  return evaluate(
    {
      // The provider is the principal; it has no identity policies and no account of its
      // own, so only a trust-policy statement naming it (or "*") can grant.
      principal: { type: 'AssumedRole', arn: r.provider, account, federatedProvider: r.provider },
      action,
      resource: role.Arn,
      resourceAccount: account,
      context,
    },
    { resource: compileTrust(role), resourcePolicyRequired: true },
  );
}

/** Authorize by the trust policy, then issue the role session. */
export async function assumeFederated(ctx: ServiceContext, credentials: Credentials, r: FederatedRequest): Promise<{ credentials: IssuedSession; caller: SessionCaller; packed?: number }> {
  const role = r.role;
  if (!role) throw notAuthorized(r.action);
  const tagKeys = Object.keys(r.tags.tags);
  const context = new RequestContext({
    'aws:CurrentTime': isoSeconds(ctx.now),
    'aws:EpochTime': String(Math.floor(ctx.now.getTime() / 1000)),
    'aws:SourceIp': ctx.sourceIp,
    'aws:RequestedRegion': ctx.region,
    'aws:FederatedProvider': r.provider,
    ...(ctx.userAgent ? { 'aws:UserAgent': ctx.userAgent } : {}),
    'sts:RoleSessionName': r.sessionName,
    ...(r.sourceIdentity !== undefined ? { 'sts:SourceIdentity': r.sourceIdentity } : {}),
    ...(tagKeys.length ? { 'aws:TagKeys': tagKeys } : {}),
    ...Object.fromEntries(Object.entries(r.tags.tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    ...(r.tags.transitiveTagKeys.length ? { 'sts:TransitiveTagKeys': [...r.tags.transitiveTagKeys] } : {}),
    ...r.claims,
  });
  const actions = [r.action, ...(tagKeys.length ? ['sts:TagSession'] : []), ...(r.sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : [])];
  for (const action of actions) {
    if (trustAllows(ctx, r, role, action, context).decision !== 'allowed') throw notAuthorized(r.action);
  }
  ctx.noPermissionRequired('authorized by the role trust policy');
  ctx.recordResource('AWS::IAM::Role', role.Arn);

  let duration = roleSessionDuration(r.durationSeconds, role, false);
  if (r.maxSeconds !== undefined) duration = Math.max(1, Math.min(duration, r.maxSeconds));
  const account = parseRoleArn(role.Arn)!.account;
  const policies = await checkSessionPolicies(ctx.tx, account, r.policy, r.policyArns);
  const passed = r.policy !== undefined || policies.policyArns.length > 0 || tagKeys.length > 0;
  const packed = passed ? packedPolicySize(policies, r.tags.tags) : undefined;
  const session = await createRoleSession(ctx, credentials, {
    role,
    sessionName: r.sessionName,
    durationSeconds: duration,
    policies,
    tags: r.tags,
    ...(r.sourceIdentity !== undefined ? { sourceIdentity: r.sourceIdentity } : {}),
    federatedProvider: r.provider,
  });
  return { ...session, ...(packed !== undefined ? { packed } : {}) };
}
