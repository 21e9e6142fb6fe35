/**
 * Log events: PutLogEvents, GetLogEvents, FilterLogEvents.
 *
 * PutLogEvents follows the API reference's constraints: events in chronological order
 * (else the whole call fails), at most 10,000 events (the model) and 1,048,576 bytes
 * counted as the messages' UTF-8 bytes plus 26 per event, each event at most 1 MB. Events
 * more than 2 hours in the future, more than 14 days old or older than the group's
 * retention are not failures: they are left out and reported in `rejectedLogEventsInfo`.
 * The sequence token is ignored, as AWS has ignored it since January 2023 (it is still
 * handed out). The older "a batch cannot span more than 24 hours" rule is gone from the
 * current reference and is not enforced.
 */
import type {
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
  GetLogEventsCommandInput,
  GetLogEventsCommandOutput,
  PutLogEventsCommandInput,
  PutLogEventsCommandOutput,
  RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  KIND,
  authorizeGroup,
  authorizeStream,
  compareStrings,
  findStream,
  groupId,
  groupNotFound,
  groupRefOf,
  invalidParameter,
  invalidToken,
  issueToken,
  readToken,
  streamId,
  streamNotFound,
  type GroupRecord,
  type StreamRecord,
} from './common.js';
import { parseFilterPattern } from './filter-pattern.js';
import { sequenceToken } from './streams.js';
import { MAX_KEY, MIN_KEY, appendEvents, eventKey, messageBytes, readBackward, readForward, shiftKey, timeKey, type StoredEvent } from './storage.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const DAY = 86_400_000;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_EVENT_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const TOO_OLD = 14 * DAY;
const TOO_NEW = 2 * 3_600_000;
/** GetLogEvents / FilterLogEvents: "as many log events as can fit in a response size of 1 MB (up to 10,000 log events)". */
const MAX_EVENTS = 10_000;
const MAX_RESPONSE_BYTES = 1_048_576;

/** GetLogEvents tokens, shaped as AWS's (`f/` or `b/`, 56 digits, `/s`): the key of an event boundary. */
const formatToken = (direction: 'f' | 'b', key: string): string => `${direction}/${key.padStart(56, '0')}/s`;

function parseEventsToken(token: string): { direction: 'f' | 'b'; key: string } {
  const m = /^([fb])\/(\d{1,56})(?:\/s)?$/.exec(token);
  if (!m) throw invalidToken();
  const digits = m[2]!.replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_KEY.length) throw invalidToken();
  return { direction: m[1] as 'f' | 'b', key: digits.padStart(MAX_KEY.length, '0') };
}

/** Keep events while the response stays within 1 MB, from the start or (`fromEnd`) from the end. */
function withinResponseSize(events: StoredEvent[], fromEnd: boolean): StoredEvent[] {
  let bytes = 0;
  const order = fromEnd ? [...events].reverse() : events;
  let n = 0;
  for (const e of order) {
    bytes += messageBytes(e[3]) + EVENT_OVERHEAD;
    if (n > 0 && bytes > MAX_RESPONSE_BYTES) break;
    n++;
  }
  return fromEnd ? events.slice(events.length - n) : events.slice(0, n);
}

export const eventHandlers: Record<string, Handler> = {
  async PutLogEvents(input: PutLogEventsCommandInput, ctx: ServiceContext): Promise<Out<PutLogEventsCommandOutput>> {
    const ref = { region: ctx.region, account: ctx.caller.account, name: input.logGroupName! };
    const group = await authorizeStream(ctx, 'logs:PutLogEvents', ref, input.logStreamName!);
    if (!group) throw groupNotFound();
    const sid = streamId(ctx.region, group.logGroupName, input.logStreamName!);
    const stream = await ctx.tx.get<StreamRecord>(ctx.caller.account, KIND.stream, sid);
    if (!stream) throw streamNotFound();
    const events = input.logEvents!.map((e) => ({ timestamp: e.timestamp!, message: e.message! }));

    // Whole-call failures first: order and size.
    let total = 0;
    for (const [i, e] of events.entries()) {
      if (i > 0 && e.timestamp < events[i - 1]!.timestamp) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
      const size = messageBytes(e.message) + EVENT_OVERHEAD;
      if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
      total += size;
    }
    if (total > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);

    // Events out of the accepted window: since the batch is in order, the old ones are a
    // prefix and the new ones a suffix. Each index follows RejectedLogEventsInfo: the
    // too-old and expired ends are exclusive, the too-new start inclusive.
    const now = ctx.now.getTime();
    const tooOld = events.filter((e) => e.timestamp < now - TOO_OLD).length;
    const expired = group.retentionInDays !== undefined ? events.filter((e) => e.timestamp < now - group.retentionInDays! * DAY).length : 0;
    const firstNew = events.findIndex((e) => e.timestamp > now + TOO_NEW);
    const start = Math.max(tooOld, expired);
    const end = firstNew < 0 ? events.length : firstNew;
    const rejected: RejectedLogEventsInfo = {
      ...(tooOld > 0 ? { tooOldLogEventEndIndex: tooOld } : {}),
      ...(expired > 0 ? { expiredLogEventEndIndex: expired } : {}),
      ...(firstNew >= 0 ? { tooNewLogEventStartIndex: firstNew } : {}),
    };

    const accepted = events.slice(start, Math.max(start, end));
    let seq = group.eventSeq;
    const stored: StoredEvent[] = accepted.map((e) => [eventKey(e.timestamp, ++seq), e.timestamp, now, e.message]);
    const bytes = accepted.reduce((n, e) => n + messageBytes(e.message), 0);
    const chunks = stored.length ? await appendEvents(ctx.tx, ctx.caller.account, sid, stream.chunks, stored) : stream.chunks;
    const first = accepted[0]?.timestamp;
    const last = accepted[accepted.length - 1]?.timestamp;
    const updated: StreamRecord = {
      ...stream,
      ...(first !== undefined ? { firstEventTimestamp: Math.min(first, stream.firstEventTimestamp ?? first) } : {}),
      ...(last !== undefined ? { lastEventTimestamp: Math.max(last, stream.lastEventTimestamp ?? last), lastIngestionTime: now } : {}),
      storedBytes: stream.storedBytes + bytes,
      uploads: stream.uploads + 1,
      chunks,
    };
    await ctx.tx.update(ctx.caller.account, KIND.stream, sid, updated);
    if (stored.length) await ctx.tx.update<GroupRecord>(ctx.caller.account, KIND.group, groupId(group.region, group.logGroupName), { ...group, eventSeq: seq, storedBytes: group.storedBytes + bytes });
    return {
      nextSequenceToken: sequenceToken(updated.uploads),
      ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}),
    };
  },

  /**
   * Tokens mark a boundary between events: `f/K` pages forward from after key K, `b/K`
   * backward from before K. A page's `nextForwardToken` follows its last event and its
   * `nextBackwardToken` precedes its first; at the end of the stream the token passed in
   * comes back unchanged (API reference), so a reader polling with it sees new events as
   * they arrive. Without a token, `startFromHead` picks the end to start from (default:
   * the newest events).
   */
  async GetLogEvents(input: GetLogEventsCommandInput, ctx: ServiceContext): Promise<Out<GetLogEventsCommandOutput>> {
    const ref = groupRefOf(ctx, input);
    const group = await authorizeStream(ctx, 'logs:GetLogEvents', ref, input.logStreamName!);
    if (!group) throw groupNotFound();
    const token = input.nextToken !== undefined ? parseEventsToken(input.nextToken) : undefined;
    const stream = await findStream(ctx, ref, input.logStreamName!);
    if (!stream) throw streamNotFound();
    const limit = input.limit ?? MAX_EVENTS;
    // startTime is inclusive, endTime exclusive (API reference, GetLogEvents).
    const low = input.startTime !== undefined ? timeKey(input.startTime) : MIN_KEY;
    const high = input.endTime !== undefined ? timeKey(input.endTime) : MAX_KEY;
    const forward = token ? token.direction === 'f' : input.startFromHead === true;
    let events: StoredEvent[];
    let empty: { nextForwardToken: string; nextBackwardToken: string };
    if (forward) {
      const after = token && token.key > low ? token.key : low;
      events = withinResponseSize(await readForward(ctx.tx, ctx.caller.account, stream.chunks, after, high, limit), false);
      empty = token ? { nextForwardToken: input.nextToken!, nextBackwardToken: formatToken('b', shiftKey(token.key, 1)) } : { nextForwardToken: formatToken('f', low), nextBackwardToken: formatToken('b', high) };
    } else {
      const before = token && token.key < high ? token.key : high;
      events = withinResponseSize(await readBackward(ctx.tx, ctx.caller.account, stream.chunks, before, low, limit), true);
      empty = token ? { nextForwardToken: formatToken('f', shiftKey(token.key, -1)), nextBackwardToken: input.nextToken! } : { nextForwardToken: formatToken('f', low), nextBackwardToken: formatToken('b', high) };
    }
    if (events.length === 0) return { events: [], ...empty };
    return {
      events: events.map(([, timestamp, ingestionTime, message]) => ({ timestamp, message, ingestionTime })),
      nextForwardToken: formatToken('f', events[events.length - 1]![0]),
      nextBackwardToken: formatToken('b', events[0]![0]),
    };
  },

  /**
   * Events of the group's streams (or the named ones, or those with the prefix) in time
   * order across streams, matching the filter pattern. `nextToken` marks the last event
   * returned; it is absent on the last page. `searchedLogStreams` is always empty: "As of
   * May 15, 2020, this parameter is no longer supported" (API reference).
   */
  async FilterLogEvents(input: FilterLogEventsCommandInput, ctx: ServiceContext): Promise<Out<FilterLogEventsCommandOutput>> {
    const ref = groupRefOf(ctx, input);
    const group = await authorizeGroup(ctx, 'logs:FilterLogEvents', ref);
    // "If you specify both, the action returns an InvalidParameterException error" (API reference); the wording is Gatehouse's.
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const matches = parseFilterPattern(input.filterPattern ?? '');
    if (!group) throw groupNotFound();
    let after = input.startTime !== undefined ? timeKey(input.startTime) : MIN_KEY;
    if (input.nextToken !== undefined) {
      const [key] = readToken(input.nextToken);
      if (typeof key !== 'string' || !/^\d+$/.test(key) || key.length !== MAX_KEY.length) throw invalidToken();
      if (key > after) after = key;
    }
    // endTime is inclusive here: "Events with a timestamp later than this time are not returned."
    const before = input.endTime !== undefined ? timeKey(input.endTime + 1) : MAX_KEY;
    const limit = input.limit ?? MAX_EVENTS;
    const names = input.logStreamNames ? new Set(input.logStreamNames) : undefined;
    const streams = (await ctx.tx.list<StreamRecord>(ctx.caller.account, KIND.stream, { parent: groupId(group.region, group.logGroupName) }))
      .filter((s) => !names || names.has(s.logStreamName))
      .filter((s) => input.logStreamNamePrefix === undefined || s.logStreamName.startsWith(input.logStreamNamePrefix));
    const found: { stream: string; event: StoredEvent }[] = [];
    for (const s of streams) {
      const events = await readForward(ctx.tx, ctx.caller.account, s.chunks, after, before, limit + 1, (e) => matches(e[3]));
      for (const event of events) found.push({ stream: s.logStreamName, event });
    }
    found.sort((a, b) => compareStrings(a.event[0], b.event[0]));
    const page = withinResponseSize(found.slice(0, limit).map((f) => f.event), false);
    const more = found.length > page.length;
    return {
      events: found.slice(0, page.length).map(({ stream, event: [key, timestamp, ingestionTime, message] }) => ({
        logStreamName: stream,
        timestamp,
        message,
        ingestionTime,
        eventId: key.padStart(56, '0'),
      })),
      searchedLogStreams: [],
      ...(more ? { nextToken: issueToken([page[page.length - 1]![0]]) } : {}),
    };
  },
};
