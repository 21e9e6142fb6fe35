/**
 * Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.
 */
import type {
  CreateLogStreamCommandInput,
  DeleteLogStreamCommandInput,
  DescribeLogStreamsCommandInput,
  DescribeLogStreamsCommandOutput,
  LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../models/errors.js';
import {
  KIND,
  authorizeGroup,
  authorizeStream,
  compareStrings,
  groupId,
  groupNotFound,
  groupRefOf,
  invalidParameter,
  invalidToken,
  issueToken,
  readToken,
  streamArn,
  streamId,
  streamNotFound,
  type GroupRecord,
  type StreamRecord,
} from './common.js';
import { deleteStreamEvents } from './storage.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const DESCRIBE_LIMIT = 50;

/** AWS's sequence tokens are 56 digits; they are ignored since 2023 but still handed out. */
export const sequenceToken = (uploads: number): string => String(uploads).padStart(56, '0');

function streamOutput(s: StreamRecord, account: string): LogStream {
  return {
    logStreamName: s.logStreamName,
    creationTime: s.creationTime,
    ...(s.firstEventTimestamp !== undefined ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
    ...(s.lastEventTimestamp !== undefined ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
    ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
    ...(s.uploads > 0 ? { uploadSequenceToken: sequenceToken(s.uploads) } : {}),
    arn: streamArn(s.region, account, s.logGroupName, s.logStreamName),
    // "As of June 17, 2019, this parameter is no longer supported for log streams, and is
    // always reported as zero" (API reference, LogStream). The count is kept for the group.
    storedBytes: 0,
  };
}

/** The sort key DescribeLogStreams orders by; streams without events sort as time 0 (Gatehouse's choice). */
const sortKey = (s: StreamRecord, byTime: boolean): [number, string] => [byTime ? (s.lastEventTimestamp ?? 0) : 0, s.logStreamName];

function compareKeys(a: readonly [number, string], b: readonly [number, string]): number {
  return a[0] !== b[0] ? a[0] - b[0] : compareStrings(a[1], b[1]);
}

export const streamHandlers: Record<string, Handler> = {
  async CreateLogStream(input: CreateLogStreamCommandInput, ctx: ServiceContext): Promise<void> {
    const ref = { region: ctx.region, account: ctx.caller.account, name: input.logGroupName! };
    const group = await authorizeStream(ctx, 'logs:CreateLogStream', ref, input.logStreamName!);
    if (!group) throw groupNotFound();
    const id = streamId(ctx.region, group.logGroupName, input.logStreamName!);
    if (await ctx.tx.get(ctx.caller.account, KIND.stream, id)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    const stream: StreamRecord = {
      region: ctx.region,
      logGroupName: group.logGroupName,
      logStreamName: input.logStreamName!,
      creationTime: ctx.now.getTime(),
      storedBytes: 0,
      uploads: 0,
      chunks: [],
    };
    await ctx.tx.insert(ctx.caller.account, KIND.stream, id, stream, { parent: groupId(ctx.region, group.logGroupName) });
    ctx.recordResource('AWS::Logs::LogStream', streamArn(ctx.region, ctx.caller.account, group.logGroupName, stream.logStreamName));
  },

  async DeleteLogStream(input: DeleteLogStreamCommandInput, ctx: ServiceContext): Promise<void> {
    const ref = { region: ctx.region, account: ctx.caller.account, name: input.logGroupName! };
    const group = await authorizeStream(ctx, 'logs:DeleteLogStream', ref, input.logStreamName!);
    if (!group) throw groupNotFound();
    const id = streamId(ctx.region, group.logGroupName, input.logStreamName!);
    const stream = await ctx.tx.get<StreamRecord>(ctx.caller.account, KIND.stream, id);
    if (!stream) throw streamNotFound();
    // "Deletion protection blocks all deletion operations" (PutLogGroupDeletionProtection);
    // the message is the one documented for DeleteLogGroup (Gatehouse's choice for streams).
    if (group.deletionProtectionEnabled) throw new AwsError('ValidationException', 'Cannot delete log group with deletion protection enabled. Disable deletion protection first.');
    await deleteStreamEvents(ctx.tx, ctx.caller.account, id);
    await ctx.tx.delete(ctx.caller.account, KIND.stream, id);
    await ctx.tx.update<GroupRecord>(ctx.caller.account, KIND.group, groupId(group.region, group.logGroupName), { ...group, storedBytes: Math.max(0, group.storedBytes - stream.storedBytes) });
    ctx.recordResource('AWS::Logs::LogStream', streamArn(ctx.region, ctx.caller.account, group.logGroupName, stream.logStreamName));
  },

  async DescribeLogStreams(input: DescribeLogStreamsCommandInput, ctx: ServiceContext): Promise<Out<DescribeLogStreamsCommandOutput>> {
    const ref = groupRefOf(ctx, input);
    const group = await authorizeGroup(ctx, 'logs:DescribeLogStreams', ref);
    const byTime = input.orderBy === 'LastEventTime';
    // Wording as moto and LocalStack give it; AWS documents the restriction (API reference, orderBy).
    if (byTime && input.logStreamNamePrefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    if (!group) throw groupNotFound();
    const limit = input.limit ?? DESCRIBE_LIMIT;
    const descending = input.descending === true;
    let after: [number, string] | undefined;
    if (input.nextToken) {
      const [t, name] = readToken(input.nextToken);
      if (typeof t !== 'number' || typeof name !== 'string') throw invalidToken();
      after = [t, name];
    }
    const streams = (await ctx.tx.list<StreamRecord>(ctx.caller.account, KIND.stream, { parent: groupId(group.region, group.logGroupName) }))
      .filter((s) => input.logStreamNamePrefix === undefined || s.logStreamName.startsWith(input.logStreamNamePrefix))
      .map((s) => ({ s, key: sortKey(s, byTime) }))
      .sort((a, b) => (descending ? -1 : 1) * compareKeys(a.key, b.key))
      .filter(({ key }) => !after || (descending ? compareKeys(key, after) < 0 : compareKeys(key, after) > 0));
    const page = streams.slice(0, limit);
    return {
      logStreams: page.map(({ s }) => streamOutput(s, ctx.caller.account)),
      ...(streams.length > limit ? { nextToken: issueToken(page[page.length - 1]!.key) } : {}),
    };
  },
};
