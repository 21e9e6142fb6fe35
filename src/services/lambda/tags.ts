/**
 * Lambda tags (TagResource, UntagResource, ListTags) on functions, named by ARN. Tags
 * belong to the function, not to its versions. Authorized with `aws:RequestTag/*` and
 * `aws:TagKeys` (Service Authorization Reference, Lambda's TagResource/UntagResource),
 * and the function's own tags as `aws:ResourceTag/*`.
 */
import type { ListTagsCommandInput, ListTagsCommandOutput, TagResourceCommandInput, UntagResourceCommandInput } from '@aws-sdk/client-lambda';
import { AwsError } from '../../models/errors.js';
import { KIND, functionId, invalidParameter, parseFunctionName, requireFunction, type FunctionRef } from './common.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Lambda's quota: 50 tags a function. */
const TAG_LIMIT = 50;

/** `aws:RequestTag/*` and `aws:TagKeys` for the tags a request sets. */
export function tagContext(tags: Readonly<Record<string, string>> | undefined): Record<string, string | string[]> {
  if (!tags || Object.keys(tags).length === 0) return {};
  const ctx: Record<string, string | string[]> = { 'aws:TagKeys': Object.keys(tags) };
  for (const [k, v] of Object.entries(tags)) ctx[`aws:RequestTag/${k}`] = v;
  return ctx;
}

/** The function a taggable resource ARN names (only functions are taggable in Gatehouse). */
function taggedFunction(ctx: ServiceContext, resource: string): FunctionRef {
  if (!/:function:/.test(resource)) throw new AwsError('ResourceNotFoundException', `The resource you requested does not exist. (Service: Lambda, Resource: ${resource})`);
  const ref = parseFunctionName(ctx, resource);
  if (ref.qualifier !== undefined) throw invalidParameter('Tags are not supported on function versions or aliases. Specify the function ARN without a qualifier.');
  return ref;
}

export const tagHandlers: Record<string, Handler> = {
  async TagResource(input: TagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const ref = taggedFunction(ctx, input.Resource!);
    const fn = await requireFunction(ctx, 'lambda:TagResource', ref, tagContext(input.Tags));
    const tags = { ...fn.Tags, ...(input.Tags ?? {}) };
    if (Object.keys(tags).length > TAG_LIMIT) throw invalidParameter(`Number of tags exceeds resource tag limit of ${TAG_LIMIT}.`);
    await ctx.tx.update(ref.account, KIND.function, functionId(ref), { ...fn, Tags: tags });
  },

  async UntagResource(input: UntagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const ref = taggedFunction(ctx, input.Resource!);
    const keys = input.TagKeys ?? [];
    const fn = await requireFunction(ctx, 'lambda:UntagResource', ref, keys.length ? { 'aws:TagKeys': keys } : {});
    const tags = Object.fromEntries(Object.entries(fn.Tags).filter(([k]) => !keys.includes(k)));
    await ctx.tx.update(ref.account, KIND.function, functionId(ref), { ...fn, Tags: tags });
  },

  async ListTags(input: ListTagsCommandInput, ctx: ServiceContext): Promise<Out<ListTagsCommandOutput>> {
    const ref = taggedFunction(ctx, input.Resource!);
    const fn = await requireFunction(ctx, 'lambda:ListTags', ref);
    return { Tags: { ...fn.Tags } };
  },
};
