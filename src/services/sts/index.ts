/**
 * AWS Security Token Service (awsQuery, 2011-06-15): who am I, and temporary credentials.
 */
import type { GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { Credentials } from '../../auth/credentials.js';
import type { ServiceContext, ServiceDefinition } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export function stsService(_credentials: Credentials): ServiceDefinition {
  return {
    model: 'sts',
    signingNames: ['sts'],
    eventSource: 'sts.amazonaws.com',
    unsigned: ['AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'],
    handlers: {
      GetCallerIdentity: (_input: object, ctx: ServiceContext): Promise<Out<GetCallerIdentityCommandOutput>> => {
        // "No permissions are required to perform this operation" (STS API reference):
        // even an explicit deny on sts:GetCallerIdentity does not stop it.
        ctx.noPermissionRequired('sts:GetCallerIdentity needs no permission');
        return Promise.resolve({ UserId: ctx.caller.userId, Account: ctx.caller.account, Arn: ctx.caller.arn });
      },
    },
  };
}
