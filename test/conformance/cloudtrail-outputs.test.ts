/**
 * Conformance, the output half, CloudTrail: LookupEvents through the AWS SDK v3, every
 * answer checked against the model (`checkOutput`), after a few IAM and STS calls whose
 * events the lookups must find: by each lookup attribute the API documents, by time, and
 * page by page. The values compared are the ones CloudTrail derives from the call (event
 * name and source, user name, access key, read-only flag, resources) and the event record
 * itself (`CloudTrailEvent`, the JSON CloudTrail stores).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { ACCOUNT, ROOT, startServer, type Keys, type Running } from '../helpers/server.js';
import { recent, Scenario, stepsFor, type Step } from './scenario.js';

const USER = 'trail-user';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${USER}`;

/**
 * Implemented operations the scenario does not call, each with its reason. Empty:
 * CloudTrail implements LookupEvents only, and the scenario calls it throughout.
 */
const EXCLUSIONS: Readonly<Record<string, string>> = {};

interface State {
  started: Date;
  user?: Keys;
  createUserEventId?: string;
  userResourceName?: string;
  firstPage?: Event[];
  nextToken?: string;
}

const ct = stepsFor<State>('cloudtrail');
const iam = stepsFor<State>('iam');
const sts = stepsFor<State>('sts');

interface TrailRecord {
  eventID: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
  awsRegion: string;
  readOnly: boolean;
  recipientAccountId: string;
  userIdentity: { type: string; arn?: string; accountId?: string; accessKeyId?: string; userName?: string };
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
}

const record = (e: Event): TrailRecord => JSON.parse(e.CloudTrailEvent!) as TrailRecord;

/** Every event agrees with its own record (the fields LookupEvents derives from it). */
function consistent(events: readonly Event[]): void {
  for (const e of events) {
    const r = record(e);
    assert.equal(r.eventID, e.EventId);
    assert.equal(r.eventName, e.EventName);
    assert.equal(r.eventSource, e.EventSource);
    assert.equal(String(r.readOnly), e.ReadOnly);
    assert.equal(new Date(r.eventTime).getTime(), e.EventTime!.getTime());
    assert.equal(r.recipientAccountId, ACCOUNT);
  }
}

/** Newest first. */
function newestFirst(events: readonly Event[]): void {
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.EventTime! >= events[i]!.EventTime!, `event ${i} is newer than event ${i - 1}`);
}

const eventNames = (events: readonly Event[] | undefined): string[] => (events ?? []).map((e) => e.EventName ?? '');

const steps: Step<State>[] = [
  // ---- activity to look up: the root user creates a user, who then makes two calls ----
  iam(CreateUserCommand, { UserName: USER }),
  iam(PutUserPolicyCommand, { UserName: USER, PolicyName: 'read', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }) }),
  iam(CreateAccessKeyCommand, { UserName: USER }, (out, s) => {
    s.user = { accessKeyId: out.AccessKey!.AccessKeyId!, secretAccessKey: out.AccessKey!.SecretAccessKey! };
  }),
  iam(GetUserCommand, {}, (out) => assert.equal(out.User!.Arn, USER_ARN), { as: (s) => s.user! }),
  sts(GetCallerIdentityCommand, {}, (out) => assert.equal(out.Arn, USER_ARN), { as: (s) => s.user! }),

  // ---- LookupEvents ----
  ct(LookupEventsCommand, {}, (out) => {
    const events = out.Events!;
    consistent(events);
    newestFirst(events);
    for (const name of ['CreateUser', 'PutUserPolicy', 'CreateAccessKey', 'GetUser', 'GetCallerIdentity']) assert.ok(eventNames(events).includes(name), `${name} is listed`);
    assert.equal(out.NextToken, undefined, 'everything fits on one page');
  }, { label: 'everything' }),
  ct(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] }, (out, s) => {
    const events = out.Events!;
    assert.deepEqual(eventNames(events), ['CreateUser']);
    const e = events[0]!;
    s.createUserEventId = e.EventId!;
    s.userResourceName = e.Resources?.find((r) => r.ResourceType === 'AWS::IAM::User')?.ResourceName;
    consistent(events);
    assert.equal(e.EventSource, 'iam.amazonaws.com');
    assert.equal(e.ReadOnly, 'false');
    // The root user's events read `root` (CloudTrail User Guide, event history).
    assert.equal(e.Username, 'root');
    assert.equal(e.AccessKeyId, ROOT.accessKeyId);
    recent(e.EventTime, 'EventTime');
    assert.ok(s.userResourceName, 'the user is a resource of the event');
    const r = record(e);
    assert.equal(r.userIdentity.type, 'Root');
    assert.equal(r.awsRegion, 'us-east-1');
    assert.deepEqual(r.requestParameters, { userName: USER });
    assert.equal((r.responseElements as { user?: { arn?: string } } | null)?.user?.arn, USER_ARN);
  }, { label: 'by EventName' }),
  ct(LookupEventsCommand, (s) => ({ LookupAttributes: [{ AttributeKey: 'EventId' as const, AttributeValue: s.createUserEventId! }] }), (out, s) => {
    assert.deepEqual(out.Events!.map((e) => [e.EventId, e.EventName]), [[s.createUserEventId, 'CreateUser']]);
  }, { label: 'by EventId' }),
  ct(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: USER }] }, (out, s) => {
    const events = out.Events!;
    assert.deepEqual(eventNames(events).sort(), ['GetCallerIdentity', 'GetUser']);
    for (const e of events) {
      assert.equal(e.Username, USER);
      assert.equal(e.AccessKeyId, s.user!.accessKeyId);
      assert.equal(e.ReadOnly, 'true');
      const r = record(e);
      assert.deepEqual({ type: r.userIdentity.type, arn: r.userIdentity.arn, userName: r.userIdentity.userName }, { type: 'IAMUser', arn: USER_ARN, userName: USER });
    }
    consistent(events);
  }, { label: 'by Username' }),
  ct(LookupEventsCommand, (s) => ({ LookupAttributes: [{ AttributeKey: 'AccessKeyId' as const, AttributeValue: s.user!.accessKeyId }] }), (out, s) => {
    assert.deepEqual(eventNames(out.Events).sort(), ['GetCallerIdentity', 'GetUser']);
    for (const e of out.Events!) assert.equal(e.AccessKeyId, s.user!.accessKeyId);
  }, { label: 'by AccessKeyId' }),
  ct(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'sts.amazonaws.com' }] }, (out) => {
    assert.deepEqual(eventNames(out.Events), ['GetCallerIdentity']);
    assert.equal(out.Events![0]!.EventSource, 'sts.amazonaws.com');
  }, { label: 'by EventSource' }),
  ct(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] }, (out) => {
    assert.deepEqual(eventNames(out.Events).sort(), ['CreateAccessKey', 'CreateUser', 'PutUserPolicy']);
    for (const e of out.Events!) assert.equal(e.ReadOnly, 'false');
  }, { label: 'by ReadOnly false' }),
  ct(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] }, (out) => {
    const names = eventNames(out.Events);
    for (const name of ['GetUser', 'GetCallerIdentity', 'LookupEvents']) assert.ok(names.includes(name), `${name} is read-only`);
    for (const e of out.Events!) assert.equal(e.ReadOnly, 'true');
  }, { label: 'by ReadOnly true' }),
  ct(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::IAM::User' }] }, (out) => {
    const names = eventNames(out.Events);
    for (const name of ['CreateUser', 'PutUserPolicy', 'CreateAccessKey']) assert.ok(names.includes(name), `${name} names the user`);
    for (const e of out.Events!) assert.ok(e.Resources!.some((r) => r.ResourceType === 'AWS::IAM::User'), `${e.EventName} has a user resource`);
  }, { label: 'by ResourceType' }),
  ct(LookupEventsCommand, (s) => ({ LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: s.userResourceName! }] }), (out, s) => {
    const names = eventNames(out.Events);
    assert.ok(names.includes('CreateUser'), 'CreateUser names the user');
    for (const e of out.Events!) assert.ok(e.Resources!.some((r) => r.ResourceName === s.userResourceName), `${e.EventName} names ${s.userResourceName}`);
  }, { label: 'by ResourceName' }),
  ct(LookupEventsCommand, (s) => ({ StartTime: new Date(s.started.getTime() - 1000), EndTime: new Date(Date.now() + 1000), LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'CreateUser' }] }), (out) => {
    assert.deepEqual(eventNames(out.Events), ['CreateUser']);
  }, { label: 'within a time range' }),
  ct(LookupEventsCommand, { StartTime: new Date(Date.now() + 3600_000), EndTime: new Date(Date.now() + 7200_000) }, (out) => {
    assert.deepEqual(out.Events, []);
    assert.equal(out.NextToken, undefined);
  }, { label: 'a time range without events' }),
  ct(LookupEventsCommand, { MaxResults: 2 }, (out, s) => {
    s.firstPage = out.Events!;
    s.nextToken = out.NextToken;
    assert.equal(out.Events!.length, 2);
    assert.ok(out.NextToken, 'a NextToken for the next page');
    newestFirst(out.Events!);
  }, { label: 'page 1' }),
  ct(LookupEventsCommand, (s) => ({ MaxResults: 2, NextToken: s.nextToken! }), (out, s) => {
    assert.equal(out.Events!.length, 2);
    const first = new Set(s.firstPage!.map((e) => e.EventId));
    for (const e of out.Events!) assert.ok(!first.has(e.EventId), `${e.EventId} was on page 1 already`);
    newestFirst([...s.firstPage!, ...out.Events!]);
  }, { label: 'page 2' }),
];

describe('Conformance: CloudTrail outputs match the model and find the calls made', () => {
  let server: Running;
  let scenario: Scenario<State>;
  before(async () => {
    server = await startServer();
    scenario = new Scenario<State>(server.endpoint, { started: new Date() });
  });
  after(async () => server.close());

  it('scenario', async (t) => {
    await scenario.run(t, steps);
  });

  it('coverage: every implemented CloudTrail operation is called by the scenario', (t) => {
    scenario.assertCoverage(t, 'cloudtrail', server.gatehouse.implementedOperations().cloudtrail ?? [], EXCLUSIONS);
  });
});
