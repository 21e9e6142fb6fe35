/**
 * CloudTrail from the shell: a user's allowed and denied `aws iam` calls are recorded, and
 * `aws cloudtrail lookup-events` finds them by attribute, by time range and page by page.
 * The denied CreateRole is an event like any other, with errorCode AccessDenied and the
 * denial's message (CloudTrail user guide, "CloudTrail record contents": errorCode and
 * errorMessage are set for failed requests).
 *
 * The server runs on a clock the test moves: the allowed calls happen ten minutes in the
 * past (well within SigV4's 15-minute window for the CLI's real-time signatures), so the
 * time-range filters separate them from the denied call by minutes, not milliseconds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Keys, type Running } from '../helpers/server.js';
import { ACCOUNT, allow, aws, awsError, denied, doc, EC2_TRUST, expectError, keysOf, roleArn, userArn } from './helpers.js';

class Clock {
  offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
}

interface LookedUp {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: string;
  EventSource: string;
  Username?: string;
  CloudTrailEvent: string;
}

const DEV = userArn('dev');
const DENIAL = denied(DEV, 'iam:CreateRole', roleArn('blocked'), 'because no identity-based policy allows the iam:CreateRole action');
const createRole = (name: string): string[] => ['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', EC2_TRUST];
const byName = ['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateRole'];
const iso = (ms: number): string => new Date(ms).toISOString();

describe('aws cloudtrail lookup-events: allowed and denied calls', () => {
  const clock = new Clock();
  let server: Running;
  let dev: Keys;
  let devId: string;
  /** When the denied call was made (server time), and when the allowed ones were. */
  let deniedAt: number;
  let allowedAt: number;

  before(async () => {
    server = await startServer({ now: clock.now });
    devId = (await aws(server.endpoint, ['iam', 'create-user', '--user-name', 'dev'])).User.UserId;
    const [, key] = await Promise.all([
      aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'dev', '--policy-name', 'access', '--policy-document', doc(allow('iam:ListRoles'), allow('iam:CreateRole', roleArn('app-*')))]),
      aws(server.endpoint, ['iam', 'create-access-key', '--user-name', 'dev']),
    ]);
    dev = keysOf(key);
    try {
      clock.offsetMs = -600_000;
      allowedAt = clock.now().getTime();
      await Promise.all([aws(server.endpoint, createRole('app-1'), dev), aws(server.endpoint, ['iam', 'list-roles'], dev)]);
    } finally {
      clock.offsetMs = 0;
    }
    deniedAt = clock.now().getTime();
    await expectError(server.endpoint, createRole('blocked'), dev, 'AccessDenied', 'CreateRole', DENIAL);
  });
  after(() => server.close());

  it('EventName=CreateRole: the denied attempt (newest first) with AccessDenied and the user identity, then the allowed one', async () => {
    const { Events: events, NextToken } = (await aws(server.endpoint, ['cloudtrail', 'lookup-events', ...byName])) as { Events: LookedUp[]; NextToken?: string };
    assert.equal(NextToken, undefined);
    assert.equal(events.length, 2);
    const [blocked, created] = events as [LookedUp, LookedUp];
    for (const e of events) {
      assert.deepEqual({ name: e.EventName, source: e.EventSource, readOnly: e.ReadOnly, user: e.Username, key: e.AccessKeyId }, { name: 'CreateRole', source: 'iam.amazonaws.com', readOnly: 'false', user: 'dev', key: dev.accessKeyId });
    }
    assert.ok(Date.parse(blocked.EventTime) > Date.parse(created.EventTime) + 500_000, `${blocked.EventTime} is minutes after ${created.EventTime}`);

    const event = JSON.parse(blocked.CloudTrailEvent);
    assert.deepEqual(event.userIdentity, { type: 'IAMUser', principalId: devId, arn: DEV, accountId: ACCOUNT, accessKeyId: dev.accessKeyId, userName: 'dev' });
    assert.equal(event.eventID, blocked.EventId);
    assert.equal(event.eventName, 'CreateRole');
    assert.equal(event.eventSource, 'iam.amazonaws.com');
    assert.equal(event.awsRegion, 'us-east-1');
    assert.equal(event.sourceIPAddress, '127.0.0.1');
    assert.match(event.userAgent, /^aws-cli\/2\./);
    assert.equal(event.errorCode, 'AccessDenied');
    assert.equal(event.errorMessage, DENIAL);
    assert.equal(event.requestParameters.roleName, 'blocked');
    assert.equal(event.responseElements, null);
    assert.equal(event.readOnly, false);
    assert.equal(event.eventType, 'AwsApiCall');
    assert.equal(event.recipientAccountId, ACCOUNT);
    assert.ok(Math.abs(Date.parse(event.eventTime) - deniedAt) < 60_000, `eventTime ${event.eventTime}`);

    const ok = JSON.parse(created.CloudTrailEvent);
    assert.equal(ok.errorCode, undefined);
    assert.equal(ok.requestParameters.roleName, 'app-1');
    assert.equal(ok.responseElements.role.arn, roleArn('app-1'));
    assert.ok(Math.abs(Date.parse(ok.eventTime) - allowedAt) < 60_000, `eventTime ${ok.eventTime}`);
  });

  it('--start-time / --end-time select by event time', async () => {
    const between = iso(allowedAt + 300_000);
    const [recent, older, none] = await Promise.all([
      aws(server.endpoint, ['cloudtrail', 'lookup-events', ...byName, '--start-time', between]),
      aws(server.endpoint, ['cloudtrail', 'lookup-events', ...byName, '--start-time', iso(allowedAt - 60_000), '--end-time', between]),
      aws(server.endpoint, ['cloudtrail', 'lookup-events', ...byName, '--end-time', iso(allowedAt - 60_000)]),
    ]);
    const names = (out: { Events: LookedUp[] }): string[] => out.Events.map((e) => JSON.parse(e.CloudTrailEvent).requestParameters.roleName as string);
    assert.deepEqual(names(recent), ['blocked']);
    assert.deepEqual(names(older), ['app-1']);
    assert.deepEqual(names(none), []);
  });

  it('--max-results pages with NextToken (Username=dev: three events)', async () => {
    const user = ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=Username,AttributeValue=dev'];
    // Given --max-results, the CLI makes one call and prints NextToken rather than paginating itself.
    const first = await aws(server.endpoint, [...user, '--max-results', '1']);
    assert.equal(first.Events.length, 1);
    assert.equal(first.Events[0].EventName, 'CreateRole');
    assert.equal(JSON.parse(first.Events[0].CloudTrailEvent).errorCode, 'AccessDenied');
    assert.equal(typeof first.NextToken, 'string');
    const rest = await aws(server.endpoint, [...user, '--max-results', '2', '--next-token', first.NextToken]);
    assert.equal(rest.NextToken, undefined);
    // The two allowed calls ran concurrently: their order is not fixed.
    assert.deepEqual(rest.Events.map((e: LookedUp) => e.EventName).sort(), ['CreateRole', 'ListRoles']);
    const ids = [first, rest].flatMap((p: { Events: LookedUp[] }) => p.Events.map((e) => e.EventId));
    assert.equal(new Set(ids).size, 3);
  });

  // Known server bug (reported, not fixed here): LookupEvents reads any base64 as a cursor.
  it('a NextToken LookupEvents did not issue is InvalidNextTokenException', async () => {
    // CloudTrail API reference, LookupEvents errors: InvalidNextTokenException, "A token that is
    // not valid, or a token that was previously used in a request with different parameters".
    const e = await awsError(server.endpoint, ['cloudtrail', 'lookup-events', '--max-results', '5', '--next-token', Buffer.from('foobar').toString('base64')]);
    assert.deepEqual([e.code, e.operation], ['InvalidNextTokenException', 'LookupEvents']);
  });
});
