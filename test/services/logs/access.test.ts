/**
 * CloudWatch Logs and IAM: AccessDeniedException (HTTP 400) with AWS's message and the
 * resources AWS authorizes on (`log-group:NAME:log-stream:` for group actions, the empty
 * group for DescribeLogGroups, the plain group ARN for TagResource), tag condition keys,
 * CreateLogGroup with tags needing logs:TagResource; tags through both APIs; retention
 * values; CloudTrail; and the call path another service uses (a role session writing
 * through `ctx.asServiceRole`), as Client VPN will for its connection log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, policyDoc, userWithKey } from '../iam/helpers.js';
import { cli, cliError, logsClient, rejects } from './helpers.js';
import type { ServiceContext, ServiceDefinition } from '../../../src/services/types.js';

const GROUP_ARN = (name: string): string => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${name}`;

/**
 * A stand-in for Client VPN: its operation writes a connection-log event as a role of its
 * own, through the normal call path (DescribeLogGroups, CreateLogStream, PutLogEvents).
 */
const vpn = (roleArn: string, roleId: string): ServiceDefinition => ({
  model: 'ec2',
  signingNames: ['ec2'],
  eventSource: 'ec2.amazonaws.com',
  handlers: {
    async CreateClientVpnEndpoint(_input: object, ctx: ServiceContext) {
      await ctx.authorize('ec2:CreateClientVpnEndpoint', `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/*`);
      const logs = ctx.asServiceRole({ account: ctx.caller.account, roleName: 'vpn-logger', roleId, arn: roleArn, serviceLinked: false }, 'clientvpn.amazonaws.com', 'ClientVPN');
      const groups = await logs.call<{ logGroups: { logGroupName: string }[] }>('logs', 'DescribeLogGroups', { logGroupNamePrefix: 'vpn-connections' });
      if (groups.logGroups.length !== 1) throw new Error('the connection log group is missing');
      await logs.call('logs', 'CreateLogStream', { logGroupName: 'vpn-connections', logStreamName: 'cvpn-endpoint-0123456789abcdef0-us-east-1' });
      await logs.call('logs', 'PutLogEvents', {
        logGroupName: 'vpn-connections',
        logStreamName: 'cvpn-endpoint-0123456789abcdef0-us-east-1',
        logEvents: [{ timestamp: ctx.now.getTime(), message: '{"connection-id":"cvpn-connection-0","connection-attempt-status":"successful"}' }],
      });
      const streams = await logs.call<{ logStreams: unknown[] }>('logs', 'DescribeLogStreams', { logGroupName: 'vpn-connections' });
      return { ClientVpnEndpointId: 'cvpn-endpoint-0123456789abcdef0', Status: { Code: `pending-associate:${streams.logStreams.length}` } };
    },
  },
});

describe('CloudWatch Logs: access control, tags, retention and CloudTrail', () => {
  let server: Running;
  let logs: CloudWatchLogsClient;
  let iam: IAMClient;
  let nobody: Keys;
  before(async () => {
    // The stand-in service is built before the role exists (it is created in its test, by
    // this name); the session's role id only appears in aws:userid and CloudTrail.
    server = await startServer({ extraServices: [vpn(`arn:aws:iam::${ACCOUNT}:role/vpn-logger`, 'AROAVPNLOGGER000000000')] });
    logs = logsClient(server.endpoint);
    iam = new IAMClient(clientConfig(server.endpoint));
    nobody = (await userWithKey(iam, server.endpoint, 'nologs')).keys;
  });
  after(async () => server.close());

  it('a user without logs permissions gets AccessDeniedException, HTTP 400, with AWS\'s message and resource', async () => {
    const denied = logsClient(server.endpoint, nobody);
    await rejects(
      denied.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/fn' })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/nologs is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/fn:log-stream: because no identity-based policy allows the logs:CreateLogGroup action`,
    );
    await rejects(
      denied.send(new DescribeLogGroupsCommand({})),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/nologs is not authorized to perform: logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:${ACCOUNT}:log-group::log-stream: because no identity-based policy allows the logs:DescribeLogGroups action`,
    );
    assert.equal(
      await cliError(server.endpoint, ['logs', 'put-log-events', '--log-group-name', 'g', '--log-stream-name', 's', '--log-events', 'timestamp=1,message=x'], nobody),
      `An error occurred (AccessDeniedException) when calling the PutLogEvents operation: User: arn:aws:iam::${ACCOUNT}:user/nologs is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g:log-stream:s because no identity-based policy allows the logs:PutLogEvents action`,
    );
    // Authorization comes before existence: the denial, not ResourceNotFoundException.
    await rejects(denied.send(new DescribeLogStreamsCommand({ logGroupName: 'missing' })), 'AccessDeniedException', /logs:DescribeLogStreams on resource: arn:aws:logs:us-east-1:000000000000:log-group:missing:log-stream: /);
  });

  it('a policy on log-group:NAME:* covers the group\'s actions and streams; log-group:NAME alone does not', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'app' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'other' }));
    const starred = await userWithKey(iam, server.endpoint, 'app-writer', policyDoc(allow(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'], `${GROUP_ARN('app')}:*`)));
    const w = logsClient(server.endpoint, starred.keys);
    await w.send(new CreateLogStreamCommand({ logGroupName: 'app', logStreamName: 'i-1' }));
    await w.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 'i-1', logEvents: [{ timestamp: Date.now(), message: 'hi' }] }));
    const streams = await w.send(new DescribeLogStreamsCommand({ logGroupName: 'app' }));
    assert.deepEqual(streams.logStreams!.map((s) => s.logStreamName), ['i-1']);
    await rejects(w.send(new CreateLogStreamCommand({ logGroupName: 'other', logStreamName: 'i-1' })), 'AccessDeniedException', /logs:CreateLogStream on resource: arn:aws:logs:us-east-1:000000000000:log-group:other:log-stream:i-1 /);

    const plain = await userWithKey(iam, server.endpoint, 'plain-arn', policyDoc(allow(['logs:DescribeLogStreams', 'logs:ListTagsForResource'], GROUP_ARN('app'))));
    const p = logsClient(server.endpoint, plain.keys);
    await rejects(p.send(new DescribeLogStreamsCommand({ logGroupName: 'app' })), 'AccessDeniedException', /log-group:app:log-stream: because no identity-based policy allows/);
    // ...but the tagging actions are authorized on exactly that ARN.
    const tags = await p.send(new ListTagsForResourceCommand({ resourceArn: GROUP_ARN('app') }));
    assert.deepEqual(tags.tags, {});
  });

  it('CreateLogGroup with tags also needs logs:TagResource, and sees aws:RequestTag / aws:TagKeys', async () => {
    const onlyCreate = await userWithKey(iam, server.endpoint, 'creator', policyDoc(allow('logs:CreateLogGroup', '*', { Condition: { StringEquals: { 'aws:RequestTag/team': 'vpn' } } })));
    const c = logsClient(server.endpoint, onlyCreate.keys);
    await rejects(
      c.send(new CreateLogGroupCommand({ logGroupName: 'tagged', tags: { team: 'vpn' } })),
      'AccessDeniedException',
      `User with accountId: ${ACCOUNT} is not authorized to perform CreateLogGroup with Tags. An additional permission "logs:TagResource" is required.`,
    );
    await rejects(c.send(new CreateLogGroupCommand({ logGroupName: 'tagged', tags: { team: 'db' } })), 'AccessDeniedException', /logs:CreateLogGroup on resource/);
    const both = await userWithKey(iam, server.endpoint, 'creator2', policyDoc(allow(['logs:CreateLogGroup', 'logs:TagResource'], '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } })));
    const b = logsClient(server.endpoint, both.keys);
    await b.send(new CreateLogGroupCommand({ logGroupName: 'tagged', tags: { team: 'vpn' } }));
    await rejects(b.send(new CreateLogGroupCommand({ logGroupName: 'tagged2', tags: { owner: 'me' } })), 'AccessDeniedException');
    const t = await logs.send(new ListTagsLogGroupCommand({ logGroupName: 'tagged' }));
    assert.deepEqual(t.tags, { team: 'vpn' });
  });

  it('aws:ResourceTag on the group governs its streams\' events', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'team-vpn', tags: { team: 'vpn' } }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'team-db', tags: { team: 'db' } }));
    for (const g of ['team-vpn', 'team-db']) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
      await logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: g }] }));
    }
    const reader = await userWithKey(iam, server.endpoint, 'vpn-reader', policyDoc(allow('logs:GetLogEvents', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': 'vpn' } } })));
    const r = logsClient(server.endpoint, reader.keys);
    const ok = await r.send(new GetLogEventsCommand({ logGroupName: 'team-vpn', logStreamName: 's' }));
    assert.deepEqual(ok.events!.map((e) => e.message), ['team-vpn']);
    await rejects(r.send(new GetLogEventsCommand({ logGroupName: 'team-db', logStreamName: 's' })), 'AccessDeniedException', /logs:GetLogEvents on resource: arn:aws:logs:us-east-1:000000000000:log-group:team-db:log-stream:s /);
  });

  it('tags through TagLogGroup and TagResource, with the 50-tag quota and missing groups', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'tags' }));
    await logs.send(new TagLogGroupCommand({ logGroupName: 'tags', tags: { a: '1', b: '2' } }));
    await logs.send(new TagResourceCommand({ resourceArn: GROUP_ARN('tags'), tags: { b: 'two', c: '3' } }));
    assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: GROUP_ARN('tags') }))).tags, { a: '1', b: 'two', c: '3' });
    await logs.send(new UntagLogGroupCommand({ logGroupName: 'tags', tags: ['a'] }));
    await logs.send(new UntagResourceCommand({ resourceArn: GROUP_ARN('tags'), tagKeys: ['c', 'never-there'] }));
    assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: 'tags' }))).tags, { b: 'two' });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await rejects(logs.send(new TagResourceCommand({ resourceArn: GROUP_ARN('tags'), tags: many })), 'TooManyTagsException', 'A resource can have no more than 50 tags.');
    await rejects(logs.send(new TagLogGroupCommand({ logGroupName: 'tags', tags: many })), 'InvalidParameterException', 'A resource can have no more than 50 tags.');
    await rejects(logs.send(new TagResourceCommand({ resourceArn: GROUP_ARN('nope'), tags: { a: '1' } })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    await rejects(logs.send(new ListTagsLogGroupCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    await rejects(logs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })), 'InvalidParameterException', 'Invalid resource ARN: arn:aws:s3:::bucket');
    // The CLI's tag-resource / list-tags-for-resource agree.
    await cli(server.endpoint, ['logs', 'tag-resource', '--resource-arn', GROUP_ARN('tags'), '--tags', 'env=prod']);
    const listed = await cli<{ tags: Record<string, string> }>(server.endpoint, ['logs', 'list-tags-for-resource', '--resource-arn', GROUP_ARN('tags')]);
    assert.deepEqual(listed.tags, { b: 'two', env: 'prod' });
  });

  it('retention: every documented value is accepted, others refused; DeleteRetentionPolicy removes it', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'kept' }));
    for (const days of [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]) {
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'kept', retentionInDays: days }));
    }
    await cli(server.endpoint, ['logs', 'put-retention-policy', '--log-group-name', 'kept', '--retention-in-days', '30']);
    const g = await cli<{ logGroups: { retentionInDays?: number }[] }>(server.endpoint, ['logs', 'describe-log-groups', '--log-group-name-prefix', 'kept']);
    assert.equal(g.logGroups[0]!.retentionInDays, 30);
    for (const days of [0, 2, 4, 3650, -1]) {
      await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: 'kept', retentionInDays: days })), 'InvalidParameterException', new RegExp(`^1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \\[1, 3, 5, 7, 14, 30,`));
    }
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'kept' }));
    const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'kept' }));
    assert.equal(after.logGroups![0]!.retentionInDays, undefined);
    await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: 'nope', retentionInDays: 7 })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  });

  it('another principal writes through the normal call path (a service\'s role, as Client VPN will)', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'clientvpn.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'vpn-logger', AssumeRolePolicyDocument: trust }));
    // The logs statement of Client VPN's service-linked role policy.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'vpn-logger', PolicyName: 'logs', PolicyDocument: policyDoc(allow(['logs:DescribeLogStreams', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups'], '*')) }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'vpn-connections' }));
    const out = await cli<{ Status: { Code: string } }>(server.endpoint, [
      'ec2', 'create-client-vpn-endpoint',
      '--client-cidr-block', '10.100.0.0/22',
      '--server-certificate-arn', `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`,
      '--authentication-options', `Type=certificate-authentication,MutualAuthentication={ClientRootCertificateChainArn=arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555}`,
      '--connection-log-options', 'Enabled=true,CloudwatchLogGroup=vpn-connections',
    ]);
    assert.equal(out.Status.Code, 'pending-associate:1');
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: 'vpn-connections', logStreamName: 'cvpn-endpoint-0123456789abcdef0-us-east-1' }));
    assert.deepEqual(events.events!.map((e) => JSON.parse(e.message!) as unknown), [{ 'connection-id': 'cvpn-connection-0', 'connection-attempt-status': 'successful' }]);
    // CloudTrail shows the writes as the role's session, invoked by the service.
    await server.gatehouse.trail.flush();
    const trail = new CloudTrailClient(clientConfig(server.endpoint));
    const put = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateLogStream' }] }));
    const ev = put.Events!.map((e) => JSON.parse(e.CloudTrailEvent!) as { eventSource: string; userIdentity: { arn: string; invokedBy?: string }; requestParameters: { logStreamName: string } }).find((e) => e.requestParameters.logStreamName.startsWith('cvpn-'));
    assert.ok(ev);
    assert.equal(ev.eventSource, 'logs.amazonaws.com');
    assert.equal(ev.userIdentity.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/vpn-logger/ClientVPN`);
    assert.equal(ev.userIdentity.invokedBy, 'clientvpn.amazonaws.com');
  });

  it('CloudTrail records logs calls and denials (errorCode AccessDenied)', async () => {
    await server.gatehouse.trail.flush();
    const trail = new CloudTrailClient(clientConfig(server.endpoint));
    type Event = { eventName: string; eventSource: string; errorCode?: string; readOnly: boolean };
    const parse = (events: { CloudTrailEvent?: string }[] | undefined): Event[] => (events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!) as Event);
    const byUser = parse((await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'nologs' }] }))).Events);
    const denied = byUser.find((e) => e.eventName === 'CreateLogGroup');
    assert.equal(denied?.eventSource, 'logs.amazonaws.com');
    assert.equal(denied?.errorCode, 'AccessDenied');
    const reads = parse((await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetLogEvents' }] }))).Events);
    assert.ok(reads.length > 0 && reads.every((e) => e.readOnly));
    const created = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: GROUP_ARN('kept') }] }));
    const create = created.Events!.find((e) => e.EventName === 'CreateLogGroup');
    assert.equal(create?.Resources?.[0]?.ResourceType, 'AWS::Logs::LogGroup');
  });
});
