/**
 * Retention: PutRetentionPolicy and DeleteRetentionPolicy. A group without a policy keeps
 * its events forever; with one, PutLogEvents refuses events older than it (reported as
 * `expiredLogEventEndIndex`). Stored events past retention are not deleted: AWS deletes
 * them "typically up to 72 hours" later, and Gatehouse not at all.
 */
import type { DeleteRetentionPolicyCommandInput, PutRetentionPolicyCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { KIND, authorizeGroup, groupArn, groupId, groupNotFound, invalidParameter, type GroupRecord } from './common.js';
import type { Handler, ServiceContext } from '../types.js';

/** The values PutRetentionPolicy accepts (API reference, retentionInDays). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const retentionHandlers: Record<string, Handler> = {
  async PutRetentionPolicy(input: PutRetentionPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const days = input.retentionInDays!;
    // Checked with the request's other constraints, before authorization, and worded as
    // AWS's validation errors are (the enum is not in the model, so the codec cannot).
    if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
      throw invalidParameter(`1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
    }
    const group = await authorizeGroup(ctx, 'logs:PutRetentionPolicy', { region: ctx.region, account: ctx.caller.account, name: input.logGroupName! });
    if (!group) throw groupNotFound();
    await save(ctx, { ...group, retentionInDays: days });
  },

  async DeleteRetentionPolicy(input: DeleteRetentionPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const group = await authorizeGroup(ctx, 'logs:DeleteRetentionPolicy', { region: ctx.region, account: ctx.caller.account, name: input.logGroupName! });
    if (!group) throw groupNotFound();
    const { retentionInDays: _dropped, ...rest } = group;
    await save(ctx, rest);
  },
};

async function save(ctx: ServiceContext, group: GroupRecord): Promise<void> {
  await ctx.tx.update(ctx.caller.account, KIND.group, groupId(group.region, group.logGroupName), group);
  ctx.recordResource('AWS::Logs::LogGroup', groupArn(group.region, ctx.caller.account, group.logGroupName));
}
