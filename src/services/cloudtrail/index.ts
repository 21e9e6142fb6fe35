/**
 * AWS CloudTrail (awsJson 1.1): LookupEvents over the events every call records.
 */
import type { LookupEventsCommandInput, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { createHmac, randomBytes } from 'node:crypto';
import { AwsError } from '../../models/errors.js';
import type { Trail } from '../../server/trail.js';
import type { Store } from '../../store/index.js';
import type { ServiceContext, ServiceDefinition } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

interface TrailEvent {
  eventID: string;
  eventName: string;
  readOnly: boolean;
  eventTime: string;
  eventSource: string;
  userIdentity: { accessKeyId?: string; userName?: string; type: string; sessionContext?: { sessionIssuer?: { userName?: string } }; arn?: string };
  resources?: { type: string; ARN?: string }[];
}

/** Paging tokens: the position, bound to the query that issued it, sealed with a digest. */
const TOKEN_KEY = randomBytes(32);
const digest = (cursor: string, query: string): string => createHmac('sha256', TOKEN_KEY).update(`${cursor}\u0000${query}`).digest('base64url').slice(0, 22);
function issueToken(cursor: string, query: string): string {
  return Buffer.from(`${cursor}|${digest(cursor, query)}`).toString('base64url');
}
function readToken(token: string, query: string): string {
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  const cut = raw.lastIndexOf('|');
  const cursor = raw.slice(0, cut);
  if (cut < 0 || raw.slice(cut + 1) !== digest(cursor, query)) throw new AwsError('InvalidNextTokenException', 'Invalid NextToken');
  return cursor;
}

const ATTRIBUTES = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'];

/** CloudTrail reads the event log the server keeps (not a service's records). */
export function cloudTrailService(trail: Trail, store: Store): ServiceDefinition {
  return {
    model: 'cloudtrail',
    signingNames: ['cloudtrail'],
    eventSource: 'cloudtrail.amazonaws.com',
    handlers: {
      async LookupEvents(input: LookupEventsCommandInput, ctx: ServiceContext): Promise<Out<LookupEventsCommandOutput>> {
        await ctx.authorize('cloudtrail:LookupEvents', '*');
        const attrs = input.LookupAttributes ?? [];
        if (attrs.length > 1) throw new AwsError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
        const attr = attrs[0];
        if (attr && (!attr.AttributeKey || !ATTRIBUTES.includes(attr.AttributeKey))) throw new AwsError('InvalidLookupAttributesException', `Invalid attribute key: ${attr.AttributeKey ?? ''}`);
        if (input.StartTime && input.EndTime && input.StartTime > input.EndTime) {
          throw new AwsError('InvalidTimeRangeException', 'Start time must be earlier than end time.');
        }
        const max = input.MaxResults ?? 50;
        if (max < 1 || max > 50) throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
        await trail.flush();
        // A NextToken is only good for the query that issued it.
        const query = JSON.stringify([input.StartTime?.toISOString(), input.EndTime?.toISOString(), attr?.AttributeKey, attr?.AttributeValue]);
        const rows = await store.queryEvents({
          account: ctx.caller.account,
          ...(input.StartTime ? { start: input.StartTime } : {}),
          ...(input.EndTime ? { end: input.EndTime } : {}),
          ...(attr?.AttributeKey && attr.AttributeValue !== undefined ? { attribute: { key: attr.AttributeKey, value: attr.AttributeValue } } : {}),
          ...(input.NextToken ? { before: readToken(input.NextToken, query) } : {}),
          limit: max + 1,
        });
        const page = rows.slice(0, max);
        return {
          Events: page.map(({ event, username }) => {
            const e = event as TrailEvent;
            return {
              EventId: e.eventID,
              EventName: e.eventName,
              ReadOnly: String(e.readOnly),
              ...(e.userIdentity.accessKeyId ? { AccessKeyId: e.userIdentity.accessKeyId } : {}),
              EventTime: new Date(e.eventTime),
              EventSource: e.eventSource,
              ...(username ? { Username: username } : {}),
              Resources: (e.resources ?? []).map((r) => ({ ResourceType: r.type, ...(r.ARN ? { ResourceName: r.ARN } : {}) })),
              CloudTrailEvent: JSON.stringify(event),
            };
          }),
          ...(rows.length > max ? { NextToken: issueToken(page[page.length - 1]!.cursor, query) } : {}),
        };
      },
    },
  };
}
