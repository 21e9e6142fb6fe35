/**
 * What CloudWatch Logs' operations share: the stored records, ARNs (the three forms AWS
 * uses), the errors, finding a log group from a name or an identifier, the resource-tag
 * context, and the opaque paging tokens of the Describe operations.
 *
 * Log groups live per account and region. Their names are case-sensitive in CloudWatch
 * Logs (`App` and `app` are two groups), so records are keyed by id (`region:name`) and
 * never use the store's case-insensitive name index.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { AwsError } from '../../models/errors.js';
import type { ServiceContext } from '../types.js';

export const KIND = {
  group: 'logs:log-group',
  stream: 'logs:log-stream',
  /** A run of a stream's events (see storage.ts). */
  chunk: 'logs:event-chunk',
} as const;

/** Where a stream's events are: one entry per chunk record, with its key range. */
export interface ChunkRef {
  readonly id: string;
  /** Keys of its first and last events (see storage.ts `eventKey`). */
  readonly first: string;
  readonly last: string;
  readonly count: number;
  readonly bytes: number;
}

export interface GroupRecord {
  readonly region: string;
  readonly logGroupName: string;
  /** Epoch milliseconds, as the API reports it. */
  readonly creationTime: number;
  readonly retentionInDays?: number;
  readonly kmsKeyId?: string;
  readonly logGroupClass: string;
  readonly deletionProtectionEnabled?: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** UTF-8 bytes of the messages its streams hold. */
  readonly storedBytes: number;
  /** The last event sequence number given out in the group: event keys are unique across its streams. */
  readonly eventSeq: number;
}

export interface StreamRecord {
  readonly region: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  /** Kept for the group's total; DescribeLogStreams reports 0 as AWS does (see streams.ts). */
  readonly storedBytes: number;
  /** PutLogEvents calls so far: the (ignored) sequence token AWS still hands out. */
  readonly uploads: number;
  readonly chunks: readonly ChunkRef[];
}

export const groupId = (region: string, name: string): string => `${region}:${name}`;
/** Stream names cannot contain `:` (the model's pattern), so the id is unambiguous. */
export const streamId = (region: string, group: string, stream: string): string => `${region}:${group}:${stream}`;

export const groupArn = (region: string, account: string, name: string): string => `arn:aws:logs:${region}:${account}:log-group:${name}`;
export const streamArn = (region: string, account: string, group: string, stream: string): string => `${groupArn(region, account, group)}:log-stream:${stream}`;
/**
 * The resource AWS authorizes log-group actions on (CreateLogGroup, DescribeLogStreams,
 * PutRetentionPolicy...): the group's ARN with an empty stream, as AWS's denials print it
 * ("...:log-group:/aws/lambda/x:log-stream:"). That is why policies name groups as
 * `log-group:NAME:*`. Tagging actions (TagResource...) use the plain group ARN instead.
 */
export const groupActionArn = (region: string, account: string, name: string): string => `${groupArn(region, account, name)}:log-stream:`;
/** DescribeLogGroups is authorized on a group with no name: "...:log-group::log-stream:". */
export const anyGroupArn = (region: string, account: string): string => `arn:aws:logs:${region}:${account}:log-group::log-stream:`;

export const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterException', message);
export const groupNotFound = (): AwsError => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = (): AwsError => new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
export const invalidToken = (): AwsError => invalidParameter('The specified nextToken is invalid.');

/** A log group as a request names it: the region and account hold it, which may not be the caller's. */
export interface GroupRef {
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

/** True when the group lives where the caller's request is served. */
export const isLocal = (ctx: ServiceContext, ref: GroupRef): boolean => ref.region === ctx.region && ref.account === ctx.caller.account;

const GROUP_ARN = /^arn:aws[\w-]*:logs:([a-z0-9-]*):(\d{12}):log-group:([^:]+)(?::\*)?$/;

/** A log group ARN (with or without the trailing `:*`), or undefined. */
export function parseGroupArn(arn: string): GroupRef | undefined {
  const m = GROUP_ARN.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/**
 * The group of an operation that takes `logGroupName` or `logGroupIdentifier` (a name or
 * an ARN). Both: ValidationException with AWS's wording (as LocalStack records it).
 * Neither: Gatehouse's choice, the validation error a missing `logGroupName` would give.
 */
export function groupRefOf(ctx: ServiceContext, input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): GroupRef {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw new AwsError('ValidationException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const local = (name: string): GroupRef => ({ region: ctx.region, account: ctx.caller.account, name });
  if (input.logGroupName !== undefined) return local(input.logGroupName);
  const id = input.logGroupIdentifier;
  if (id === undefined) throw invalidParameter("1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null");
  if (!id.startsWith('arn:')) {
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(id)) throw invalidParameter(`1 validation error detected: Value '${id}' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
    return local(id);
  }
  const ref = parseGroupArn(id);
  if (!ref) throw invalidParameter(`Invalid ARN: ${id}`);
  return ref;
}

/** The group, when it exists where the caller can see it (cross-account reads need OAM links, which Gatehouse lacks). */
export async function findGroup(ctx: ServiceContext, ref: GroupRef): Promise<GroupRecord | undefined> {
  if (!isLocal(ctx, ref)) return undefined;
  return ctx.tx.get<GroupRecord>(ctx.caller.account, KIND.group, groupId(ref.region, ref.name));
}

export async function findStream(ctx: ServiceContext, ref: GroupRef, stream: string): Promise<StreamRecord | undefined> {
  if (!isLocal(ctx, ref)) return undefined;
  return ctx.tx.get<StreamRecord>(ctx.caller.account, KIND.stream, streamId(ref.region, ref.name, stream));
}

/** `aws:ResourceTag/*`: a group's tags (streams are not taggable; their group's tags apply). */
export function resourceTagContext(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[`aws:ResourceTag/${k}`] = v;
  return out;
}

/** `aws:RequestTag/*` and `aws:TagKeys` for an operation that sets tags. */
export function requestTagContext(tags: Readonly<Record<string, string>> | undefined): Record<string, string | string[]> {
  const keys = Object.keys(tags ?? {});
  if (keys.length === 0) return {};
  const out: Record<string, string | string[]> = { 'aws:TagKeys': keys };
  for (const k of keys) out[`aws:RequestTag/${k}`] = tags![k]!;
  return out;
}

/** Authorize a log-group action, with the group's tags when it exists; returns the group. */
export async function authorizeGroup(ctx: ServiceContext, action: string, ref: GroupRef, context: Record<string, string | string[]> = {}): Promise<GroupRecord | undefined> {
  const group = await findGroup(ctx, ref);
  await ctx.authorize(action, groupActionArn(ref.region, ref.account, ref.name), { context: { ...resourceTagContext(group?.tags), ...context } });
  return group;
}

/** Authorize a log-stream action (the group's tags apply); returns the group. */
export async function authorizeStream(ctx: ServiceContext, action: string, ref: GroupRef, stream: string): Promise<GroupRecord | undefined> {
  const group = await findGroup(ctx, ref);
  await ctx.authorize(action, streamArn(ref.region, ref.account, ref.name, stream), { context: resourceTagContext(group?.tags) });
  return group;
}

/**
 * Describe paging: keyset tokens (the sort key of the last item returned), sealed with
 * a digest so a made-up token is refused. AWS's tokens are opaque; Gatehouse's are too.
 */
const TOKEN_KEY = randomBytes(32);
const seal = (body: string): string => createHmac('sha256', TOKEN_KEY).update(body).digest('base64url').slice(0, 16);

export function issueToken(position: readonly (string | number)[]): string {
  const body = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${body}.${seal(body)}`;
}

export function readToken(token: string): (string | number)[] {
  const [body = '', digest] = token.split('.');
  if (digest !== seal(body)) throw invalidToken();
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as (string | number)[];
}

/** Plain code-point order: AWS sorts names "ASCII-sorted". */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
