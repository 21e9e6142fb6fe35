/**
 * sts:GetSessionToken: temporary credentials for an IAM user or the root user, with the
 * same permissions, typically to add MFA. "No permissions are required" (STS API
 * reference): the operation authenticates, it cannot be controlled by policy.
 */
import type { GetSessionTokenCommandInput, GetSessionTokenCommandOutput } from '@aws-sdk/client-sts';
import type { Credentials } from '../../auth/credentials.js';
import type { Caller } from '../../auth/caller.js';
import type { Handler, ServiceContext } from '../types.js';
import { accessDenied, issueSession, type Out, type SessionCaller } from './common.js';

/** GetSessionToken and GetFederationToken need long-term credentials of a user or the root user. */
export function requireLongTermCredentials(caller: Caller, operation: string): void {
  if (caller.sessionToken !== undefined || caller.type === 'AssumedRole' || caller.type === 'FederatedUser' || caller.type === 'Anonymous') {
    throw accessDenied(`Cannot call ${operation} with session credentials`);
  }
}

/** The root user's sessions last an hour at most; a longer request is cut to one hour. */
export const ROOT_MAX_SECONDS = 3600;

export function sessionTokenHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    async GetSessionToken(input: GetSessionTokenCommandInput, ctx: ServiceContext): Promise<Out<GetSessionTokenCommandOutput>> {
      const caller = ctx.caller;
      requireLongTermCredentials(caller, 'GetSessionToken');
      if ((input.SerialNumber === undefined) !== (input.TokenCode === undefined)) {
        throw accessDenied('MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.');
      }
      ctx.noPermissionRequired('sts:GetSessionToken needs no permission');
      const root = caller.type === 'Account';
      let duration = input.DurationSeconds ?? (root ? ROOT_MAX_SECONDS : 43200);
      if (root) duration = Math.min(duration, ROOT_MAX_SECONDS);
      const mfa = input.SerialNumber !== undefined && input.TokenCode !== undefined;
      // The session is the same identity (GetCallerIdentity returns the user's ARN), now
      // temporary, with MFA recorded when the request carried a code.
      const { accessKeyId: _key, sessionToken: _token, tokenIssueTime: _issued, expiration: _exp, ...identity } = caller;
      const sessionCaller: SessionCaller = { ...identity, ...(mfa ? { mfaAuthenticated: true } : {}) };
      const issued = await issueSession(ctx.tx, credentials, sessionCaller, ctx.now, duration);
      return { Credentials: issued };
    },
  };
}
