/**
 * How a request names a key: key id, key ARN, alias name or alias ARN. Aliases are
 * accepted only where KMS documents them (DescribeKey and the cryptographic operations);
 * an AWS managed alias (`alias/aws/acm`) creates its key on first use, as AWS creates an
 * AWS managed key when a service first needs it.
 */
import type { Tx } from '../../store/index.js';
import type { ServiceContext } from '../types.js';
import { ensureAwsManagedKey, isAwsManagedAlias } from './managed.js';
import { ALIAS_ARN, KEY_ARN, KEY_ID, KIND, aliasArn, aliasId, invalidKeyId, isDeleted, keyArn, notFoundAlias, notFoundKey, type AliasRecord, type KeyRecord } from './records.js';

async function keyIn(tx: Tx, account: string, region: string, id: string, now: Date): Promise<KeyRecord | undefined> {
  const k = await tx.get<KeyRecord>(account, KIND.key, id);
  return k && k.Region === region && !isDeleted(k, now) ? k : undefined;
}

export interface ResolvedKey {
  readonly key: KeyRecord;
  /** The alias the request named the key by (`kms:RequestAlias`). */
  readonly alias?: string;
}

/** The key a request's KeyId names, in the request's region (NotFoundException otherwise). */
export async function resolveKey(ctx: ServiceContext, keyId: string, options: { aliases?: boolean } = {}): Promise<ResolvedKey> {
  const region = ctx.region;
  const account = ctx.caller.account;
  const arn = KEY_ARN.exec(keyId);
  if (arn) {
    const key = arn[1] === region ? await keyIn(ctx.tx, arn[2]!, region, arn[3]!, ctx.now) : undefined;
    if (!key) throw notFoundKey(keyId);
    return { key };
  }
  if (KEY_ID.test(keyId)) {
    const key = await keyIn(ctx.tx, account, region, keyId, ctx.now);
    if (!key) throw notFoundKey(keyArn(region, account, keyId));
    return { key };
  }
  const aliasMatch = ALIAS_ARN.exec(keyId);
  const alias = aliasMatch ? { region: aliasMatch[1]!, account: aliasMatch[2]!, name: aliasMatch[3]! } : keyId.startsWith('alias/') ? { region, account, name: keyId } : undefined;
  if (!alias || !options.aliases) throw invalidKeyId(keyId);
  const fullArn = aliasArn(alias.region, alias.account, alias.name);
  if (alias.region !== region) throw notFoundAlias(fullArn);
  if (isAwsManagedAlias(alias.name) && alias.account === account) {
    return { key: await ensureAwsManagedKey(ctx.tx, account, region, alias.name, ctx.now), alias: alias.name };
  }
  const record = await ctx.tx.get<AliasRecord>(alias.account, KIND.alias, aliasId(region, alias.name));
  const key = record ? await keyIn(ctx.tx, alias.account, region, record.TargetKeyId, ctx.now) : undefined;
  if (!key) throw notFoundAlias(fullArn);
  return { key, alias: alias.name };
}

