/**
 * CloudWatch Logs events: PutLogEvents' checks and rejected-event report, what streams
 * and groups record of it, GetLogEvents' forward and backward tokens (the same token at
 * the end), time ranges, and FilterLogEvents across streams with filter patterns and
 * paging; through the SDK and the AWS CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  type FilterLogEventsCommandOutput,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { startServer, type Running } from '../../helpers/server.js';
import { cli, cliError, logsClient, rejects } from './helpers.js';

const DAY = 86_400_000;

describe('CloudWatch Logs: events', () => {
  let server: Running;
  let logs: CloudWatchLogsClient;
  const base = Date.now() - 3_600_000; // an hour ago: inside every accepted window
  const put = (group: string, stream: string, events: { timestamp: number; message: string }[], extra: object = {}) =>
    logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events, ...extra }));
  const stream = async (group: string, name: string): Promise<void> => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
  };

  before(async () => {
    server = await startServer();
    logs = logsClient(server.endpoint);
    for (const g of ['events', 'paging', 'filter', 'rejects']) await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
  });
  after(async () => server.close());

  it('PutLogEvents stores events and updates the stream and the group; the sequence token is ignored', async () => {
    await stream('events', 'app');
    const first = await put('events', 'app', [
      { timestamp: base, message: 'one' },
      { timestamp: base + 10, message: 'twö' },
    ]);
    assert.match(first.nextSequenceToken!, /^\d{56}$/);
    assert.equal(first.rejectedLogEventsInfo, undefined);
    // A stale or made-up sequence token is accepted, as AWS accepts it since 2023.
    const second = await put('events', 'app', [{ timestamp: base - 50, message: 'earlier, in a later batch' }], { sequenceToken: '49039859613988223' });
    assert.notEqual(second.nextSequenceToken, first.nextSequenceToken);
    const s = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'events' }))).logStreams![0]!;
    assert.equal(s.firstEventTimestamp, base - 50);
    assert.equal(s.lastEventTimestamp, base + 10);
    assert.ok(s.lastIngestionTime! >= base && s.lastIngestionTime! <= Date.now());
    assert.equal(s.uploadSequenceToken, second.nextSequenceToken);
    const g = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'events' }))).logGroups![0]!;
    assert.equal(g.storedBytes, 3 + 4 + 25); // UTF-8 bytes of the messages
    // Events come back in time order, whatever order the batches came in.
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'app', startFromHead: true }));
    assert.deepEqual(got.events!.map((e) => [e.timestamp, e.message]), [[base - 50, 'earlier, in a later batch'], [base, 'one'], [base + 10, 'twö']]);
    assert.ok(got.events!.every((e) => typeof e.ingestionTime === 'number' && e.ingestionTime >= base));
  });

  it('PutLogEvents refuses events out of order, oversized events and batches, and missing streams', async () => {
    await stream('events', 'checks');
    await rejects(
      put('events', 'checks', [{ timestamp: base + 1, message: 'b' }, { timestamp: base, message: 'a' }]),
      'InvalidParameterException',
      'Log events in a single PutLogEvents request must be in chronological order.',
    );
    await rejects(put('events', 'checks', [{ timestamp: base, message: 'x'.repeat(1_048_576) }]), 'InvalidParameterException', 'Log event too large: 1048602 bytes exceeds limit of 1048576');
    await rejects(
      put('events', 'checks', [{ timestamp: base, message: 'x'.repeat(600_000) }, { timestamp: base, message: 'y'.repeat(600_000) }]),
      'InvalidParameterException',
      'Upload too large: 1200052 bytes exceeds limit of 1048576',
    );
    await rejects(put('events', 'nope', [{ timestamp: base, message: 'a' }]), 'ResourceNotFoundException', 'The specified log stream does not exist.');
    await rejects(put('no-such-group', 'checks', [{ timestamp: base, message: 'a' }]), 'ResourceNotFoundException', 'The specified log group does not exist.');
    await rejects(
      logs.send(new PutLogEventsCommand({ logGroupName: 'events', logStreamName: 'checks', logEvents: [] })),
      'InvalidParameterException',
      "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const left = await logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'checks' }));
    assert.deepEqual(left.events, []);
  });

  it('events too old, too new or past retention are left out and reported in rejectedLogEventsInfo', async () => {
    await stream('rejects', 's');
    const now = Date.now();
    const out = await put('rejects', 's', [
      { timestamp: now - 20 * DAY, message: 'too old 0' },
      { timestamp: now - 15 * DAY, message: 'too old 1' },
      { timestamp: now - 2 * DAY, message: 'kept 2' },
      { timestamp: now, message: 'kept 3' },
      { timestamp: now + 3 * 3_600_000, message: 'too new 4' },
    ]);
    assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'rejects', retentionInDays: 1 }));
    const expired = await put('rejects', 's', [
      { timestamp: now - 3 * DAY, message: 'expired 0' },
      { timestamp: now - 1000, message: 'kept 1' },
    ]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    const all = await logs.send(new GetLogEventsCommand({ logGroupName: 'rejects', logStreamName: 's', startFromHead: true }));
    assert.deepEqual(all.events!.map((e) => e.message), ['kept 2', 'kept 1', 'kept 3']);
    // Nothing accepted: the call still succeeds.
    const none = await put('rejects', 's', [{ timestamp: now + DAY, message: 'too new 0' }]);
    assert.deepEqual(none.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 0 });
  });

  it('GetLogEvents pages forward and backward with f/ and b/ tokens, and returns the same token at the end', async () => {
    await stream('paging', 'p');
    // 25 events, in three batches so that they span several chunks' worth of calls.
    const all = Array.from({ length: 25 }, (_, i) => ({ timestamp: base + i * 1000, message: `event ${i}` }));
    await put('paging', 'p', all.slice(0, 10));
    await put('paging', 'p', all.slice(10, 20));
    await put('paging', 'p', all.slice(20));
    const get = (extra: object) => logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'p', limit: 10, ...extra }));
    const msgs = (r: { events?: { message?: string }[] }): string[] => r.events!.map((e) => e.message!);

    const p1 = await get({ startFromHead: true });
    assert.deepEqual(msgs(p1), all.slice(0, 10).map((e) => e.message));
    assert.match(p1.nextForwardToken!, /^f\/\d{56}\/s$/);
    assert.match(p1.nextBackwardToken!, /^b\/\d{56}\/s$/);
    const p2 = await get({ nextToken: p1.nextForwardToken, startFromHead: true });
    assert.deepEqual(msgs(p2), all.slice(10, 20).map((e) => e.message));
    const p3 = await get({ nextToken: p2.nextForwardToken, startFromHead: true });
    assert.deepEqual(msgs(p3), all.slice(20).map((e) => e.message));
    const end = await get({ nextToken: p3.nextForwardToken, startFromHead: true });
    assert.deepEqual(end.events, []);
    assert.equal(end.nextForwardToken, p3.nextForwardToken, 'the same token at the end of the stream');
    // Backward from the end token covers the last page again.
    const back = await get({ nextToken: end.nextBackwardToken });
    assert.deepEqual(msgs(back), all.slice(15).map((e) => e.message));
    // Back from page 3's start: page 2.
    const back2 = await get({ nextToken: p3.nextBackwardToken });
    assert.deepEqual(msgs(back2), all.slice(10, 20).map((e) => e.message));

    // Default (startFromHead false): the newest events, then backward to the start.
    const tail = await get({});
    assert.deepEqual(msgs(tail), all.slice(15).map((e) => e.message));
    const older = await get({ nextToken: tail.nextBackwardToken });
    assert.deepEqual(msgs(older), all.slice(5, 15).map((e) => e.message));
    const oldest = await get({ nextToken: older.nextBackwardToken });
    assert.deepEqual(msgs(oldest), all.slice(0, 5).map((e) => e.message));
    const start = await get({ nextToken: oldest.nextBackwardToken });
    assert.deepEqual(start.events, []);
    assert.equal(start.nextBackwardToken, oldest.nextBackwardToken, 'the same token at the start of the stream');

    // Tailing: the forward token at the end sees events that arrive later.
    await put('paging', 'p', [{ timestamp: base + 30_000, message: 'late' }]);
    const late = await get({ nextToken: end.nextForwardToken, startFromHead: true });
    assert.deepEqual(msgs(late), ['late']);
  });

  it('GetLogEvents honours startTime (inclusive) and endTime (exclusive), and refuses made-up tokens', async () => {
    const r = await logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'p', startTime: base + 3000, endTime: base + 6000, startFromHead: true }));
    assert.deepEqual(r.events!.map((e) => e.message), ['event 3', 'event 4', 'event 5']);
    const empty = await logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'p', startTime: base + 100_000 }));
    assert.deepEqual(empty.events, []);
    assert.ok(empty.nextForwardToken && empty.nextBackwardToken);
    await rejects(logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'p', nextToken: 'x/123' })), 'InvalidParameterException', 'The specified nextToken is invalid.');
    await rejects(logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'zz' })), 'ResourceNotFoundException', 'The specified log stream does not exist.');
  });

  it('the CLI reads events with get-log-events', async () => {
    const out = await cli<{ events: { message: string }[]; nextForwardToken: string }>(server.endpoint, ['logs', 'get-log-events', '--log-group-name', 'paging', '--log-stream-name', 'p', '--start-from-head', '--limit', '3']);
    assert.deepEqual(out.events.map((e) => e.message), ['event 0', 'event 1', 'event 2']);
    assert.match(out.nextForwardToken, /^f\//);
  });

  it('FilterLogEvents merges streams in time order, with filter patterns, stream selection and paging', async () => {
    await stream('filter', 'web-1');
    await stream('filter', 'web-2');
    await stream('filter', 'db');
    await put('filter', 'web-1', [
      { timestamp: base + 1, message: 'GET /index 200' },
      { timestamp: base + 4, message: 'GET /admin 403 ERROR' },
      { timestamp: base + 6, message: JSON.stringify({ status: 500, path: '/api', level: 'error' }) },
    ]);
    await put('filter', 'web-2', [
      { timestamp: base + 2, message: 'POST /login 200' },
      { timestamp: base + 5, message: 'POST /login 500 ERROR timeout' },
      { timestamp: base + 7, message: JSON.stringify({ status: 200, path: '/api', level: 'info' }) },
    ]);
    await put('filter', 'db', [{ timestamp: base + 3, message: 'query slow WARN' }]);
    const filter = async (extra: object): Promise<FilteredLogEvent[]> => (await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', ...extra }))).events!;
    const text = (events: FilteredLogEvent[]): string[] => events.map((e) => `${e.logStreamName}: ${e.message}`);

    const everything = await filter({});
    assert.deepEqual(everything.map((e) => e.timestamp), [1, 2, 3, 4, 5, 6, 7].map((d) => base + d));
    assert.ok(everything.every((e) => /^\d{56}$/.test(e.eventId!) && e.ingestionTime! >= base));
    assert.equal(new Set(everything.map((e) => e.eventId)).size, 7);
    assert.deepEqual(text(await filter({ filterPattern: 'ERROR' })), ['web-1: GET /admin 403 ERROR', 'web-2: POST /login 500 ERROR timeout']);
    assert.deepEqual(text(await filter({ filterPattern: '?WARN ?timeout' })), ['db: query slow WARN', 'web-2: POST /login 500 ERROR timeout']);
    assert.deepEqual(text(await filter({ filterPattern: '"POST /login" -ERROR' })), ['web-2: POST /login 200']);
    assert.deepEqual(text(await filter({ filterPattern: '{ $.status >= 500 && $.path = "/api" }' })), [`web-1: ${JSON.stringify({ status: 500, path: '/api', level: 'error' })}`]);
    assert.deepEqual(text(await filter({ filterPattern: '{ $.level = "info" || $.level = "error" }' })).length, 2);
    assert.deepEqual(text(await filter({ logStreamNamePrefix: 'web-', filterPattern: '200' })), ['web-1: GET /index 200', 'web-2: POST /login 200', `web-2: ${JSON.stringify({ status: 200, path: '/api', level: 'info' })}`]);
    assert.deepEqual(text(await filter({ logStreamNames: ['db', 'web-1'], startTime: base + 3, endTime: base + 4 })), ['db: query slow WARN', 'web-1: GET /admin 403 ERROR']);
    const res = await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', limit: 100 }));
    assert.deepEqual(res.searchedLogStreams, []);
    assert.equal(res.nextToken, undefined);

    // Paging: three pages of 3, 3 and 1, the last without a token.
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', limit: 3, ...(token ? { nextToken: token } : {}) }));
      pages.push(r.events!.map((e) => e.timestamp! - base));
      token = r.nextToken;
    } while (token);
    assert.deepEqual(pages, [[1, 2, 3], [4, 5, 6], [7]]);

    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', filterPattern: '[ip, user]' })), 'InvalidParameterException', 'Invalid filter pattern: space-delimited patterns are not supported');
    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', filterPattern: '{ $.a = ' })), 'InvalidParameterException', /^Invalid filter pattern/);
    await rejects(
      logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', logStreamNames: ['db'], logStreamNamePrefix: 'web' })),
      'InvalidParameterException',
      'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.',
    );
    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', nextToken: 'bogus' })), 'InvalidParameterException', 'The specified nextToken is invalid.');
  });

  it('the CLI pages filter-log-events to the end by itself', async () => {
    const out = await cli<{ events: { logStreamName: string; message: string }[] }>(server.endpoint, ['logs', 'filter-log-events', '--log-group-name', 'filter', '--filter-pattern', '?ERROR ?WARN', '--page-size', '1']);
    assert.deepEqual(out.events.map((e) => e.logStreamName), ['db', 'web-1', 'web-2']);
    assert.match(await cliError(server.endpoint, ['logs', 'filter-log-events', '--log-group-name', 'filter', '--filter-pattern', '%ERR%']), /InvalidParameterException.*regular expressions are not supported/);
  });

  it('batches that go back in time (overlapping chunks) still page in time order, both ways', async () => {
    await stream('paging', 'jumbled');
    // 40 batches of 30 events at pseudo-random times within an hour, each batch in order.
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const expected: { timestamp: number; message: string }[] = [];
    for (let b = 0; b < 40; b++) {
      const batch = Array.from({ length: 30 }, () => Math.floor(rand() * 3_600_000)).sort((x, y) => x - y).map((t, i) => ({ timestamp: base + t, message: `b${b}-${i}` }));
      await put('paging', 'jumbled', batch);
      expected.push(...batch);
    }
    // Same timestamp: the event written first comes first.
    const order = expected.map((e, i) => ({ ...e, i })).sort((x, y) => x.timestamp - y.timestamp || x.i - y.i).map((e) => e.message);
    const forward: string[] = [];
    let token: string | undefined;
    for (;;) {
      const r: GetLogEventsCommandOutput = await logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'jumbled', startFromHead: true, limit: 77, ...(token ? { nextToken: token } : {}) }));
      if (r.events!.length === 0) break;
      forward.push(...r.events!.map((e) => e.message!));
      token = r.nextForwardToken;
    }
    assert.deepEqual(forward, order);
    const backward: string[] = [];
    token = undefined;
    for (;;) {
      const r: GetLogEventsCommandOutput = await logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 'jumbled', limit: 53, ...(token ? { nextToken: token } : {}) }));
      if (r.events!.length === 0) break;
      backward.unshift(...r.events!.map((e) => e.message!));
      token = r.nextBackwardToken;
    }
    assert.deepEqual(backward, order);
    const filtered: string[] = [];
    let next: string | undefined;
    do {
      const r: FilterLogEventsCommandOutput = await logs.send(new FilterLogEventsCommand({ logGroupName: 'paging', logStreamNames: ['jumbled'], filterPattern: '-1', limit: 101, ...(next ? { nextToken: next } : {}) }));
      filtered.push(...r.events!.map((e) => e.message!));
      next = r.nextToken;
    } while (next);
    assert.deepEqual(filtered, order.filter((m) => !m.includes('1')));
  });

  it('a thousand-event batch and a stream written a few events at a time page the same', async () => {
    await stream('paging', 'bulk');
    await stream('paging', 'drip');
    const events = Array.from({ length: 2500 }, (_, i) => ({ timestamp: base + i, message: `m${i}` }));
    await put('paging', 'bulk', events.slice(0, 1000));
    await put('paging', 'bulk', events.slice(1000, 2000));
    await put('paging', 'bulk', events.slice(2000));
    for (let i = 0; i < 2500; i += 250) await put('paging', 'drip', events.slice(i, i + 250));
    for (const s of ['bulk', 'drip']) {
      const seen: string[] = [];
      let token: string | undefined;
      for (;;) {
        const r = await logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: s, startFromHead: true, limit: 700, ...(token ? { nextToken: token } : {}) }));
        if (r.events!.length === 0) break;
        seen.push(...r.events!.map((e) => e.message!));
        token = r.nextForwardToken;
      }
      assert.deepEqual(seen, events.map((e) => e.message), s);
      const tail = await logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: s, limit: 3 }));
      assert.deepEqual(tail.events!.map((e) => e.message), ['m2497', 'm2498', 'm2499']);
    }
    // The drip stream fills its chunks instead of adding one per call.
    const chunks = await server.gatehouse.store.count('000000000000', 'logs:event-chunk', { parent: 'us-east-1:paging:drip' });
    assert.equal(chunks, 3);
  });
});
