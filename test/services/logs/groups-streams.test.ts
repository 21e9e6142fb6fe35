/**
 * CloudWatch Logs groups and streams through the AWS CLI v2, the SDK and boto3: the
 * lifecycle, what DescribeLogGroups / DescribeLogStreams report, prefixes, patterns,
 * ordering and paging, and AWS's errors for names, duplicates and missing resources.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { ACCOUNT, boto3, startServer, type Running } from '../../helpers/server.js';
import { cli, cliError, logsClient, rejects } from './helpers.js';

interface CliGroup {
  logGroupName: string;
  creationTime: number;
  arn: string;
  storedBytes: number;
  metricFilterCount: number;
  retentionInDays?: number;
}

describe('CloudWatch Logs: log groups and streams', () => {
  let server: Running;
  let logs: CloudWatchLogsClient;
  before(async () => {
    server = await startServer();
    logs = logsClient(server.endpoint);
  });
  after(async () => server.close());

  it('creates, describes and deletes a log group with the CLI, with AWS\'s values and errors', async () => {
    const before = Date.now();
    await cli(server.endpoint, ['logs', 'create-log-group', '--log-group-name', '/vpn/connections']);
    const out = await cli<{ logGroups: CliGroup[] }>(server.endpoint, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/vpn/']);
    assert.equal(out.logGroups.length, 1);
    const g = out.logGroups[0]!;
    assert.equal(g.logGroupName, '/vpn/connections');
    assert.equal(g.arn, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/vpn/connections:*`);
    assert.equal(g.storedBytes, 0);
    assert.equal(g.metricFilterCount, 0);
    assert.equal(g.retentionInDays, undefined);
    assert.ok(g.creationTime >= before - 1000 && g.creationTime <= Date.now() + 1000, `${g.creationTime}`);
    assert.equal(
      await cliError(server.endpoint, ['logs', 'create-log-group', '--log-group-name', '/vpn/connections']),
      'An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation: The specified log group already exists',
    );
    await cli(server.endpoint, ['logs', 'delete-log-group', '--log-group-name', '/vpn/connections']);
    assert.equal(
      await cliError(server.endpoint, ['logs', 'delete-log-group', '--log-group-name', '/vpn/connections']),
      'An error occurred (ResourceNotFoundException) when calling the DeleteLogGroup operation: The specified log group does not exist.',
    );
  });

  it('the SDK sees both ARN forms and the log group class', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'sdk-group', logGroupClass: 'INFREQUENT_ACCESS' }));
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'sdk-' }));
    assert.deepEqual(
      out.logGroups!.map((g) => [g.logGroupName, g.arn, g.logGroupArn, g.logGroupClass]),
      [['sdk-group', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:sdk-group:*`, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:sdk-group`, 'INFREQUENT_ACCESS']],
    );
    const byClass = await logs.send(new DescribeLogGroupsCommand({ logGroupClass: 'INFREQUENT_ACCESS' }));
    assert.deepEqual(byClass.logGroups!.map((g) => g.logGroupName), ['sdk-group']);
  });

  it('log group names are case-sensitive, ASCII-sorted, and regional', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'Case' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'case' }));
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'ase' }));
    assert.deepEqual(out.logGroups!.map((g) => g.logGroupName), ['Case', 'case']);
    // With logGroupNamePattern only arn, creationTime and logGroupName come back.
    assert.deepEqual(Object.keys(out.logGroups![0]!).sort(), ['arn', 'creationTime', 'logGroupName']);
    const west = logsClient(server.endpoint, undefined, 'eu-west-1');
    const other = await west.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'Case' }));
    assert.deepEqual(other.logGroups, []);
    await rejects(
      logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'a', logGroupNamePattern: 'b' })),
      'InvalidParameterException',
      'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
    );
  });

  it('pages DescribeLogGroups with limit and nextToken', async () => {
    for (let i = 0; i < 7; i++) await logs.send(new CreateLogGroupCommand({ logGroupName: `page/${i}` }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'page/', limit: 3, ...(token ? { nextToken: token } : {}) }));
      seen.push(...out.logGroups!.map((g) => g.logGroupName!));
      token = out.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['page/0', 'page/1', 'page/2', 'page/3', 'page/4', 'page/5', 'page/6']);
    // The CLI pages by itself.
    const all = await cli<{ logGroups: CliGroup[] }>(server.endpoint, ['logs', 'describe-log-groups', '--log-group-name-prefix', 'page/', '--page-size', '2']);
    assert.equal(all.logGroups.length, 7);
    await rejects(logs.send(new DescribeLogGroupsCommand({ nextToken: 'made-up' })), 'InvalidParameterException', 'The specified nextToken is invalid.');
  });

  it('refuses invalid and reserved names with InvalidParameterException', async () => {
    await rejects(
      logs.send(new CreateLogGroupCommand({ logGroupName: 'bad:name' })),
      'InvalidParameterException',
      "1 validation error detected: Value 'bad:name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
    await rejects(
      logs.send(new CreateLogGroupCommand({ logGroupName: 'x'.repeat(513) })),
      'InvalidParameterException',
      /^1 validation error detected: Value 'x+' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512$/,
    );
    await rejects(logs.send(new CreateLogGroupCommand({ logGroupName: 'aws/mine' })), 'InvalidParameterException', 'Log groups starting with AWS/ are reserved for AWS.');
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'names' }));
    await rejects(
      logs.send(new CreateLogStreamCommand({ logGroupName: 'names', logStreamName: 'a:b' })),
      'InvalidParameterException',
      "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*",
    );
  });

  it('creates, describes and deletes log streams; a missing group or stream is ResourceNotFoundException', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'streams' }));
    for (const s of ['b', 'a', 'c/1', 'c/2']) await logs.send(new CreateLogStreamCommand({ logGroupName: 'streams', logStreamName: s }));
    const all = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams' }));
    assert.deepEqual(all.logStreams!.map((s) => s.logStreamName), ['a', 'b', 'c/1', 'c/2']);
    const a = all.logStreams![0]!;
    assert.equal(a.arn, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:streams:log-stream:a`);
    assert.equal(a.storedBytes, 0);
    assert.equal(a.firstEventTimestamp, undefined);
    assert.equal(a.uploadSequenceToken, undefined);
    const prefixed = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams', logStreamNamePrefix: 'c/', descending: true }));
    assert.deepEqual(prefixed.logStreams!.map((s) => s.logStreamName), ['c/2', 'c/1']);
    // logGroupIdentifier takes the name or the ARN without `:*` (the model's pattern refuses `*`).
    for (const id of ['streams', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:streams`]) {
      const out = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: id, limit: 1 }));
      assert.deepEqual(out.logStreams!.map((s) => s.logStreamName), ['a'], id);
    }
    await rejects(logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:streams:*` })), 'InvalidParameterException', /at 'logGroupIdentifier' failed to satisfy constraint/);
    await rejects(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams', logGroupIdentifier: 'streams' })),
      'ValidationException',
      'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
    );
    await rejects(logs.send(new CreateLogStreamCommand({ logGroupName: 'streams', logStreamName: 'a' })), 'ResourceAlreadyExistsException', 'The specified log stream already exists');
    await rejects(logs.send(new CreateLogStreamCommand({ logGroupName: 'nope', logStreamName: 'a' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    await rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    await rejects(logs.send(new DeleteLogStreamCommand({ logGroupName: 'streams', logStreamName: 'zzz' })), 'ResourceNotFoundException', 'The specified log stream does not exist.');
    await logs.send(new DeleteLogStreamCommand({ logGroupName: 'streams', logStreamName: 'b' }));
    const left = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams' }));
    assert.deepEqual(left.logStreams!.map((s) => s.logStreamName), ['a', 'c/1', 'c/2']);
  });

  it('orders streams by last event time, either way, and pages them', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'ordered' }));
    const now = Date.now();
    const offsets: Record<string, number> = { s1: -3000, s2: -1000, s3: -2000, s4: -4000, s5: -500 };
    for (const [name, offset] of Object.entries(offsets)) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'ordered', logStreamName: name }));
      await logs.send(new PutLogEventsCommand({ logGroupName: 'ordered', logStreamName: name, logEvents: [{ timestamp: now + offset, message: name }] }));
    }
    const newest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordered', orderBy: 'LastEventTime', descending: true }));
    assert.deepEqual(newest.logStreams!.map((s) => s.logStreamName), ['s5', 's2', 's3', 's1', 's4']);
    assert.deepEqual(newest.logStreams!.map((s) => s.lastEventTimestamp), [now - 500, now - 1000, now - 2000, now - 3000, now - 4000]);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordered', orderBy: 'LastEventTime', limit: 2, ...(token ? { nextToken: token } : {}) }));
      seen.push(...out.logStreams!.map((s) => s.logStreamName!));
      token = out.nextToken;
    } while (token);
    assert.deepEqual(seen, ['s4', 's1', 's3', 's2', 's5']);
    await rejects(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordered', orderBy: 'LastEventTime', logStreamNamePrefix: 's' })),
      'InvalidParameterException',
      'Cannot order by LastEventTime with a logStreamNamePrefix.',
    );
  });

  it('deleting a group deletes its streams and events', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'doomed' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: 'doomed', logStreamName: 's' }));
    await logs.send(new PutLogEventsCommand({ logGroupName: 'doomed', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'bye' }] }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: 'doomed' }));
    const store = server.gatehouse.store;
    assert.equal(await store.count(ACCOUNT, 'logs:log-stream', { parent: 'us-east-1:doomed' }), 0);
    assert.equal(await store.count(ACCOUNT, 'logs:event-chunk', { parent: 'us-east-1:doomed:s' }), 0);
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'doomed' }));
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'doomed' }));
    assert.deepEqual(streams.logStreams, []);
  });

  it('deletion protection refuses DeleteLogGroup with ValidationException', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'protected', deletionProtectionEnabled: true }));
    await rejects(logs.send(new DeleteLogGroupCommand({ logGroupName: 'protected' })), 'ValidationException', 'Cannot delete log group with deletion protection enabled. Disable deletion protection first.');
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'protected' }));
    assert.equal(out.logGroups![0]!.deletionProtectionEnabled, true);
  });

  it('boto3 reads the same values', async () => {
    const out = await boto3(
      server.endpoint,
      [
        "l = client('logs')",
        "l.create_log_group(logGroupName='boto', tags={'team': 'net'})",
        "l.create_log_stream(logGroupName='boto', logStreamName='s')",
        "import time\nnow = int(time.time() * 1000)",
        "l.put_log_events(logGroupName='boto', logStreamName='s', logEvents=[{'timestamp': now, 'message': 'héllo'}])",
        "g = l.describe_log_groups(logGroupNamePrefix='boto')['logGroups'][0]",
        "s = l.describe_log_streams(logGroupName='boto')['logStreams'][0]",
        "e = l.get_log_events(logGroupName='boto', logStreamName='s', startFromHead=True)['events']",
        "print(json.dumps([g['logGroupName'], g['storedBytes'], g['arn'].endswith(':log-group:boto:*'), s['logStreamName'], s['firstEventTimestamp'] == now, [x['message'] for x in e], l.list_tags_log_group(logGroupName='boto')['tags']]))",
      ].join('\n'),
    );
    assert.deepEqual(JSON.parse(out), ['boto', 6, true, 's', true, ['héllo'], { team: 'net' }]);
  });
});
