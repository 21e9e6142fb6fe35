/**
 * Log group tags, through both APIs: the older TagLogGroup / UntagLogGroup /
 * ListTagsLogGroup (by name, deprecated but answered) and TagResource / UntagResource /
 * ListTagsForResource (by ARN: the group's ARN without the trailing `:*`, which is also
 * the resource those three actions are authorized on). Only log groups are taggable in
 * Gatehouse (destinations, delivery sources... do not exist here).
 */
import type {
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  ListTagsLogGroupCommandInput,
  ListTagsLogGroupCommandOutput,
  TagLogGroupCommandInput,
  TagResourceCommandInput,
  UntagLogGroupCommandInput,
  UntagResourceCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../models/errors.js';
import {
  KIND,
  authorizeGroup,
  findGroup,
  groupArn,
  groupId,
  groupNotFound,
  invalidParameter,
  parseGroupArn,
  requestTagContext,
  resourceTagContext,
  type GroupRecord,
  type GroupRef,
} from './common.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const TAG_QUOTA = 50;
/** Gatehouse's wording: AWS documents the quota ("as many as 50 tags"), not its message. */
const TOO_MANY = 'A resource can have no more than 50 tags.';

function merged(existing: Readonly<Record<string, string>>, added: Readonly<Record<string, string>>, tooMany: () => AwsError): Record<string, string> {
  const out = { ...existing, ...added };
  if (Object.keys(out).length > TAG_QUOTA) throw tooMany();
  return out;
}

function without(existing: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const drop = new Set(keys);
  return Object.fromEntries(Object.entries(existing).filter(([k]) => !drop.has(k)));
}

async function save(ctx: ServiceContext, group: GroupRecord): Promise<void> {
  await ctx.tx.update(ctx.caller.account, KIND.group, groupId(group.region, group.logGroupName), group);
  ctx.recordResource('AWS::Logs::LogGroup', groupArn(group.region, ctx.caller.account, group.logGroupName));
}

const byName = (ctx: ServiceContext, name: string): GroupRef => ({ region: ctx.region, account: ctx.caller.account, name });

/**
 * TagResource & co.: authorize on the ARN as given, then find the log group it names.
 * An ARN of another CloudWatch Logs resource type is not found; anything else is not an ARN
 * of this service (Gatehouse's wording for both).
 */
async function authorizeArn(ctx: ServiceContext, action: string, arn: string, context: Record<string, string | string[]> = {}): Promise<GroupRecord> {
  const ref = parseGroupArn(arn);
  if (!ref && !/^arn:aws[\w-]*:logs:[a-z0-9-]*:\d{12}:[a-z-]+:/.test(arn)) throw invalidParameter(`Invalid resource ARN: ${arn}`);
  const group = ref ? await findGroup(ctx, ref) : undefined;
  await ctx.authorize(action, arn, { context: { ...resourceTagContext(group?.tags), ...context } });
  if (!ref) throw new AwsError('ResourceNotFoundException', 'The specified resource does not exist.');
  if (!group) throw groupNotFound();
  return group;
}

export const tagHandlers: Record<string, Handler> = {
  async TagLogGroup(input: TagLogGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const group = await authorizeGroup(ctx, 'logs:TagLogGroup', byName(ctx, input.logGroupName!), requestTagContext(input.tags));
    if (!group) throw groupNotFound();
    await save(ctx, { ...group, tags: merged(group.tags, input.tags!, () => invalidParameter(TOO_MANY)) });
  },

  async UntagLogGroup(input: UntagLogGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const group = await authorizeGroup(ctx, 'logs:UntagLogGroup', byName(ctx, input.logGroupName!), { 'aws:TagKeys': input.tags! });
    if (!group) throw groupNotFound();
    await save(ctx, { ...group, tags: without(group.tags, input.tags!) });
  },

  async ListTagsLogGroup(input: ListTagsLogGroupCommandInput, ctx: ServiceContext): Promise<Out<ListTagsLogGroupCommandOutput>> {
    const group = await authorizeGroup(ctx, 'logs:ListTagsLogGroup', byName(ctx, input.logGroupName!));
    if (!group) throw groupNotFound();
    return { tags: { ...group.tags } };
  },

  async TagResource(input: TagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const group = await authorizeArn(ctx, 'logs:TagResource', input.resourceArn!, requestTagContext(input.tags));
    const tooMany = (): AwsError => new AwsError('TooManyTagsException', TOO_MANY, { members: { resourceName: input.resourceArn! } });
    await save(ctx, { ...group, tags: merged(group.tags, input.tags!, tooMany) });
  },

  async UntagResource(input: UntagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const group = await authorizeArn(ctx, 'logs:UntagResource', input.resourceArn!, { 'aws:TagKeys': input.tagKeys! });
    await save(ctx, { ...group, tags: without(group.tags, input.tagKeys!) });
  },

  async ListTagsForResource(input: ListTagsForResourceCommandInput, ctx: ServiceContext): Promise<Out<ListTagsForResourceCommandOutput>> {
    const group = await authorizeArn(ctx, 'logs:ListTagsForResource', input.resourceArn!);
    return { tags: { ...group.tags } };
  },
};
