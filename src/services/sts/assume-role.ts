/**
 * sts:AssumeRole: a user or role session becomes a session of a role.
 *
 * Both sides must allow (iam.md §4): the role's trust policy, evaluated as the role's
 * resource-based policy that must grant explicitly, and — unless the trust policy names
 * the caller's own ARN in the same account — the caller's identity policies. The policy
 * engine applies those rules; this handler passes the trust policy and the action's
 * condition keys. Session tags need sts:TagSession and a source identity
 * sts:SetSourceIdentity, authorized the same way.
 */
import type { AssumeRoleCommandInput, AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { compilePolicy, type ContextInput } from '../../policy/index.js';
import type { AuthorizeOptions } from '../../auth/authorizer.js';
import type { Credentials } from '../../auth/credentials.js';
import type { Caller } from '../../auth/caller.js';
import type { RoleRecord } from '../iam/records.js';
import type { Handler, ServiceContext } from '../types.js';
import {
  accessDenied,
  checkSessionPolicies,
  findRole,
  issueSession,
  packedPolicySize,
  parseRoleArn,
  roleSessionDuration,
  sessionArn,
  sessionPolicyFields,
  sessionTagFields,
  sessionTags,
  tagContext,
  touchRole,
  validationError,
  type IssuedSession,
  type Out,
  type SessionCaller,
  type SessionPolicies,
  type SessionTags,
} from './common.js';

/** The trust policy as the policy engine evaluates it: the role's resource-based policy. */
export const compileTrust = (role: RoleRecord): ReturnType<typeof compilePolicy> => compilePolicy(role.AssumeRolePolicyDocument, { id: role.Arn, kind: 'trust' });

export interface RoleSessionRequest {
  readonly role: RoleRecord;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly policies: SessionPolicies;
  readonly tags: SessionTags;
  readonly sourceIdentity?: string;
  readonly mfaAuthenticated?: boolean;
  /** AssumeRoleWithSAML / WithWebIdentity: the identity provider. */
  readonly federatedProvider?: string;
}

/**
 * Issue a role session (after authorization): the credentials, the caller they stand for,
 * and the role's RoleLastUsed. Exported for services that assume roles on a caller's behalf.
 */
export async function createRoleSession(ctx: Pick<ServiceContext, 'tx' | 'now' | 'region'>, credentials: Credentials, r: RoleSessionRequest): Promise<{ credentials: IssuedSession; caller: SessionCaller }> {
  const { role } = r;
  const account = parseRoleArn(role.Arn)?.account ?? role.Arn.split(':')[4]!;
  const caller: SessionCaller = {
    account,
    type: 'AssumedRole',
    arn: sessionArn(account, role.RoleName, r.sessionName),
    userId: `${role.RoleId}:${r.sessionName}`,
    roleArn: role.Arn,
    roleName: role.RoleName,
    roleId: role.RoleId,
    sessionName: r.sessionName,
    ...(r.mfaAuthenticated ? { mfaAuthenticated: true } : {}),
    ...sessionPolicyFields(r.policies),
    ...sessionTagFields(r.tags),
    ...(r.sourceIdentity !== undefined ? { sourceIdentity: r.sourceIdentity } : {}),
    ...(role.ServiceLinked ? { serviceLinkedRole: true } : {}),
    ...(r.federatedProvider ? { federatedProvider: r.federatedProvider } : {}),
  };
  const issued = await issueSession(ctx.tx, credentials, caller, ctx.now, r.durationSeconds);
  await touchRole(ctx.tx, account, role, ctx.now, ctx.region);
  return { credentials: issued, caller };
}

/** AWS refuses AssumeRole to the root user and to federated users before any policy is read. */
function checkCanAssume(caller: Caller, roleArn: string): void {
  if (caller.type === 'Account') throw accessDenied('Roles may not be assumed by root accounts.');
  if (caller.type === 'FederatedUser' || caller.type === 'Anonymous') {
    throw accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
}

export function assumeRoleHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    async AssumeRole(input: AssumeRoleCommandInput, ctx: ServiceContext): Promise<Out<AssumeRoleCommandOutput>> {
      const caller = ctx.caller;
      const roleArn = input.RoleArn!;
      const sessionName = input.RoleSessionName!;
      checkCanAssume(caller, roleArn);
      if (!parseRoleArn(roleArn)) throw validationError('Request ARN is invalid');
      if ((input.SerialNumber === undefined) !== (input.TokenCode === undefined)) {
        throw accessDenied('MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.');
      }
      const role = await findRole(ctx.tx, roleArn);
      const account = parseRoleArn(roleArn)!.account;
      const mfa = input.SerialNumber !== undefined && input.TokenCode !== undefined;

      // A chained session keeps its source identity (it cannot be changed) and its
      // transitive tags; the role being assumed must allow them as if they were passed.
      const chainedFrom = caller.type === 'AssumedRole' ? caller : undefined;
      if (input.SourceIdentity !== undefined && caller.sourceIdentity !== undefined && caller.sourceIdentity !== input.SourceIdentity) {
        throw validationError('The source identity of a role session cannot be changed: a chained session keeps the one it was given.');
      }
      const sourceIdentity = input.SourceIdentity ?? caller.sourceIdentity;
      const tags = sessionTags(input.Tags, input.TransitiveTagKeys, chainedFrom);
      const tagged = Object.keys(tags.tags).length > 0;
      const context: ContextInput = {
        'sts:RoleSessionName': sessionName,
        ...(input.ExternalId !== undefined ? { 'sts:ExternalId': input.ExternalId } : {}),
        ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
        ...tagContext(
          Object.entries(tags.tags).map(([Key, Value]) => ({ Key, Value })),
          input.TransitiveTagKeys,
        ),
        // The MFA code passed with the request authenticates it (MFA-protected roles).
        ...(mfa ? { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' } : {}),
      };
      const options: AuthorizeOptions = {
        ...(role ? { resourcePolicy: compileTrust(role) } : {}),
        resourcePolicyRequired: true,
        resourceAccount: account,
        context,
      };
      const resource = role?.Arn ?? roleArn;
      await ctx.authorize('sts:AssumeRole', resource, options);
      if (tagged || input.TransitiveTagKeys?.length) await ctx.authorize('sts:TagSession', resource, options);
      if (sourceIdentity !== undefined) await ctx.authorize('sts:SetSourceIdentity', resource, options);
      // The trust policy allowed it, so the role exists.
      if (!role) throw accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);

      const duration = roleSessionDuration(input.DurationSeconds, role, caller.type === 'AssumedRole');
      const policies = await checkSessionPolicies(ctx.tx, account, input.Policy, input.PolicyArns);
      const passed = input.Policy !== undefined || policies.policyArns.length > 0 || tagged;
      const packed = passed ? packedPolicySize(policies, tags.tags) : undefined;

      const session = await createRoleSession(ctx, credentials, {
        role,
        sessionName,
        durationSeconds: duration,
        policies,
        tags,
        ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
        mfaAuthenticated: mfa || caller.mfaAuthenticated === true,
      });
      ctx.recordResource('AWS::IAM::Role', role.Arn);
      return {
        Credentials: session.credentials,
        AssumedRoleUser: { AssumedRoleId: session.caller.userId, Arn: session.caller.arn },
        ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
        ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
      };
    },
  };
}
