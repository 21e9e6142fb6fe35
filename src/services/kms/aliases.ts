/**
 * Aliases: CreateAlias, DeleteAlias, ListAliases. Creating or deleting an alias needs
 * permission on the alias (IAM policies: aliases have no policy of their own) and on the
 * key (its key policy), as the Service Authorization Reference lists both resources.
 */
import type { AliasListEntry, CreateAliasCommandInput, DeleteAliasCommandInput, ListAliasesCommandInput, ListAliasesCommandOutput } from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { Handler, ServiceContext } from '../types.js';
import { authorizeKey, kmsContext } from './authorize.js';
import { AWS_MANAGED_ALIASES } from './managed.js';
import { KIND, aliasArn, aliasId, assertNotPendingDeletion, notFoundAlias, notFoundKey, pageOf, type AliasRecord } from './records.js';
import { resolveKey } from './resolve.js';

type Out<T> = Omit<T, '$metadata'>;

/**
 * Alias names begin with `alias/`, and `alias/aws/` is reserved for AWS managed keys
 * (KMS Developer Guide, "Alias concepts"). The first message is KMS's; the second is
 * Gatehouse's wording of the documented rule.
 */
function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) throw new AwsError('InvalidAliasNameException', 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  if (name.startsWith('alias/aws/')) throw new AwsError('InvalidAliasNameException', 'Alias names cannot begin with alias/aws/. That prefix is reserved for AWS managed keys.');
}

function entry(a: AliasRecord): AliasListEntry {
  return { AliasName: a.AliasName, AliasArn: a.AliasArn, TargetKeyId: a.TargetKeyId, CreationDate: new Date(a.CreationDate), LastUpdatedDate: new Date(a.LastUpdatedDate) };
}

export const aliasHandlers: Record<string, Handler> = {
  async CreateAlias(input: CreateAliasCommandInput, ctx: ServiceContext): Promise<void> {
    const name = input.AliasName!;
    checkAliasName(name);
    const arn = aliasArn(ctx.region, ctx.caller.account, name);
    await ctx.authorize('kms:CreateAlias', arn, { context: kmsContext(ctx) });
    const { key } = await resolveKey(ctx, input.TargetKeyId!);
    // An alias and its key are in the same account and region.
    if (key.AWSAccountId !== ctx.caller.account) throw notFoundKey(input.TargetKeyId!);
    await authorizeKey(ctx, 'kms:CreateAlias', key);
    assertNotPendingDeletion(key);
    if (await ctx.tx.get(ctx.caller.account, KIND.alias, aliasId(ctx.region, name))) throw new AwsError('AlreadyExistsException', `An alias with the name ${arn} already exists`);
    const now = ctx.now.toISOString();
    const record: AliasRecord = { AliasName: name, AliasArn: arn, Region: ctx.region, TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now };
    await ctx.tx.insert(ctx.caller.account, KIND.alias, aliasId(ctx.region, name), record);
  },

  async DeleteAlias(input: DeleteAliasCommandInput, ctx: ServiceContext): Promise<void> {
    const name = input.AliasName!;
    if (!name.startsWith('alias/')) checkAliasName(name);
    const arn = aliasArn(ctx.region, ctx.caller.account, name);
    await ctx.authorize('kms:DeleteAlias', arn, { context: kmsContext(ctx) });
    const record = await ctx.tx.get<AliasRecord>(ctx.caller.account, KIND.alias, aliasId(ctx.region, name));
    if (!record) throw notFoundAlias(arn);
    const { key } = await resolveKey(ctx, record.TargetKeyId);
    // AWS managed keys' policies do not allow kms:DeleteAlias, so their aliases stay.
    await authorizeKey(ctx, 'kms:DeleteAlias', key);
    await ctx.tx.delete(ctx.caller.account, KIND.alias, aliasId(ctx.region, name));
  },

  async ListAliases(input: ListAliasesCommandInput, ctx: ServiceContext): Promise<Out<ListAliasesCommandOutput>> {
    await ctx.authorize('kms:ListAliases', '*', { context: kmsContext(ctx) });
    const stored = (await ctx.tx.list<AliasRecord>(ctx.caller.account, KIND.alias)).filter((a) => a.Region === ctx.region);
    let entries: AliasListEntry[];
    if (input.KeyId) {
      const { key } = await resolveKey(ctx, input.KeyId);
      entries = stored.filter((a) => a.TargetKeyId === key.KeyId).map(entry);
    } else {
      // AWS lists its predefined aliases even before their keys exist (no TargetKeyId then).
      const predefined = AWS_MANAGED_ALIASES.filter((n) => !stored.some((a) => a.AliasName === n)).map((n) => ({ AliasName: n, AliasArn: aliasArn(ctx.region, ctx.caller.account, n) }));
      entries = [...stored.map(entry), ...predefined];
    }
    entries.sort((a, b) => (a.AliasName! < b.AliasName! ? -1 : a.AliasName! > b.AliasName! ? 1 : 0));
    const page = pageOf(entries, input, 50);
    return { Aliases: page.items, Truncated: page.Truncated, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
  },
};
