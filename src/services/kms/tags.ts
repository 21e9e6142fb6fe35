/**
 * Key tags: TagResource, UntagResource, ListResourceTags, and the checks CreateKey shares.
 * Tags are condition keys too (`aws:RequestTag/*`, `aws:TagKeys`; a key's own tags are
 * `aws:ResourceTag/*` on every operation on it).
 */
import type {
  ListResourceTagsCommandInput,
  ListResourceTagsCommandOutput,
  TagResourceCommandInput,
  UntagResourceCommandInput,
} from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { Handler, ServiceContext } from '../types.js';
import { authorizeKey } from './authorize.js';
import { KIND, assertNotPendingDeletion, pageOf, type KmsTag } from './records.js';
import { resolveKey } from './resolve.js';

type Out<T> = Omit<T, '$metadata'>;
type InputTag = { readonly TagKey?: string; readonly TagValue?: string };

const TAG_QUOTA = 50;

/**
 * KMS refuses tag keys in the `aws:` namespace and a request that repeats a key. Wording:
 * Gatehouse's (the API Reference names the exception, TagException, not its message).
 */
export function checkTags(tags: readonly InputTag[] | undefined): KmsTag[] {
  const out = (tags ?? []).map((t) => ({ TagKey: t.TagKey ?? '', TagValue: t.TagValue ?? '' }));
  const seen = new Set<string>();
  for (const t of out) {
    if (t.TagKey.toLowerCase().startsWith('aws:')) throw new AwsError('TagException', `Tag key ${t.TagKey} is invalid: tag keys beginning with aws: are reserved for use by AWS.`);
    if (seen.has(t.TagKey)) throw new AwsError('TagException', `Duplicate tag key ${t.TagKey} in the request.`);
    seen.add(t.TagKey);
  }
  if (out.length > TAG_QUOTA) throw new AwsError('LimitExceededException', `A KMS key can have at most ${TAG_QUOTA} tags.`);
  return out;
}

/** `aws:RequestTag/*` and `aws:TagKeys`. */
export function requestTagContext(tags: readonly KmsTag[]): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  const out: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.TagKey) };
  for (const t of tags) out[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
  return out;
}

export const tagHandlers: Record<string, Handler> = {
  async TagResource(input: TagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    const tags = checkTags(input.Tags);
    await authorizeKey(ctx, 'kms:TagResource', key, { context: requestTagContext(tags) });
    assertNotPendingDeletion(key);
    const merged = [...key.Tags.filter((t) => !tags.some((n) => n.TagKey === t.TagKey)), ...tags];
    if (merged.length > TAG_QUOTA) throw new AwsError('LimitExceededException', `A KMS key can have at most ${TAG_QUOTA} tags.`);
    await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, Tags: merged });
  },

  async UntagResource(input: UntagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    const keys = input.TagKeys ?? [];
    await authorizeKey(ctx, 'kms:UntagResource', key, { context: keys.length ? { 'aws:TagKeys': [...keys] } : {} });
    assertNotPendingDeletion(key);
    await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, Tags: key.Tags.filter((t) => !keys.includes(t.TagKey)) });
  },

  async ListResourceTags(input: ListResourceTagsCommandInput, ctx: ServiceContext): Promise<Out<ListResourceTagsCommandOutput>> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    await authorizeKey(ctx, 'kms:ListResourceTags', key);
    const page = pageOf(key.Tags, input, 50);
    return { Tags: page.items.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })), Truncated: page.Truncated, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
  },
};
