/**
 * Policy variables. [Variables] is the page "IAM policy elements: Variables and tags";
 * [Choice] marks where Gatehouse chose (iam.md §7).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { condition, decide, policy, user } from './helpers.js';

const allowIn = (version: string | undefined, resource: string, ctx: Record<string, string | string[]>, target: string): string => {
  const p = policy({ ...(version ? { Version: version } : {}), Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }] });
  return decide({ identity: [p] }, { resource: target, context: ctx }).decision;
};

describe('Policy variables', () => {
  it('[Variables] ${aws:username} in the resource part of an ARN is replaced by the request value', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/home/${aws:username}/*', { 'aws:username': 'alice' }, 'arn:aws:s3:::bucket/home/alice/a.txt'), 'allowed');
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/home/${aws:username}/*', { 'aws:username': 'alice' }, 'arn:aws:s3:::bucket/home/bob/a.txt'), 'implicitDeny');
  });
  it('[Variables] variables exist only in Version 2012-10-17; in 2008-10-17 or no Version they are literal text', () => {
    for (const version of ['2008-10-17', undefined]) {
      assert.equal(allowIn(version, 'arn:aws:s3:::bucket/${aws:username}', { 'aws:username': 'alice' }, 'arn:aws:s3:::bucket/alice'), 'implicitDeny');
      assert.equal(allowIn(version, 'arn:aws:s3:::bucket/${aws:username}', { 'aws:username': 'alice' }, 'arn:aws:s3:::bucket/${aws:username}'), 'allowed');
    }
  });
  it('[Variables] a missing variable without a default makes the Resource entry not match', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/${aws:username}', {}, 'arn:aws:s3:::bucket/'), 'implicitDeny');
  });
  it("[Variables] a default value ${key, 'default'} is used when the key is absent", () => {
    const r = 'arn:aws:s3:::bucket/${aws:PrincipalTag/team, \'company-wide\'}/*';
    assert.equal(allowIn('2012-10-17', r, {}, 'arn:aws:s3:::bucket/company-wide/x'), 'allowed');
    assert.equal(allowIn('2012-10-17', r, { 'aws:PrincipalTag/team': 'blue' }, 'arn:aws:s3:::bucket/blue/x'), 'allowed');
    assert.equal(allowIn('2012-10-17', r, { 'aws:PrincipalTag/team': 'blue' }, 'arn:aws:s3:::bucket/company-wide/x'), 'implicitDeny');
  });
  it('[Variables] ${*}, ${?} and ${$} are the literal characters, not wildcards', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/a${*}b', {}, 'arn:aws:s3:::bucket/a*b'), 'allowed');
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/a${*}b', {}, 'arn:aws:s3:::bucket/axxb'), 'implicitDeny');
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/a${?}', {}, 'arn:aws:s3:::bucket/a?'), 'allowed');
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/a${?}', {}, 'arn:aws:s3:::bucket/ab'), 'implicitDeny');
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/${$}x', {}, 'arn:aws:s3:::bucket/$x'), 'allowed');
  });
  it('[Choice] a variable value is literal text: a * inside a tag value is not a wildcard', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/${aws:PrincipalTag/p}', { 'aws:PrincipalTag/p': '*' }, 'arn:aws:s3:::bucket/anything'), 'implicitDeny');
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/${aws:PrincipalTag/p}', { 'aws:PrincipalTag/p': '*' }, 'arn:aws:s3:::bucket/*'), 'allowed');
  });
  it('[Variables] names inside ${...} are case-insensitive', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/${AWS:UserName}', { 'aws:username': 'alice' }, 'arn:aws:s3:::bucket/alice'), 'allowed');
  });
  it('[Variables] a multivalued key used as a variable never matches', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:s3:::bucket/${aws:TagKeys}', { 'aws:TagKeys': ['a'] }, 'arn:aws:s3:::bucket/a'), 'implicitDeny');
  });
  it('[Variables] in Resource, variables count only in the resource part, after the fifth colon', () => {
    assert.equal(allowIn('2012-10-17', 'arn:aws:iam::${aws:PrincipalAccount}:user/x', { 'aws:PrincipalAccount': '111122223333' }, 'arn:aws:iam::111122223333:user/x'), 'implicitDeny');
    assert.equal(allowIn('2012-10-17', 'arn:aws:iam::${aws:PrincipalAccount}:user/x', { 'aws:PrincipalAccount': '111122223333' }, 'arn:aws:iam::${aws:PrincipalAccount}:user/x'), 'allowed');
  });
  it('[Variables] variables are substituted in String condition values', () => {
    assert.equal(condition({ StringEquals: { 's3:prefix': 'home/${aws:username}' } }, { 's3:prefix': 'home/alice', 'aws:username': 'alice' }), true);
    assert.equal(condition({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }, { 's3:prefix': 'home/bob/x', 'aws:username': 'alice' }), false);
  });
  it('[Variables] variables are substituted in ARN condition values', () => {
    assert.equal(
      condition({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:${aws:PrincipalAccount}:*' } }, { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:t', 'aws:PrincipalAccount': '111122223333' }),
      true,
    );
  });
  it('[Variables] a missing variable: an Equals condition does not match and a negated one does', () => {
    assert.equal(condition({ StringEquals: { 's3:prefix': '${aws:username}' } }, { 's3:prefix': 'alice' }), false);
    assert.equal(condition({ StringNotEquals: { 's3:prefix': '${aws:username}' } }, { 's3:prefix': 'alice' }), true);
  });
  it('[Variables] the IAM Identity Center pattern: StringNotEquals aws:PrincipalOrgMasterAccountId against ${aws:PrincipalAccount}', () => {
    const block = { StringNotEquals: { 'aws:PrincipalOrgMasterAccountId': '${aws:PrincipalAccount}' } };
    assert.equal(condition(block, { 'aws:PrincipalOrgMasterAccountId': '999999999999', 'aws:PrincipalAccount': '111122223333' }), true);
    assert.equal(condition(block, { 'aws:PrincipalOrgMasterAccountId': '111122223333', 'aws:PrincipalAccount': '111122223333' }), false);
  });
  it('[Variables] Numeric, Date and IP operators take no variables: the text stays literal', () => {
    assert.equal(condition({ NumericEquals: { 's3:max-keys': '${aws:username}' } }, { 's3:max-keys': '5', 'aws:username': '5' }), false);
  });
  it('[Choice] Bool values take variables (the operators page allows them)', () => {
    assert.equal(condition({ Bool: { 'aws:SecureTransport': '${aws:PrincipalTag/tls}' } }, { 'aws:SecureTransport': 'true', 'aws:PrincipalTag/tls': 'true' }), true);
  });
  it('[Variables] the request principal does not leak into variables: they read only the context', () => {
    const p = policy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::111122223333:user/${aws:username}' }] });
    assert.equal(decide({ identity: [p] }, { principal: user('alice'), action: 'iam:GetUser', resource: 'arn:aws:iam::111122223333:user/alice' }).decision, 'implicitDeny');
  });
});
