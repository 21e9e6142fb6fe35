/**
 * Condition operators, one test per documented rule. Titles name the AWS page:
 * [Operators] "IAM JSON policy elements: Condition operators"
 * [Multivalued] "Single-valued vs. multivalued context keys" / "Multivalued context key examples"
 * [Negated] "Evaluation logic for negated matching condition operators"
 * [Multiple] "Conditions with multiple context keys or values"
 * [Choice] a rule AWS leaves open; Gatehouse's choice is written in iam.md / the code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { condition, decide, doc, policy } from './helpers.js';

const yes = (block: object, ctx: Record<string, string | string[]>, msg?: string): void => assert.equal(condition(block, ctx), true, msg);
const no = (block: object, ctx: Record<string, string | string[]>, msg?: string): void => assert.equal(condition(block, ctx), false, msg);

describe('String condition operators', () => {
  it('[Operators] StringEquals is an exact, case-sensitive match', () => {
    yes({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'alice' });
    no({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'Alice' });
    no({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'alicex' });
  });
  it('[Operators] StringEquals takes * literally: no wildcards', () => {
    no({ StringEquals: { 'aws:username': 'al*' } }, { 'aws:username': 'alice' });
    yes({ StringEquals: { 'aws:username': 'al*' } }, { 'aws:username': 'al*' });
  });
  it('[Operators] StringNotEquals is the negated exact match', () => {
    yes({ StringNotEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'bob' });
    no({ StringNotEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'alice' });
  });
  it('[Operators] StringEqualsIgnoreCase ignores case on both sides', () => {
    yes({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'blue' });
    no({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'green' });
  });
  it('[Operators] StringNotEqualsIgnoreCase is its negation', () => {
    no({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'Blue' });
    yes({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'red' });
  });
  it('[Operators] StringLike: * matches any run (empty included), ? exactly one character, case-sensitive', () => {
    const block = (v: string): object => ({ StringLike: { 's3:prefix': v } });
    yes(block('home/*'), { 's3:prefix': 'home/' });
    yes(block('home/*'), { 's3:prefix': 'home/alice/docs' });
    yes(block('h?me/*'), { 's3:prefix': 'hame/x' });
    no(block('h?me/*'), { 's3:prefix': 'hme/x' });
    no(block('home/*'), { 's3:prefix': 'HOME/x' });
    yes(block('*a*b*c*'), { 's3:prefix': 'xxaxxbxxcxx' });
    no(block('*a*b*c*'), { 's3:prefix': 'xxcxxbxxaxx' });
    yes(block('a*a'), { 's3:prefix': 'aa' });
    no(block('a*a'), { 's3:prefix': 'a' });
  });
  it('[Operators] StringLike escapes regular-expression metacharacters in values', () => {
    yes({ StringLike: { 's3:prefix': 'a.b(c)+[d]' } }, { 's3:prefix': 'a.b(c)+[d]' });
    no({ StringLike: { 's3:prefix': 'a.b' } }, { 's3:prefix': 'axb' });
  });
  it('[Operators] StringNotLike is the negated glob', () => {
    no({ StringNotLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'home/x' });
    yes({ StringNotLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'tmp/x' });
  });
});

describe('Numeric condition operators', () => {
  const n = (op: string, policyValue: string, request: string): boolean => condition({ [op]: { 's3:max-keys': policyValue } }, { 's3:max-keys': request });
  it('[Operators] NumericEquals / NumericNotEquals compare numbers, not strings', () => {
    assert.equal(n('NumericEquals', '10', '10.0'), true);
    assert.equal(n('NumericEquals', '10', '11'), false);
    assert.equal(n('NumericNotEquals', '10', '11'), true);
    assert.equal(n('NumericNotEquals', '10', '10'), false);
  });
  it('[Operators] NumericLessThan, LessThanEquals, GreaterThan, GreaterThanEquals', () => {
    assert.equal(n('NumericLessThan', '10', '9'), true);
    assert.equal(n('NumericLessThan', '10', '10'), false);
    assert.equal(n('NumericLessThanEquals', '10', '10'), true);
    assert.equal(n('NumericGreaterThan', '10', '10'), false);
    assert.equal(n('NumericGreaterThan', '10', '10.5'), true);
    assert.equal(n('NumericGreaterThanEquals', '10', '10'), true);
    assert.equal(n('NumericGreaterThanEquals', '10', '9.99'), false);
  });
  it('[Operators] Numeric operators accept decimals and negative numbers', () => {
    assert.equal(n('NumericLessThan', '-1.5', '-2'), true);
    assert.equal(n('NumericEquals', '0.25', '.25'), true);
  });
  it('[Choice] a request value that is not a number never matches (and NumericNotEquals is then true)', () => {
    assert.equal(n('NumericEquals', '10', 'ten'), false);
    assert.equal(n('NumericLessThan', '10', ''), false);
    assert.equal(n('NumericNotEquals', '10', 'ten'), true);
  });
  it('[Operators] a JSON number in the policy is read like the string form', () => {
    const p = policy(doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { NumericLessThanEquals: { 's3:max-keys': 10 } } }));
    assert.equal(decide({ identity: [p] }, { action: 's3:ListBucket', context: { 's3:max-keys': '10' } }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { action: 's3:ListBucket', context: { 's3:max-keys': '11' } }).decision, 'implicitDeny');
  });
});

describe('Date condition operators', () => {
  const d = (op: string, policyValue: string, request: string, key = 'aws:CurrentTime'): boolean => condition({ [op]: { [key]: policyValue } }, { [key]: request });
  it('[Operators] DateLessThan / DateGreaterThan compare ISO 8601 times', () => {
    assert.equal(d('DateLessThan', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z'), true);
    assert.equal(d('DateLessThan', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), false);
    assert.equal(d('DateLessThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), true);
    assert.equal(d('DateGreaterThan', '2018-08-16T12:00:00Z', '2019-04-25T11:00:00Z'), true);
    assert.equal(d('DateGreaterThanEquals', '2018-08-16T12:00:00Z', '2018-08-16T11:59:59Z'), false);
  });
  it('[Operators] DateEquals / DateNotEquals compare instants, so time zones are honoured', () => {
    assert.equal(d('DateEquals', '2026-01-01T09:00:00+09:00', '2026-01-01T00:00:00Z'), true);
    assert.equal(d('DateNotEquals', '2026-01-01T09:00:00+09:00', '2026-01-01T00:00:01Z'), true);
  });
  it('[Operators] Date operators accept epoch seconds (aws:EpochTime) on either side', () => {
    assert.equal(d('DateLessThan', '1767225600', '1767225599', 'aws:EpochTime'), true);
    assert.equal(d('DateLessThan', '2026-01-01T00:00:00Z', '1767225599'), true);
    assert.equal(d('DateGreaterThan', '1767225600', '2026-01-01T00:00:01Z'), true);
  });
  it('[Operators] a date-only ISO value is midnight UTC', () => {
    assert.equal(d('DateLessThan', '2026-01-02', '2026-01-01T23:59:59Z'), true);
  });
  it('[Choice] an unparseable date never matches', () => {
    assert.equal(d('DateLessThan', '2026-01-01T00:00:00Z', 'yesterday'), false);
  });
});

describe('Bool and BinaryEquals', () => {
  it('[Operators] Bool matches true/false, case-insensitively', () => {
    yes({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' });
    yes({ Bool: { 'aws:SecureTransport': 'TRUE' } }, { 'aws:SecureTransport': 'true' });
    no({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'false' });
  });
  it('[Operators] Bool accepts a JSON boolean in the policy', () => {
    const p = policy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': false } } }));
    assert.equal(decide({ identity: [p] }, { context: { 'aws:ViaAWSService': 'false' } }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { context: { 'aws:ViaAWSService': 'true' } }).decision, 'implicitDeny');
  });
  it('[Operators] BinaryEquals compares base64 values byte for byte', () => {
    const v = Buffer.from('secret').toString('base64');
    yes({ BinaryEquals: { 'aws:Blob': v } }, { 'aws:Blob': v });
    no({ BinaryEquals: { 'aws:Blob': v } }, { 'aws:Blob': Buffer.from('Secret').toString('base64') });
  });
});

describe('IP address condition operators', () => {
  it('[Operators] IpAddress matches an IPv4 CIDR block', () => {
    yes({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.77' });
    no({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.114.1' });
    yes({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '8.8.8.8' });
  });
  it('[Operators] a bare address means /32 (IPv4) or /128 (IPv6)', () => {
    yes({ IpAddress: { 'aws:SourceIp': '203.0.113.5' } }, { 'aws:SourceIp': '203.0.113.5' });
    no({ IpAddress: { 'aws:SourceIp': '203.0.113.5' } }, { 'aws:SourceIp': '203.0.113.6' });
    yes({ IpAddress: { 'aws:SourceIp': '2001:db8::1' } }, { 'aws:SourceIp': '2001:DB8:0::1' });
  });
  it('[Operators] IpAddress matches IPv6 prefixes, including ones not on a 32-bit boundary', () => {
    yes({ IpAddress: { 'aws:SourceIp': '2001:db8:1234::/36' } }, { 'aws:SourceIp': '2001:db8:1fff:ffff::1' });
    no({ IpAddress: { 'aws:SourceIp': '2001:db8:1234::/36' } }, { 'aws:SourceIp': '2001:db8:2000::1' });
  });
  it('[Operators] an IPv4 block never matches an IPv6 address, and the other way round', () => {
    no({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '2001:db8::1' });
    no({ IpAddress: { 'aws:SourceIp': '::/0' } }, { 'aws:SourceIp': '10.0.0.1' });
  });
  it('[Choice] an IPv4-mapped IPv6 address (what a dual-stack socket reports) is matched as IPv4', () => {
    yes({ IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }, { 'aws:SourceIp': '::ffff:127.0.0.1' });
  });
  it('[Operators] NotIpAddress matches addresses outside every listed block', () => {
    yes({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } }, { 'aws:SourceIp': '192.0.2.1' });
    no({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } }, { 'aws:SourceIp': '198.51.100.9' });
  });
  it('[Choice] a request value that is not an address never matches IpAddress', () => {
    no({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': 'cloudtrail.amazonaws.com' });
    no({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '256.1.1.1' });
  });
});

describe('ARN condition operators', () => {
  const key = 'aws:SourceArn';
  it('[Operators] ArnLike matches component by component; * does not cross a component colon', () => {
    yes({ ArnLike: { [key]: 'arn:aws:lambda:*:111122223333:function:*' } }, { [key]: 'arn:aws:lambda:us-east-1:111122223333:function:f' });
    no({ ArnLike: { [key]: 'arn:aws:lambda:*:111122223333:function:*' } }, { [key]: 'arn:aws:lambda:us-east-1:444455556666:function:f' });
    // A glob over the whole string would let the region's `us-*` swallow "east-1:x".
    no({ ArnLike: { [key]: 'arn:aws:sqs:us-*:111122223333:q' } }, { [key]: 'arn:aws:sqs:us-east-1:x:111122223333:q' });
  });
  it('[Operators] the resource component keeps its colons and slashes: * spans them there', () => {
    yes({ ArnLike: { [key]: 'arn:aws:logs:us-east-1:111122223333:log-group:*' } }, { [key]: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/x:log-stream:y' });
    yes({ ArnLike: { [key]: 'arn:aws:s3:::bucket/*' } }, { [key]: 'arn:aws:s3:::bucket/a/b/c' });
  });
  it('[Operators] ArnEquals behaves as ArnLike (wildcards allowed)', () => {
    yes({ ArnEquals: { [key]: 'arn:aws:s3:::bucket-?' } }, { [key]: 'arn:aws:s3:::bucket-1' });
  });
  it('[Operators] ARN matching is case-sensitive', () => {
    no({ ArnEquals: { [key]: 'arn:aws:s3:::Bucket' } }, { [key]: 'arn:aws:s3:::bucket' });
  });
  it('[Operators] ArnNotLike / ArnNotEquals are the negations', () => {
    no({ ArnNotLike: { [key]: 'arn:aws:s3:::bucket/*' } }, { [key]: 'arn:aws:s3:::bucket/x' });
    yes({ ArnNotEquals: { [key]: 'arn:aws:s3:::bucket/*' } }, { [key]: 'arn:aws:s3:::other/x' });
  });
  it('[Choice] a request value that is not an ARN (fewer than six components) does not match', () => {
    no({ ArnLike: { [key]: 'arn:aws:s3:::*' } }, { [key]: 'not-an-arn' });
  });
  it('[Choice] a policy value with fewer than six components is matched against the whole value', () => {
    yes({ ArnLike: { [key]: '*' } }, { [key]: 'arn:aws:s3:::bucket' });
  });
});

describe('Null and missing keys', () => {
  it('[Operators] Null "true" matches when the key is absent', () => {
    yes({ Null: { 'aws:TokenIssueTime': 'true' } }, {});
    no({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' });
  });
  it('[Operators] Null "false" matches when the key is present', () => {
    yes({ Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' });
    no({ Null: { 'aws:TokenIssueTime': 'false' } }, {});
  });
  it('[Negated] a missing key makes a non-negated operator false', () => {
    for (const op of ['StringEquals', 'StringLike', 'NumericEquals', 'DateEquals', 'Bool', 'IpAddress', 'ArnLike', 'BinaryEquals']) {
      no({ [op]: { 'aws:Missing': 'x' } }, {}, op);
    }
  });
  it('[Negated] a missing key makes a negated operator true', () => {
    for (const op of ['StringNotEquals', 'StringNotLike', 'StringNotEqualsIgnoreCase', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotLike', 'ArnNotEquals']) {
      yes({ [op]: { 'aws:Missing': '10.0.0.1' } }, {}, op);
    }
  });
  it('[Operators] ...IfExists: a missing key makes the condition true, for plain and negated operators', () => {
    yes({ StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }, {});
    yes({ StringNotEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }, {});
    yes({ IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, {});
  });
  it('[Operators] ...IfExists: a present key is evaluated normally', () => {
    yes({ StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }, { 'ec2:InstanceType': 't3.micro' });
    no({ StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }, { 'ec2:InstanceType': 'm5.large' });
    no({ NumericLessThanIfExists: { 's3:max-keys': '5' } }, { 's3:max-keys': '6' });
  });
  it('[Operators] a Deny with a negated ...IfExists operator denies when the key is missing (the documented pitfall)', () => {
    const p = policy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } } }));
    assert.equal(decide({ identity: [p] }, { context: {} }).decision, 'explicitDeny');
    assert.equal(decide({ identity: [p] }, { context: { 'aws:RequestedRegion': 'eu-west-1' } }).decision, 'allowed');
  });
  it('[Choice] Null with IfExists is read as plain Null (Access Analyzer reports it)', () => {
    yes({ NullIfExists: { 'aws:TokenIssueTime': 'true' } }, {});
    no({ NullIfExists: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '1' });
  });
});

describe('Multiple keys and values', () => {
  it('[Multiple] several values for one key are ORed', () => {
    yes({ StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, { 'aws:RequestedRegion': 'eu-west-1' });
    no({ StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, { 'aws:RequestedRegion': 'ap-south-1' });
  });
  it('[Negated] several values under a negated operator act as NOR: the request must match none', () => {
    no({ StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, { 'aws:RequestedRegion': 'eu-west-1' });
    yes({ StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, { 'aws:RequestedRegion': 'ap-south-1' });
  });
  it('[Multiple] several keys under one operator are ANDed', () => {
    const block = { StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:RequestedRegion': 'us-east-1' } };
    yes(block, { 'aws:PrincipalTag/team': 'blue', 'aws:RequestedRegion': 'us-east-1' });
    no(block, { 'aws:PrincipalTag/team': 'blue', 'aws:RequestedRegion': 'eu-west-1' });
  });
  it('[Multiple] several operators in one Condition block are ANDed', () => {
    const block = { StringEquals: { 'aws:PrincipalTag/team': 'blue' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } };
    yes(block, { 'aws:PrincipalTag/team': 'blue', 'aws:SourceIp': '10.1.2.3' });
    no(block, { 'aws:PrincipalTag/team': 'blue', 'aws:SourceIp': '192.168.0.1' });
  });
  it('[Operators] condition key names are case-insensitive, tag-key suffixes included', () => {
    yes({ StringEquals: { 'AWS:PRINCIPALTAG/Team': 'blue' } }, { 'aws:principaltag/team': 'blue' });
  });
});

describe('Multivalued keys and set operators', () => {
  const tags = 'aws:TagKeys';
  it('[Multivalued] ForAllValues: true when every request value matches some policy value', () => {
    yes({ 'ForAllValues:StringEquals': { [tags]: ['env', 'team'] } }, { [tags]: ['env'] });
    yes({ 'ForAllValues:StringEquals': { [tags]: ['env', 'team'] } }, { [tags]: ['team', 'env'] });
    no({ 'ForAllValues:StringEquals': { [tags]: ['env', 'team'] } }, { [tags]: ['env', 'cost'] });
  });
  it('[Multivalued] ForAllValues: true when the key is missing or the set is empty', () => {
    yes({ 'ForAllValues:StringEquals': { [tags]: ['env'] } }, {});
    yes({ 'ForAllValues:StringEquals': { [tags]: ['env'] } }, { [tags]: [] });
  });
  it('[Multivalued] ForAnyValue: true when at least one request value matches', () => {
    yes({ 'ForAnyValue:StringEquals': { [tags]: ['env', 'team'] } }, { [tags]: ['cost', 'team'] });
    no({ 'ForAnyValue:StringEquals': { [tags]: ['env', 'team'] } }, { [tags]: ['cost'] });
  });
  it('[Multivalued] ForAnyValue: false when the key is missing or the set is empty', () => {
    no({ 'ForAnyValue:StringEquals': { [tags]: ['env'] } }, {});
    no({ 'ForAnyValue:StringEquals': { [tags]: ['env'] } }, { [tags]: [] });
  });
  it('[Negated] ForAllValues:StringNotEquals: true when no request value is in the list', () => {
    yes({ 'ForAllValues:StringNotEquals': { [tags]: ['secret'] } }, { [tags]: ['env', 'team'] });
    no({ 'ForAllValues:StringNotEquals': { [tags]: ['secret'] } }, { [tags]: ['env', 'secret'] });
  });
  it('[Negated] ForAnyValue:StringNotEquals: true when at least one request value is not in the list', () => {
    yes({ 'ForAnyValue:StringNotEquals': { [tags]: ['env'] } }, { [tags]: ['env', 'team'] });
    no({ 'ForAnyValue:StringNotEquals': { [tags]: ['env'] } }, { [tags]: ['env'] });
  });
  it('[Multivalued] set operators work with Like operators', () => {
    yes({ 'ForAllValues:StringLike': { [tags]: ['env-*', 'team'] } }, { [tags]: ['env-prod', 'team'] });
    no({ 'ForAnyValue:StringLike': { [tags]: ['env-*'] } }, { [tags]: ['team'] });
  });
  it('[Multivalued] a set operator on a single-valued key treats the value as a one-element set', () => {
    yes({ 'ForAnyValue:StringEquals': { 'aws:username': ['alice', 'bob'] } }, { 'aws:username': 'bob' });
    no({ 'ForAllValues:StringEquals': { 'aws:username': ['alice'] } }, { 'aws:username': 'bob' });
  });
  it('[Choice] a single-valued operator on a multivalued key does not match, negated or not', () => {
    no({ StringEquals: { [tags]: 'env' } }, { [tags]: ['env'] });
    no({ StringNotEquals: { [tags]: 'env' } }, { [tags]: ['team'] });
  });
  it('[Multivalued] aws:CalledVia is matched with ForAnyValue', () => {
    yes({ 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' } }, { 'aws:CalledVia': ['cloudformation.amazonaws.com', 'kms.amazonaws.com'] });
  });
});
