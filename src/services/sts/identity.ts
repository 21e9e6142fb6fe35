/**
 * Who am I (sts:GetCallerIdentity, which needs no permission) and whose key is this
 * (sts:GetAccessKeyInfo).
 */
import type {
  GetAccessKeyInfoCommandInput,
  GetAccessKeyInfoCommandOutput,
  GetCallerIdentityCommandOutput,
} from '@aws-sdk/client-sts';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceContext } from '../types.js';
import { accountOfAccessKeyId, validationError, type Out } from './common.js';

export function identityHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    GetCallerIdentity(_input: object, ctx: ServiceContext): Promise<Out<GetCallerIdentityCommandOutput>> {
      // "No permissions are required to perform this operation" (STS API reference):
      // even an explicit deny on sts:GetCallerIdentity does not stop it.
      ctx.noPermissionRequired('sts:GetCallerIdentity needs no permission');
      return Promise.resolve({ UserId: ctx.caller.userId, Account: ctx.caller.account, Arn: ctx.caller.arn });
    },

    async GetAccessKeyInfo(input: GetAccessKeyInfoCommandInput, ctx: ServiceContext): Promise<Out<GetAccessKeyInfoCommandOutput>> {
      await ctx.authorize('sts:GetAccessKeyInfo', '*');
      const keyId = input.AccessKeyId!;
      // Any key, from any account: the key's own record, else the account its id encodes
      // (AWS answers for keys it does not hold too, from the id alone).
      const record = await credentials.get(ctx.tx, keyId);
      const account = record?.account ?? accountOfAccessKeyId(keyId);
      if (!account) throw validationError(`The access key ID ${keyId} is not in a form that identifies an account.`);
      return { Account: account };
    },
  };
}
