/**
 * Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups.
 */
import type {
  CreateLogGroupCommandInput,
  DeleteLogGroupCommandInput,
  DescribeLogGroupsCommandInput,
  DescribeLogGroupsCommandOutput,
  LogGroup,
  LogGroupClass,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../models/errors.js';
import {
  KIND,
  anyGroupArn,
  authorizeGroup,
  compareStrings,
  groupArn,
  groupId,
  invalidParameter,
  groupNotFound,
  issueToken,
  parseGroupArn,
  readToken,
  requestTagContext,
  streamId,
  type GroupRecord,
  type StreamRecord,
} from './common.js';
import { deleteStreamEvents } from './storage.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const DESCRIBE_LIMIT = 50;

/** The LogGroup structure DescribeLogGroups returns. */
function groupOutput(g: GroupRecord, account: string, namesOnly: boolean): LogGroup {
  const arn = groupArn(g.region, account, g.logGroupName);
  // With logGroupNamePattern, AWS returns only these three members (API reference).
  if (namesOnly) return { logGroupName: g.logGroupName, creationTime: g.creationTime, arn: `${arn}:*` };
  return {
    logGroupName: g.logGroupName,
    creationTime: g.creationTime,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    // `arn` ends in `:*`; `logGroupArn` does not (the form tagging APIs and logGroupIdentifier take).
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupClass: g.logGroupClass as LogGroupClass,
    logGroupArn: arn,
    // Gatehouse's choice: reported when enabled (AWS's documentation does not say whether `false` is returned).
    ...(g.deletionProtectionEnabled ? { deletionProtectionEnabled: true } : {}),
  };
}

export const groupHandlers: Record<string, Handler> = {
  async CreateLogGroup(input: CreateLogGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const name = input.logGroupName!;
    const ref = { region: ctx.region, account: ctx.caller.account, name };
    const tags = input.tags ?? {};
    await authorizeGroup(ctx, 'logs:CreateLogGroup', ref, requestTagContext(tags));
    if (Object.keys(tags).length > 0) {
      // Since 2023 tagging on creation also needs logs:TagResource, refused with this message
      // (quoted in public CloudFormation failures, e.g. DataDog/cloudformation-template#61).
      try {
        await ctx.authorize('logs:TagResource', groupArn(ctx.region, ctx.caller.account, name), { context: requestTagContext(tags) });
      } catch (e) {
        if (e instanceof AwsError && e.code === 'AccessDenied') {
          throw new AwsError('AccessDenied', `User with accountId: ${ctx.caller.account} is not authorized to perform CreateLogGroup with Tags. An additional permission "logs:TagResource" is required.`, e.options);
        }
        throw e;
      }
    }
    if (name.toLowerCase().startsWith('aws/')) throw invalidParameter('Log groups starting with AWS/ are reserved for AWS.');
    const id = groupId(ctx.region, name);
    if (await ctx.tx.get(ctx.caller.account, KIND.group, id)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    const group: GroupRecord = {
      region: ctx.region,
      logGroupName: name,
      creationTime: ctx.now.getTime(),
      ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
      logGroupClass: input.logGroupClass ?? 'STANDARD',
      ...(input.deletionProtectionEnabled ? { deletionProtectionEnabled: true } : {}),
      tags,
      storedBytes: 0,
      eventSeq: 0,
    };
    await ctx.tx.insert(ctx.caller.account, KIND.group, id, group);
    ctx.recordResource('AWS::Logs::LogGroup', groupArn(ctx.region, ctx.caller.account, name));
  },

  async DeleteLogGroup(input: DeleteLogGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const ref = { region: ctx.region, account: ctx.caller.account, name: input.logGroupName! };
    const group = await authorizeGroup(ctx, 'logs:DeleteLogGroup', ref);
    if (!group) throw groupNotFound();
    if (group.deletionProtectionEnabled) throw new AwsError('ValidationException', 'Cannot delete log group with deletion protection enabled. Disable deletion protection first.');
    await deleteGroupContents(ctx, group);
    await ctx.tx.delete(ctx.caller.account, KIND.group, groupId(group.region, group.logGroupName));
    ctx.recordResource('AWS::Logs::LogGroup', groupArn(ctx.region, ctx.caller.account, group.logGroupName));
  },

  async DescribeLogGroups(input: DescribeLogGroupsCommandInput, ctx: ServiceContext): Promise<Out<DescribeLogGroupsCommandOutput>> {
    await ctx.authorize('logs:DescribeLogGroups', anyGroupArn(ctx.region, ctx.caller.account));
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      // The two are "mutually exclusive" (API reference); the wording is Gatehouse's, after AWS's for name/ARN.
      throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    const limit = input.limit ?? DESCRIBE_LIMIT;
    const after = input.nextToken ? String(readToken(input.nextToken)[0]) : undefined;
    const identifiers = input.logGroupIdentifiers?.map((id) => (id.startsWith('arn:') ? parseGroupArn(id) : { region: ctx.region, account: ctx.caller.account, name: id }));
    const groups = (await ctx.tx.list<GroupRecord>(ctx.caller.account, KIND.group))
      .filter((g) => g.region === ctx.region)
      .filter((g) => input.logGroupNamePrefix === undefined || g.logGroupName.startsWith(input.logGroupNamePrefix))
      // logGroupNamePattern: a case-sensitive substring (API reference, DescribeLogGroups).
      .filter((g) => !input.logGroupNamePattern || g.logGroupName.includes(input.logGroupNamePattern))
      .filter((g) => !input.logGroupClass || g.logGroupClass === input.logGroupClass)
      .filter((g) => !identifiers || identifiers.some((r) => r && r.region === g.region && r.account === ctx.caller.account && r.name === g.logGroupName))
      .sort((a, b) => compareStrings(a.logGroupName, b.logGroupName))
      .filter((g) => after === undefined || g.logGroupName > after);
    const page = groups.slice(0, limit);
    const namesOnly = input.logGroupNamePattern !== undefined;
    return {
      logGroups: page.map((g) => groupOutput(g, ctx.caller.account, namesOnly)),
      ...(groups.length > limit ? { nextToken: issueToken([page[page.length - 1]!.logGroupName]) } : {}),
    };
  },
};

/** A group's streams and their events. */
async function deleteGroupContents(ctx: ServiceContext, group: GroupRecord): Promise<void> {
  const gid = groupId(group.region, group.logGroupName);
  for (const s of await ctx.tx.list<StreamRecord>(ctx.caller.account, KIND.stream, { parent: gid })) {
    await deleteStreamEvents(ctx.tx, ctx.caller.account, streamId(s.region, s.logGroupName, s.logStreamName));
  }
  await ctx.tx.deleteChildren(ctx.caller.account, KIND.stream, gid);
}
