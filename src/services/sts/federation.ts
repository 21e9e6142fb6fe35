/**
 * sts:GetFederationToken: a federated-user session (`arn:aws:sts::<account>:federated-user/<Name>`)
 * for an IAM user's long-term credentials. Its permissions are the intersection of the
 * calling user's identity policies and the session policies passed: with none passed, the
 * session has no permissions at all (the caller snapshot carries an empty session-policy
 * list, which the authorizer treats as "session policies present, none allows").
 */
import type { GetFederationTokenCommandInput, GetFederationTokenCommandOutput } from '@aws-sdk/client-sts';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceContext } from '../types.js';
import {
  checkSessionPolicies,
  issueSession,
  packedPolicySize,
  sessionPolicyFields,
  sessionTagFields,
  sessionTags,
  tagContext,
  type Out,
  type SessionCaller,
} from './common.js';
import { requireLongTermCredentials, ROOT_MAX_SECONDS } from './session-token.js';

export const federatedUserArn = (account: string, name: string): string => `arn:aws:sts::${account}:federated-user/${name}`;

export function federationHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    async GetFederationToken(input: GetFederationTokenCommandInput, ctx: ServiceContext): Promise<Out<GetFederationTokenCommandOutput>> {
      const caller = ctx.caller;
      requireLongTermCredentials(caller, 'GetFederationToken');
      const account = caller.account;
      const name = input.Name!;
      const arn = federatedUserArn(account, name);
      const context = tagContext(input.Tags, undefined);
      await ctx.authorize('sts:GetFederationToken', arn, { context });
      if (input.Tags?.length) await ctx.authorize('sts:TagSession', arn, { context });

      const root = caller.type === 'Account';
      let duration = input.DurationSeconds ?? 43200;
      if (root) duration = Math.min(duration, ROOT_MAX_SECONDS);
      const policies = await checkSessionPolicies(ctx.tx, account, input.Policy, input.PolicyArns);
      const tags = sessionTags(input.Tags, undefined);
      const passed = input.Policy !== undefined || policies.policyArns.length > 0 || Object.keys(tags.tags).length > 0;
      const packed = passed ? packedPolicySize(policies, tags.tags) : undefined;

      const sessionCaller: SessionCaller = {
        account,
        type: 'FederatedUser',
        arn,
        userId: `${account}:${name}`,
        // The IAM user whose permissions the session is cut from (policy-source reads them).
        ...(caller.userName !== undefined ? { userName: caller.userName } : {}),
        sessionName: name,
        ...sessionPolicyFields(policies, true),
        ...sessionTagFields(tags),
      };
      const issued = await issueSession(ctx.tx, credentials, sessionCaller, ctx.now, duration);
      return {
        Credentials: issued,
        FederatedUser: { FederatedUserId: sessionCaller.userId, Arn: arn },
        ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
      };
    },
  };
}
