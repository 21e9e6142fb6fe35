/**
 * Keys: CreateKey, DescribeKey, ListKeys, EnableKey/DisableKey, ScheduleKeyDeletion/
 * CancelKeyDeletion. Symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT,
 * origin AWS_KMS), single- or multi-Region; other key specs, imported key material and
 * custom key stores are not modelled (UnsupportedOperationException).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CancelKeyDeletionCommandInput,
  CancelKeyDeletionCommandOutput,
  CreateKeyCommandInput,
  CreateKeyCommandOutput,
  DescribeKeyCommandInput,
  DescribeKeyCommandOutput,
  DisableKeyCommandInput,
  EnableKeyCommandInput,
  ListKeysCommandInput,
  ListKeysCommandOutput,
  ScheduleKeyDeletionCommandInput,
  ScheduleKeyDeletionCommandOutput,
} from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { SecretBox } from '../../auth/secrets.js';
import type { Handler, ServiceContext } from '../types.js';
import { KmsAccessDenied, authorizeKey, kmsContext } from './authorize.js';
import { newMaterial } from './crypto.js';
import { checkKeyPolicy, compiledKeyPolicy, defaultKeyPolicy, malformed } from './policy.js';
import { KIND, assertNotPendingDeletion, invalidState, isDeleted, keyArn, keyMetadata, pageOf, type KeyRecord } from './records.js';
import { resolveKey } from './resolve.js';
import { checkTags, requestTagContext } from './tags.js';

type Out<T> = Omit<T, '$metadata'>;

const unsupported = (what: string): AwsError => new AwsError('UnsupportedOperationException', `${what} is not supported by Gatehouse; only symmetric encryption keys (SYMMETRIC_DEFAULT) with origin AWS_KMS are.`);

/**
 * KMS's policy lockout safety check (CreateKey and PutKeyPolicy with a policy): unless the
 * caller sets BypassPolicyLockoutSafetyCheck, the new key policy itself must allow the
 * caller a later PutKeyPolicy, naming the caller or the caller's account (which delegates
 * to IAM policies: the check is on the key policy, not on the caller's IAM policies).
 */
export async function lockoutCheck(ctx: ServiceContext, key: Pick<KeyRecord, 'Arn' | 'Policy' | 'AWSAccountId'>): Promise<void> {
  try {
    await ctx.authorize('kms:PutKeyPolicy', key.Arn, { context: kmsContext(ctx), resourcePolicy: compiledKeyPolicy(key), resourcePolicyRequired: true, resourceAccount: key.AWSAccountId });
  } catch (e) {
    if (!(e instanceof KmsAccessDenied)) throw e;
    const ev = e.evaluation;
    if (ev.resourceGrant === undefined || ev.details.resource === 'explicitDeny') throw malformed('The new key policy will not allow you to update the key policy in the future.');
  }
}

/** ScheduleKeyDeletion's waiting period: 7 to 30 days (the model allows 1-365; KMS does not). */
function pendingWindow(days: number | undefined): number {
  const d = days ?? 30;
  if (d < 7) throw new AwsError('ValidationException', `1 validation error detected: Value '${d}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7`);
  if (d > 30) throw new AwsError('ValidationException', `1 validation error detected: Value '${d}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30`);
  return d;
}

export function keyHandlers(box: SecretBox): Record<string, Handler> {
  return {
    async CreateKey(input: CreateKeyCommandInput, ctx: ServiceContext): Promise<Out<CreateKeyCommandOutput>> {
      if (input.KeySpec && input.CustomerMasterKeySpec) throw new AwsError('ValidationException', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
      const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
      const usage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
      const origin = input.Origin ?? 'AWS_KMS';
      const multiRegion = input.MultiRegion ?? false;
      const tags = checkTags(input.Tags);
      await ctx.authorize('kms:CreateKey', '*', {
        context: {
          ...kmsContext(ctx),
          'kms:KeySpec': spec,
          'kms:KeyUsage': usage,
          'kms:KeyOrigin': origin,
          'kms:MultiRegion': String(multiRegion),
          ...(multiRegion ? { 'kms:MultiRegionKeyType': 'PRIMARY' } : {}),
          'kms:BypassPolicyLockoutSafetyCheck': String(input.BypassPolicyLockoutSafetyCheck ?? false),
          ...requestTagContext(tags),
        },
      });
      if (spec !== 'SYMMETRIC_DEFAULT') throw unsupported(`KeySpec ${spec}`);
      if (usage !== 'ENCRYPT_DECRYPT') throw new AwsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
      if (origin !== 'AWS_KMS') throw unsupported(`Origin ${origin}`);
      if (input.CustomKeyStoreId || input.XksKeyId) throw unsupported('A custom key store');
      const account = ctx.caller.account;
      // Multi-Region keys have `mrk-` ids (KMS Developer Guide, multi-Region key identifiers).
      const keyId = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
      const arn = keyArn(ctx.region, account, keyId);
      if (tags.length) await ctx.authorize('kms:TagResource', arn, { context: { ...kmsContext(ctx), ...requestTagContext(tags) } });
      const policy = input.Policy ?? defaultKeyPolicy(account);
      if (input.Policy !== undefined) await checkKeyPolicy(ctx.tx, input.Policy);
      if (input.Policy !== undefined && !input.BypassPolicyLockoutSafetyCheck) await lockoutCheck(ctx, { Arn: arn, Policy: policy, AWSAccountId: account });
      const key: KeyRecord = {
        KeyId: keyId,
        Arn: arn,
        AWSAccountId: account,
        Region: ctx.region,
        CreationDate: ctx.now.toISOString(),
        Description: input.Description ?? '',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        KeyState: 'Enabled',
        MultiRegion: multiRegion,
        Policy: policy,
        Tags: tags,
        Material: newMaterial(box),
      };
      await ctx.tx.insert(account, KIND.key, keyId, key);
      ctx.recordResource('AWS::KMS::Key', arn);
      return { KeyMetadata: keyMetadata(key) };
    },

    async DescribeKey(input: DescribeKeyCommandInput, ctx: ServiceContext): Promise<Out<DescribeKeyCommandOutput>> {
      const { key, alias } = await resolveKey(ctx, input.KeyId!, { aliases: true });
      await authorizeKey(ctx, 'kms:DescribeKey', key, { context: alias ? { 'kms:RequestAlias': alias } : {}, grant: { operation: 'DescribeKey' } });
      return { KeyMetadata: keyMetadata(key) };
    },

    async ListKeys(input: ListKeysCommandInput, ctx: ServiceContext): Promise<Out<ListKeysCommandOutput>> {
      await ctx.authorize('kms:ListKeys', '*', { context: kmsContext(ctx) });
      const keys = (await ctx.tx.list<KeyRecord>(ctx.caller.account, KIND.key)).filter((k) => k.Region === ctx.region && !isDeleted(k, ctx.now));
      const page = pageOf(keys, input, 100);
      return { Keys: page.items.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), Truncated: page.Truncated, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
    },

    async EnableKey(input: EnableKeyCommandInput, ctx: ServiceContext): Promise<void> {
      const { key } = await resolveKey(ctx, input.KeyId!);
      await authorizeKey(ctx, 'kms:EnableKey', key);
      assertNotPendingDeletion(key);
      await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, KeyState: 'Enabled' });
    },

    async DisableKey(input: DisableKeyCommandInput, ctx: ServiceContext): Promise<void> {
      const { key } = await resolveKey(ctx, input.KeyId!);
      await authorizeKey(ctx, 'kms:DisableKey', key);
      assertNotPendingDeletion(key);
      await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, KeyState: 'Disabled' });
    },

    async ScheduleKeyDeletion(input: ScheduleKeyDeletionCommandInput, ctx: ServiceContext): Promise<Out<ScheduleKeyDeletionCommandOutput>> {
      const { key } = await resolveKey(ctx, input.KeyId!);
      await authorizeKey(ctx, 'kms:ScheduleKeyDeletion', key, { context: input.PendingWindowInDays !== undefined ? { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(input.PendingWindowInDays) } : {} });
      const days = pendingWindow(input.PendingWindowInDays);
      assertNotPendingDeletion(key);
      const deletionDate = new Date(ctx.now.getTime() + days * 86_400_000);
      await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, KeyState: 'PendingDeletion', DeletionDate: deletionDate.toISOString(), PendingDeletionWindowInDays: days });
      return { KeyId: key.Arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion', PendingWindowInDays: days };
    },

    async CancelKeyDeletion(input: CancelKeyDeletionCommandInput, ctx: ServiceContext): Promise<Out<CancelKeyDeletionCommandOutput>> {
      const { key } = await resolveKey(ctx, input.KeyId!);
      await authorizeKey(ctx, 'kms:CancelKeyDeletion', key);
      if (key.KeyState !== 'PendingDeletion') throw invalidState(`${key.Arn} is not pending deletion.`);
      // A key whose deletion is cancelled comes back disabled (KMS Developer Guide, "Deleting keys").
      const { DeletionDate: _d, PendingDeletionWindowInDays: _w, ...rest } = key;
      await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...rest, KeyState: 'Disabled' });
      return { KeyId: key.Arn };
    },
  };
}
