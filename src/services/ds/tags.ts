/**
 * Directory tags: AddTagsToResource (add or overwrite by key), RemoveTagsFromResource,
 * ListTagsForResource, and the checks CreateDirectory and CreateMicrosoftAD share. A
 * directory holds at most 50 tags (AddTagsToResource's doc); keys beginning `aws:` are
 * AWS's (AWS's tagging rules). The messages are Gatehouse's: the API Reference describes
 * TagLimitExceededException ("The maximum allowed number of tags was exceeded") but not
 * its wording.
 */
import type {
  AddTagsToResourceCommandInput,
  AddTagsToResourceCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  RemoveTagsFromResourceCommandInput,
  RemoveTagsFromResourceCommandOutput,
} from '@aws-sdk/client-directory-service';
import type { Handler, ServiceContext } from '../types.js';
import { KIND, directoryArn, directoryAuthorization, directoryNotFound, dsError, findDirectory, type DirectoryRecord, type DsTag } from './records.js';

type Out<T> = Omit<T, '$metadata'>;

const TAG_QUOTA = 50;

export const storedTags = (tags: readonly { Key?: string; Value?: string }[] | undefined): DsTag[] => (tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));

export function checkTags(ctx: ServiceContext, tags: readonly DsTag[]): void {
  const reserved = tags.find((t) => t.Key.toLowerCase().startsWith('aws:'));
  if (reserved) throw dsError(ctx, 'InvalidParameterException', `Tag key ${reserved.Key} is not valid: keys beginning with aws: are reserved for use by AWS.`);
  if (tags.length > TAG_QUOTA) throw dsError(ctx, 'TagLimitExceededException', `Tag limit exceeded. A directory can have at most ${TAG_QUOTA} tags.`);
}

/** `aws:RequestTag/*` and `aws:TagKeys`. */
export function tagContext(tags: readonly DsTag[]): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  const out: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value;
  return out;
}

export const tagHandlers: Record<string, Handler> = {
  async AddTagsToResource(input: AddTagsToResourceCommandInput, ctx: ServiceContext): Promise<Out<AddTagsToResourceCommandOutput>> {
    const id = input.ResourceId!;
    const d = await findDirectory(ctx, id);
    const tags = storedTags(input.Tags);
    await ctx.authorize('ds:AddTagsToResource', directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d, tagContext(tags)));
    if (!d) throw directoryNotFound(ctx, id);
    const merged = [...d.Tags.filter((t) => !tags.some((a) => a.Key === t.Key)), ...tags];
    checkTags(ctx, merged);
    await ctx.tx.update<DirectoryRecord>(ctx.caller.account, KIND.directory, id, { ...d, Tags: merged });
    return {};
  },

  async RemoveTagsFromResource(input: RemoveTagsFromResourceCommandInput, ctx: ServiceContext): Promise<Out<RemoveTagsFromResourceCommandOutput>> {
    const id = input.ResourceId!;
    const d = await findDirectory(ctx, id);
    const keys = [...(input.TagKeys ?? [])];
    await ctx.authorize('ds:RemoveTagsFromResource', directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d, keys.length ? { 'aws:TagKeys': keys } : {}));
    if (!d) throw directoryNotFound(ctx, id);
    await ctx.tx.update<DirectoryRecord>(ctx.caller.account, KIND.directory, id, { ...d, Tags: d.Tags.filter((t) => !keys.includes(t.Key)) });
    return {};
  },

  /** NextToken and Limit are "reserved for future use": every tag comes back at once. */
  async ListTagsForResource(input: ListTagsForResourceCommandInput, ctx: ServiceContext): Promise<Out<ListTagsForResourceCommandOutput>> {
    const id = input.ResourceId!;
    const d = await findDirectory(ctx, id);
    await ctx.authorize('ds:ListTagsForResource', directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d));
    if (!d) throw directoryNotFound(ctx, id);
    return { Tags: d.Tags.map((t) => ({ ...t })) };
  },
};
