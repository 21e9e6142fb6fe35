/**
 * The policy grammar per kind, IAM's MalformedPolicyDocument messages, positions as the
 * Simulate APIs report them, size limits, and Access Analyzer-style warnings.
 * [Grammar] "IAM JSON policy element reference" / "Grammar of the IAM JSON policy language";
 * [Quotas] "IAM and AWS STS quotas"; [Simulate] IAM API Reference, Statement/Position.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, compilePolicy, PolicyDocumentError, policySize, checkPolicySize, POLICY_SIZE_LIMITS, type PolicyKind } from '../../src/policy/index.js';
import { iamData } from '../../src/catalog/iam-data.js';

const errorOf = (text: string | object, kind: PolicyKind = 'identity', managed = false): string | undefined =>
  parsePolicy(text, kind, { managed }).errors[0]?.message;

const ok = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

describe('Document structure', () => {
  it('[Grammar] Statement may be a single object or a list', () => {
    assert.equal(errorOf(ok), undefined);
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } }), undefined);
  });
  it('[Grammar] Action, Resource and principals may be a string or a list of strings', () => {
    const d = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' } }, 'identity').document!;
    assert.deepEqual(d.statements[0]!.action, ['s3:GetObject', 's3:PutObject']);
    assert.deepEqual(d.statements[0]!.resource, ['arn:aws:s3:::b/*']);
  });
  it('[Grammar] invalid JSON is "Syntax errors in policy." with the place of the error', () => {
    const r = parsePolicy('{"Version": "2012-10-17",\n "Statement": [ }', 'identity');
    assert.equal(r.errors[0]?.message, 'Syntax errors in policy.');
    assert.equal(r.errors[0]?.position?.line, 2);
  });
  it('[Grammar] unknown top-level and statement elements are syntax errors, and the path names them', () => {
    const r = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Actions: 's3:*', Resource: '*' }] }, 'identity');
    assert.equal(r.errors[0]?.message, 'Syntax errors in policy.');
    assert.equal(r.errors[0]?.path, 'Statement[0].Actions');
    assert.equal(errorOf({ Version: '2012-10-17', Statment: [] }), 'Syntax errors in policy.');
  });
  it('[Grammar] Version must be 2012-10-17 or 2008-10-17', () => {
    assert.equal(errorOf({ ...ok, Version: '2012-10-18' }), 'Syntax errors in policy.');
    assert.equal(errorOf({ ...ok, Version: '2008-10-17' }), undefined);
    assert.equal(errorOf({ Statement: ok.Statement }), undefined);
  });
  it('[Grammar] a managed policy (and a permissions boundary) must be Version 2012-10-17', () => {
    assert.equal(errorOf({ ...ok, Version: '2008-10-17' }, 'identity', true), 'Policy document must be version 2012-10-17 or greater.');
    assert.equal(errorOf({ Statement: ok.Statement }, 'boundary'), 'Policy document must be version 2012-10-17 or greater.');
  });
  it('[Grammar] Effect must be Allow or Deny', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Permit', Action: 's3:*', Resource: '*' } }), 'Syntax errors in policy.');
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Action: 's3:*', Resource: '*' } }), 'Syntax errors in policy.');
  });
  it('[Grammar] Action and NotAction (Resource and NotResource) are exclusive', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', NotAction: 'iam:*', Resource: '*' } }), 'Syntax errors in policy.');
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*', NotResource: 'x' } }), 'Syntax errors in policy.');
  });
  it('[Grammar] a statement without actions: "Policy statement must contain actions."', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Resource: '*' } }), 'Policy statement must contain actions.');
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: [], Resource: '*' } }), 'Policy statement must contain actions.');
  });
  it('[Grammar] an identity policy statement without resources: "Policy statement must contain resources."', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*' } }), 'Policy statement must contain resources.');
  });
  it('[Grammar] actions need a vendor prefix and one colon', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'GetObject', Resource: '*' } }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:Get:Object', Resource: '*' } }), 'Actions/Condition can contain only one colon.');
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's 3:Get', Resource: '*' } }), 'Vendor s 3 is not valid');
  });
  it('[Grammar] Sids must be unique within a policy', () => {
    const st = { Sid: 'A', Effect: 'Allow', Action: 's3:*', Resource: '*' };
    assert.equal(errorOf({ Version: '2012-10-17', Statement: [st, st] }), 'Statement IDs (SID) in a single policy must be unique.');
  });
  it('[Grammar] resources must be ARNs or "*"', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: 'bucket' } }), 'Resource bucket must be in ARN format or "*".');
    assert.equal(
      errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam:us-east-1:111122223333:role/x' } }),
      'IAM resource arn:aws:iam:us-east-1:111122223333:role/x cannot contain region information.',
    );
  });
  it('[Grammar] unknown condition operators are refused; condition keys need a vendor prefix', () => {
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'a' } } } }), 'Syntax errors in policy.');
    assert.equal(errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { username: 'a' } } } }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  });
  it('[Grammar] duplicate keys in an object are refused rather than silently resolved', () => {
    assert.equal(errorOf('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}'), 'Syntax errors in policy.');
  });
});

describe('Policy kinds', () => {
  const withPrincipal = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' } };
  it('[Grammar] identity, boundary, session and SCP documents may not name a principal', () => {
    for (const kind of ['identity', 'boundary', 'session', 'scp'] as const) {
      assert.equal(errorOf(withPrincipal, kind), 'Policy document should not specify a principal.', kind);
    }
  });
  it('[Grammar] resource-based and trust policies must name a principal', () => {
    assert.equal(errorOf(withPrincipal, 'resource'), undefined);
    assert.equal(errorOf(ok, 'resource'), 'Missing required field Principal.');
  });
  it('[Grammar] trust policies: no Resource, no NotPrincipal, only STS role actions', () => {
    const trust = (st: object): string | undefined => errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', ...st } }, 'trust');
    assert.equal(trust({}), undefined);
    assert.equal(trust({ Resource: '*' }), 'Has prohibited field Resource.');
    assert.equal(trust({ Action: 's3:GetObject' }), 'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity');
    assert.equal(trust({ Action: ['sts:AssumeRole', 'sts:TagSession'] }), undefined);
  });
  it('[Grammar] principals: "*", AWS account ids and IAM ARNs, services, federated providers; partial wildcards are invalid', () => {
    const trust = (principal: unknown): string | undefined => errorOf({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' } }, 'trust');
    assert.equal(trust('*'), undefined);
    assert.equal(trust({ AWS: ['111122223333', 'arn:aws:iam::111122223333:user/a', 'arn:aws:sts::111122223333:assumed-role/r/s'] }), undefined);
    assert.equal(trust({ Federated: 'arn:aws:iam::111122223333:saml-provider/AWSSSO_x' }), undefined);
    assert.equal(trust({ AWS: 'arn:aws:iam::111122223333:user/*' }), 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"');
    assert.equal(trust({ Bogus: 'x' }), 'Invalid principal in policy: "Bogus"');
  });
  it('[Grammar] RCPs: Principal must be "*" and NotAction is not supported', () => {
    const rcp = (st: object): string | undefined => errorOf({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 's3:*', Resource: '*', ...st } }, 'rcp');
    assert.equal(rcp({ Principal: '*' }), undefined);
    assert.equal(rcp({ Principal: { AWS: '111122223333' } }), 'RCPs only support "*" as the Principal.');
    assert.equal(rcp({ Principal: '*', Action: undefined, NotAction: 's3:*' }), 'RCPs do not support NotAction.');
  });
  it('compilePolicy throws PolicyDocumentError carrying the findings', () => {
    assert.throws(
      () => compilePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*' } }, { id: 'x', kind: 'identity' }),
      (e: unknown) => e instanceof PolicyDocumentError && e.code === 'MalformedPolicyDocument' && e.message === 'Policy statement must contain resources.' && e.findings.length === 1,
    );
  });
});

describe('Statement positions', () => {
  it("[Simulate] positions follow AWS's own example: Column 38 to 167 on line 1", () => {
    // The policy from the AWS CLI's simulate-custom-policy example.
    const text = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const st = parsePolicy(text, 'identity').document!.statements[0]!;
    assert.deepEqual(st.start, { line: 1, column: 38 });
    assert.deepEqual(st.end, { line: 1, column: 167 });
  });
  it('[Simulate] positions in a pretty-printed document: line 3, column 19 for a statement opened after "    \\"Statement\\": "', () => {
    const text = '{\n    "Version": "2012-10-17",\n    "Statement": {\n        "Effect": "Allow",\n        "Action": "codecommit:ListRepositories",\n        "Resource": "*"\n    }\n}';
    const st = parsePolicy(text, 'identity').document!.statements[0]!;
    assert.deepEqual(st.start, { line: 3, column: 19 });
    assert.deepEqual(st.end, { line: 7, column: 6 });
  });
});

describe('Size limits', () => {
  it('[Quotas] IAM does not count white space: pretty-printing does not change the size', () => {
    assert.equal(policySize(JSON.stringify(ok)), policySize(JSON.stringify(ok, null, 4)));
    assert.equal(policySize('{"a": "b c"}'), 11); // white space inside a string counts
  });
  it('[Quotas] a managed policy may hold 6,144 characters', () => {
    const big = (n: number): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'x'.repeat(n)}` }] });
    const fits = big(6144 - policySize(big(0)));
    assert.equal(policySize(fits), 6144);
    assert.equal(checkPolicySize(fits, POLICY_SIZE_LIMITS.managed), undefined);
    assert.equal(checkPolicySize(big(6145 - policySize(big(0))), POLICY_SIZE_LIMITS.managed)?.size, 6145);
  });
  it('[Quotas] SCPs count every character, white space included (5,120)', () => {
    const text = JSON.stringify(ok, null, 40);
    assert.equal(policySize(text, true), text.length);
    assert.equal(POLICY_SIZE_LIMITS.scp.max, 5120);
    assert.equal(POLICY_SIZE_LIMITS.trust.max, 2048);
    assert.equal(POLICY_SIZE_LIMITS.inlineRole.max, 10240);
  });
});

describe('Validation warnings (Access Analyzer style)', () => {
  const catalog = iamData();
  const warnings = (d: object, kind: PolicyKind = 'identity'): string[] => parsePolicy(d, kind, { catalog }).warnings.map((w) => w.code);
  it('unknown actions, services and condition keys are warnings, not errors', () => {
    const r = parsePolicy(
      { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['iam:CreateRoll', 'nosuchsvc:Get', 'iam:CreateRole'], Resource: '*', Condition: { StringEquals: { 'iam:NoSuchKey': 'x', 'iam:PassedToService': 'ec2.amazonaws.com' } } } },
      'identity',
      { catalog },
    );
    assert.equal(r.errors.length, 0);
    assert.ok(r.document);
    assert.deepEqual(r.warnings.map((w) => w.code).sort(), ['UNKNOWN_ACTION', 'UNKNOWN_CONDITION_KEY', 'UNKNOWN_SERVICE']);
    assert.match(r.warnings.find((w) => w.code === 'UNKNOWN_ACTION')!.message, /iam:CreateRoll/);
  });
  it('known global keys with tag suffixes are recognised', () => {
    assert.deepEqual(warnings({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'x', 'aws:ViaAWSService': 'false' } } } }), []);
  });
  it('Pass role with star in resource, and Create SLR with star in resource, are security warnings', () => {
    assert.deepEqual(warnings({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' } }), ['PASS_ROLE_WITH_STAR_IN_RESOURCE']);
    assert.deepEqual(warnings({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*' } }), ['CREATE_SLR_WITH_STAR_IN_RESOURCE']);
    assert.deepEqual(
      warnings({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*', Condition: { StringLike: { 'iam:AWSServiceName': 'clientvpn.amazonaws.com' } } } }),
      [],
    );
  });
  it('type mismatches (an IP operator with a non-address) are reported', () => {
    assert.deepEqual(warnings({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': 'office' } } } }), ['TYPE_MISMATCH_IP']);
  });
  it('ForAllValues with a single-valued key is a security warning', () => {
    assert.deepEqual(warnings({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:username': 'a' } } } }), ['FORALLVALUES_WITH_SINGLE_VALUED_KEY']);
  });
  it('variables in a 2008-10-17 policy are reported as literal', () => {
    assert.deepEqual(warnings({ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}' } }), ['VARIABLE_UNSUPPORTED_IN_VERSION']);
  });
});
