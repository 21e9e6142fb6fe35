/**
 * GetKeyPolicy and PutKeyPolicy. A key has one policy, named `default`. AWS managed keys'
 * policies can be read but not changed: their own policies do not allow kms:PutKeyPolicy.
 */
import type { GetKeyPolicyCommandInput, GetKeyPolicyCommandOutput, PutKeyPolicyCommandInput } from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { Handler, ServiceContext } from '../types.js';
import { authorizeKey } from './authorize.js';
import { lockoutCheck } from './keys.js';
import { checkKeyPolicy } from './policy.js';
import { KIND } from './records.js';
import { resolveKey } from './resolve.js';

type Out<T> = Omit<T, '$metadata'>;

/** The only policy name KMS has; another is NotFoundException (Gatehouse's wording). */
function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== 'default') throw new AwsError('NotFoundException', `No such policy exists: ${name}. The only valid policy name is default.`);
}

export const keyPolicyHandlers: Record<string, Handler> = {
  async GetKeyPolicy(input: GetKeyPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetKeyPolicyCommandOutput>> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    await authorizeKey(ctx, 'kms:GetKeyPolicy', key);
    checkPolicyName(input.PolicyName);
    return { Policy: key.Policy, PolicyName: 'default' };
  },

  async PutKeyPolicy(input: PutKeyPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    await authorizeKey(ctx, 'kms:PutKeyPolicy', key, { context: { 'kms:BypassPolicyLockoutSafetyCheck': String(input.BypassPolicyLockoutSafetyCheck ?? false) } });
    checkPolicyName(input.PolicyName);
    await checkKeyPolicy(ctx.tx, input.Policy!);
    if (!input.BypassPolicyLockoutSafetyCheck) await lockoutCheck(ctx, { Arn: key.Arn, Policy: input.Policy!, AWSAccountId: key.AWSAccountId });
    await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, Policy: input.Policy! });
  },
};
