/**
 * Conformance, output half, for CloudWatch Logs: every implemented operation called
 * through the AWS SDK v3, its output checked against the model (required members, types,
 * enums) and its values compared; a coverage test fails if an implemented operation is
 * missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ACCOUNT, clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

describe('Conformance: CloudWatch Logs outputs match the model', () => {
  let server: Running;
  let logs: CloudWatchLogsClient;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('logs', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startServer();
    logs = new CloudWatchLogsClient(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('log group, stream and event lifecycle', async () => {
    const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:conf`;
    check('CreateLogGroup', await logs.send(new CreateLogGroupCommand({ logGroupName: 'conf', tags: { env: 'test' } })));
    check('PutRetentionPolicy', await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'conf', retentionInDays: 14 })));
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'conf' }));
    check('DescribeLogGroups', groups);
    assert.deepEqual(groups.logGroups!.map((g) => [g.logGroupName, g.retentionInDays, g.arn, g.logGroupArn, g.storedBytes, g.metricFilterCount, g.logGroupClass]), [
      ['conf', 14, `${arn}:*`, arn, 0, 0, 'STANDARD'],
    ]);
    check('DeleteRetentionPolicy', await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'conf' })));

    check('CreateLogStream', await logs.send(new CreateLogStreamCommand({ logGroupName: 'conf', logStreamName: 's' })));
    const now = Date.now();
    const put = await logs.send(new PutLogEventsCommand({ logGroupName: 'conf', logStreamName: 's', logEvents: [{ timestamp: now - 20 * 86_400_000, message: 'old' }, { timestamp: now - 10, message: 'a' }, { timestamp: now, message: '{"k":1}' }] }));
    check('PutLogEvents', put);
    assert.deepEqual(put.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'conf' }));
    check('DescribeLogStreams', streams);
    assert.deepEqual(streams.logStreams!.map((s) => [s.logStreamName, s.firstEventTimestamp, s.lastEventTimestamp, s.arn]), [['s', now - 10, now, `${arn}:log-stream:s`]]);
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: 'conf', logStreamName: 's', startFromHead: true }));
    check('GetLogEvents', got);
    assert.deepEqual(got.events!.map((e) => e.message), ['a', '{"k":1}']);
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: 'conf', filterPattern: '{ $.k = 1 }' }));
    check('FilterLogEvents', filtered);
    assert.deepEqual(filtered.events!.map((e) => [e.logStreamName, e.message]), [['s', '{"k":1}']]);

    check('TagLogGroup', await logs.send(new TagLogGroupCommand({ logGroupName: 'conf', tags: { team: 'vpn' } })));
    check('UntagLogGroup', await logs.send(new UntagLogGroupCommand({ logGroupName: 'conf', tags: ['env'] })));
    const listed = await logs.send(new ListTagsLogGroupCommand({ logGroupName: 'conf' }));
    check('ListTagsLogGroup', listed);
    assert.deepEqual(listed.tags, { team: 'vpn' });
    check('TagResource', await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'net' } })));
    check('UntagResource', await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] })));
    const forResource = await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    check('ListTagsForResource', forResource);
    assert.deepEqual(forResource.tags, { owner: 'net' });

    check('DeleteLogStream', await logs.send(new DeleteLogStreamCommand({ logGroupName: 'conf', logStreamName: 's' })));
    check('DeleteLogGroup', await logs.send(new DeleteLogGroupCommand({ logGroupName: 'conf' })));
    assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'conf' }))).logGroups, []);
  });

  it('covers every implemented CloudWatch Logs operation', () => {
    const implemented = server.gatehouse.implementedOperations().logs ?? [];
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
