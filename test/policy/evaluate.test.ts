/**
 * Whole decisions, one per combination of policy types. [Logic] is the page "Policy
 * evaluation logic"; [Cross] "Cross-account policy evaluation logic"; [Boundaries]
 * "Permissions boundaries for IAM entities"; [Session] "Session policies"; [SCP]/[RCP]
 * the Organizations pages; [Trust] "Roles terms and concepts"; [KMS] "Key policies in AWS KMS";
 * [Elements] "IAM JSON policy elements"; [Denied] "Troubleshoot access denied error messages".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, OTHER, allowAll, decide, doc, policy, root, service, session, user } from './helpers.js';
import { PolicyGroup, denialMessage, explain, evaluate, RequestContext, type CompiledPolicy, type OrgLevel } from '../../src/policy/index.js';

const MGMT = '999999999999';
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}): CompiledPolicy => policy(doc({ Effect: 'Allow', Action, Resource, ...extra }));
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}): CompiledPolicy => policy(doc({ Effect: 'Deny', Action, Resource, ...extra }));
const scp = (...statements: object[]): CompiledPolicy => policy(doc(...statements), 'scp');
const fullAccess = (): CompiledPolicy => scp({ Effect: 'Allow', Action: '*', Resource: '*' });
const rcp = (...statements: object[]): CompiledPolicy => policy(doc(...statements), 'rcp');
const levels = (...perLevel: CompiledPolicy[][]): OrgLevel<CompiledPolicy>[] => perLevel.map((policies, i) => ({ target: i === 0 ? 'r-root' : `ou-${i}`, policies }));
const resourcePolicy = (principal: unknown, extra: object = {}, effect = 'Allow'): CompiledPolicy =>
  policy(doc({ Effect: effect, Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*', ...extra }), 'resource');

describe('Identity policies', () => {
  it('[Logic] with no policy that allows, the decision is an implicit deny', () => {
    const ev = decide({ identity: [allow('iam:ListRoles')] }, { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/x` });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'identity');
    assert.deepEqual(ev.matchedStatements, []);
  });
  it('[Logic] an explicit deny overrides any allow', () => {
    const ev = decide({ identity: [allowAll(), deny('s3:GetObject')] });
    assert.equal(ev.decision, 'explicitDeny');
    assert.equal(ev.matchedStatements.length, 1);
    assert.equal(ev.matchedStatements[0]!.effect, 'Deny');
  });
  it('[Elements] action names are case-insensitive, resource ARNs case-sensitive', () => {
    assert.equal(decide({ identity: [allow('S3:getobject', 'arn:aws:s3:::bucket/*')] }, { action: 's3:GetObject' }).decision, 'allowed');
    assert.equal(decide({ identity: [allow('s3:GetObject', 'arn:aws:s3:::Bucket/*')] }).decision, 'implicitDeny');
  });
  it('[Elements] action wildcards: * and ? in the service and the action name', () => {
    assert.equal(decide({ identity: [allow('s3:Get*')] }).decision, 'allowed');
    assert.equal(decide({ identity: [allow('s?:GetObjec?')] }).decision, 'allowed');
    assert.equal(decide({ identity: [allow('s3:Put*')] }).decision, 'implicitDeny');
    assert.equal(decide({ identity: [allow('*')] }).decision, 'allowed');
  });
  it('[Elements] NotAction with Allow grants every action but those listed, in every service', () => {
    const p = policy(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }));
    assert.equal(decide({ identity: [p] }, { action: 'ec2:RunInstances' }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { action: 'iam:CreateUser' }).decision, 'implicitDeny');
  });
  it('[Elements] NotAction with Deny denies all but those listed', () => {
    const p = policy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: ['iam:Get*', 'iam:List*'], Resource: '*' }));
    assert.equal(decide({ identity: [p] }, { action: 'iam:ListRoles' }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { action: 'iam:CreateRole' }).decision, 'explicitDeny');
  });
  it('[Elements] NotResource matches every resource not listed', () => {
    const p = policy(doc({ Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*'] }, { Effect: 'Allow', Action: 's3:*', Resource: '*' }));
    assert.equal(decide({ identity: [p] }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { resource: 'arn:aws:s3:::other/x' }).decision, 'explicitDeny');
  });
  it('[Elements] Resource * crosses slashes and colons; a resource ARN never matches a request on "*"', () => {
    assert.equal(decide({ identity: [allow('logs:*', 'arn:aws:logs:*')] }, { action: 'logs:PutLogEvents', resource: 'arn:aws:logs:us-east-1:1:log-group:a:log-stream:b' }).decision, 'allowed');
    assert.equal(decide({ identity: [allow('iam:ListRoles', `arn:aws:iam::${ACCOUNT}:role/*`)] }, { action: 'iam:ListRoles', resource: '*' }).decision, 'implicitDeny');
  });
  it('[Logic] a PolicyGroup decides exactly as the list of its policies', () => {
    const ps = [allow('s3:List*'), allow('s3:GetObject', 'arn:aws:s3:::bucket/*'), deny('s3:GetObject', 'arn:aws:s3:::bucket/secret/*')];
    const group = new PolicyGroup(ps);
    for (const resource of ['arn:aws:s3:::bucket/a', 'arn:aws:s3:::bucket/secret/a', 'arn:aws:s3:::x/a']) {
      assert.equal(decide({ identity: group }, { resource }).decision, decide({ identity: ps }, { resource }).decision, resource);
    }
  });
});

describe('Permissions boundaries and session policies', () => {
  it('[Boundaries] an identity Allow outside the boundary is an implicit deny named for the boundary', () => {
    const ev = decide({ identity: [allowAll()], boundary: policy(doc({ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }), 'boundary') }, { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/x` });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'boundary');
    assert.equal(ev.details.identity, 'allowed');
    assert.equal(ev.details.boundary, 'implicitDeny');
  });
  it('[Boundaries] the boundary alone grants nothing: identity must allow too', () => {
    const ev = decide({ identity: [allow('iam:ListRoles')], boundary: policy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'boundary') }, { action: 'iam:CreateRole', resource: '*' });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'identity');
  });
  it('[Boundaries] a Deny in a boundary is an explicit deny', () => {
    const b = policy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*' }), 'boundary');
    const ev = decide({ identity: [allowAll()], boundary: b });
    assert.equal(ev.decision, 'explicitDeny');
    assert.equal(ev.deniedBy, 'boundary');
  });
  it('[Session] a role session is capped by its session policy', () => {
    const set = { identity: [allowAll()], session: [policy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), 'session')] };
    assert.equal(decide(set, { principal: session() }).decision, 'allowed');
    const ev = decide(set, { principal: session(), action: 's3:PutObject' });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'session');
  });
  it('[Session] without a session policy the session keeps the role\'s permissions', () => {
    assert.equal(decide({ identity: [allowAll()] }, { principal: session(), action: 's3:PutObject' }).decision, 'allowed');
  });
  it('[Session] a session policy cannot grant more than the identity policies', () => {
    const ev = decide({ identity: [allow('s3:GetObject')], session: [policy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'session')] }, { principal: session(), action: 's3:PutObject' });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'identity');
  });
  it('[Session] a federated-user session with no session policy (an empty list) has no permissions', () => {
    const fed = { type: 'FederatedUser' as const, arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`, account: ACCOUNT };
    assert.equal(decide({ identity: [allowAll()], session: [] }, { principal: fed }).decision, 'implicitDeny');
  });
});

describe('Service control policies', () => {
  const org = (...perLevel: CompiledPolicy[][]) => ({ principalOrg: { managementAccountId: MGMT, scpLevels: levels(...perLevel) } });
  it('[SCP] a Deny in an SCP overrides an administrator\'s Allow', () => {
    const ev = decide({ identity: [allowAll()], ...org([fullAccess(), scp({ Effect: 'Deny', Action: 's3:*', Resource: '*' })], [fullAccess()]) });
    assert.equal(ev.decision, 'explicitDeny');
    assert.equal(ev.deniedBy, 'scp');
    assert.match(denialMessage({ principal: user(), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', context: new RequestContext() }, ev), /with an explicit deny in a service control policy$/);
  });
  it('[SCP] every level of the path must allow: an OU without an Allow blocks', () => {
    const ev = decide({ identity: [allowAll()], ...org([fullAccess()], [scp({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })], [fullAccess()]) });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'scp');
    assert.equal(ev.details.scp, 'implicitDeny');
  });
  it('[SCP] SCPs grant nothing: the identity must still allow', () => {
    assert.equal(decide({ identity: [], ...org([fullAccess()]) }).decision, 'implicitDeny');
  });
  it('[SCP] SCPs do not affect principals of the management account', () => {
    const set = { identity: [allowAll()], principalOrg: { managementAccountId: ACCOUNT, scpLevels: levels([scp({ Effect: 'Deny', Action: '*', Resource: '*' })]) } };
    const ev = decide(set);
    assert.equal(ev.decision, 'allowed');
    assert.equal(ev.details.scp, 'notApplicable');
  });
  it('[SCP] SCPs do not restrict service-linked roles', () => {
    const slr = { ...session('AWSServiceRoleForSSO', 'sso'), serviceLinkedRole: true };
    assert.equal(decide({ identity: [allowAll()], ...org([scp({ Effect: 'Deny', Action: '*', Resource: '*' })]) }, { principal: slr }).decision, 'allowed');
  });
  it('[SCP] SCPs apply to the root user of a member account', () => {
    const ev = decide({ ...org([fullAccess(), scp({ Effect: 'Deny', Action: 's3:*', Resource: '*' })]) }, { principal: root() });
    assert.equal(ev.decision, 'explicitDeny');
    assert.equal(decide({ ...org([fullAccess()]) }, { principal: root() }).decision, 'allowed');
  });
  it('[SCP] an SCP condition is evaluated against the request (deny outside one region)', () => {
    const regionDeny = scp({ Effect: 'Deny', Action: 'ec2:CreateClientVpnEndpoint', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } });
    const set = { identity: [allowAll()], ...org([fullAccess(), regionDeny]) };
    assert.equal(decide(set, { action: 'ec2:CreateClientVpnEndpoint', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' } }).decision, 'explicitDeny');
    assert.equal(decide(set, { action: 'ec2:CreateClientVpnEndpoint', resource: '*', context: { 'aws:RequestedRegion': 'eu-west-1' } }).decision, 'allowed');
  });
});

describe('Resource control policies', () => {
  const rcpServices = new Set(['s3', 'kms', 'sts']);
  const rcpFull = (): CompiledPolicy => rcp({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
  const orgOnly = (): CompiledPolicy =>
    rcp({ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } });
  const set = (managementAccountId = MGMT) => ({ identity: [allowAll()], resourceOrg: { managementAccountId, rcpLevels: levels([rcpFull(), orgOnly()]), rcpServices } });
  it('[RCP] an RCP keeps a member account\'s KMS key inside the organization', () => {
    const inside = decide(set(), { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`, context: { 'aws:PrincipalOrgID': 'o-abc', 'aws:PrincipalIsAWSService': 'false' } });
    assert.equal(inside.decision, 'allowed');
    const outside = decide(set(), { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`, context: { 'aws:PrincipalOrgID': 'o-other', 'aws:PrincipalIsAWSService': 'false' } });
    assert.equal(outside.decision, 'explicitDeny');
    assert.equal(outside.deniedBy, 'rcp');
  });
  it('[RCP] RCPs apply only to the services that support them', () => {
    const ev = decide(set(), { action: 'ec2:DescribeVpcs', resource: '*', context: { 'aws:PrincipalOrgID': 'o-other' } });
    assert.equal(ev.details.rcp, 'notApplicable');
  });
  it("[RCP] RCPs do not apply to the management account's resources", () => {
    const ev = decide(set(ACCOUNT), { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`, context: { 'aws:PrincipalOrgID': 'o-other' } });
    assert.equal(ev.decision, 'allowed');
  });
  it('[RCP] RCPs do not restrict service-linked roles', () => {
    const slr = { ...session('AWSServiceRoleForX', 'x'), serviceLinkedRole: true };
    assert.equal(decide(set(), { principal: slr, action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`, context: { 'aws:PrincipalOrgID': 'o-other' } }).decision, 'allowed');
  });
  it('[RCP] every level needs an Allow: without RCPFullAWSAccess on a level the request is denied', () => {
    const s = { identity: [allowAll()], resourceOrg: { managementAccountId: MGMT, rcpLevels: levels([rcpFull()], []), rcpServices } };
    const ev = decide(s, { action: 's3:GetObject' });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'rcp');
  });
});

describe('Resource-based policies in the same account', () => {
  it('[Logic] a resource policy naming the user grants without any identity policy, even past a boundary', () => {
    const ev = decide({ identity: [], resource: resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }), boundary: policy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), 'boundary') });
    assert.equal(ev.decision, 'allowed');
    assert.equal(ev.resourceGrant, 'user');
  });
  it('[Logic] naming the role session\'s ARN grants past identity, boundary and session policy', () => {
    const s = session('app', 's1');
    const ev = decide(
      { identity: [], resource: resourcePolicy({ AWS: s.arn }), boundary: policy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), 'boundary'), session: [policy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), 'session')] },
      { principal: s },
    );
    assert.equal(ev.decision, 'allowed');
    assert.equal(ev.resourceGrant, 'session');
  });
  it('[Logic] naming the role\'s ARN grants past the identity policy but not past its boundary or session policy', () => {
    const s = session('app', 's1');
    const rp = resourcePolicy({ AWS: s.roleArn });
    assert.equal(decide({ identity: [], resource: rp }, { principal: s }).decision, 'allowed');
    const bounded = decide({ identity: [], resource: rp, boundary: policy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), 'boundary') }, { principal: s });
    assert.equal(bounded.decision, 'implicitDeny');
    assert.equal(bounded.deniedBy, 'boundary');
    const capped = decide({ identity: [], resource: rp, session: [policy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), 'session')] }, { principal: s });
    assert.equal(capped.decision, 'implicitDeny');
    assert.equal(capped.deniedBy, 'session');
  });
  it('[Logic] naming the account delegates to the identity policies', () => {
    const rp = resourcePolicy({ AWS: ACCOUNT });
    assert.equal(decide({ identity: [], resource: rp }).decision, 'implicitDeny');
    assert.equal(decide({ identity: [allow('s3:GetObject')], resource: rp }).decision, 'allowed');
    assert.equal(decide({ identity: [], resource: resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) }).resourceGrant, 'account');
  });
  it('[Logic] a resource policy that names someone else does not apply', () => {
    const ev = decide({ identity: [], resource: resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }) });
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.details.resource, 'implicitDeny');
  });
  it('[Logic] a Deny in the resource policy is an explicit deny', () => {
    const ev = decide({ identity: [allowAll()], resource: resourcePolicy('*', {}, 'Deny') });
    assert.equal(ev.decision, 'explicitDeny');
    assert.equal(ev.deniedBy, 'resource');
  });
  it('[Elements] NotPrincipal with Deny denies everyone but the listed principal', () => {
    const rp = policy(
      doc(
        { Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/alice`, ACCOUNT] }, Action: 's3:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 's3:*', Resource: '*' },
      ),
      'resource',
    );
    assert.equal(decide({ identity: [allowAll()], resource: rp }).decision, 'allowed');
    assert.equal(decide({ identity: [allowAll()], resource: rp }, { principal: user('bob') }).decision, 'explicitDeny');
  });
  it('[Elements] NotPrincipal: a role session is exempt only when its session ARN is listed', () => {
    const s = session('app', 's1');
    const rp = (listed: string[]): CompiledPolicy => policy(doc({ Effect: 'Deny', NotPrincipal: { AWS: listed }, Action: 's3:*', Resource: '*' }), 'resource');
    assert.equal(decide({ identity: [allowAll()], resource: rp([s.roleArn!, ACCOUNT]) }, { principal: s }).decision, 'explicitDeny');
    assert.equal(decide({ identity: [allowAll()], resource: rp([s.roleArn!, s.arn, ACCOUNT]) }, { principal: s }).decision, 'allowed');
  });
  it('[Logic] a service principal is granted only by a resource policy naming it', () => {
    const rp = resourcePolicy({ Service: 'cloudtrail.amazonaws.com' });
    assert.equal(decide({ resource: rp }, { principal: service('cloudtrail.amazonaws.com') }).decision, 'allowed');
    assert.equal(decide({ resource: rp }, { principal: service('config.amazonaws.com') }).decision, 'implicitDeny');
  });
  it('[Logic] an anonymous caller is granted only by Principal "*"', () => {
    const anon = { type: 'Anonymous' as const, arn: '*', account: 'anonymous' };
    assert.equal(decide({ resource: resourcePolicy('*') }, { principal: anon, resourceAccount: ACCOUNT }).decision, 'allowed');
    assert.equal(decide({ resource: resourcePolicy({ AWS: ACCOUNT }) }, { principal: anon, resourceAccount: ACCOUNT }).decision, 'implicitDeny');
  });
  it('[Logic] the root user has full access to its own account without policies', () => {
    assert.equal(decide({}, { principal: root() }).decision, 'allowed');
  });
});

describe('Trust policies and key policies (explicit allow required)', () => {
  const trust = (principal: unknown, extra: object = {}): CompiledPolicy => policy(doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }), 'trust');
  const assume = { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/target` };
  it('[Trust] in the same account, an identity Allow alone cannot assume a role the trust policy does not name', () => {
    const ev = decide({ identity: [allowAll()], resource: trust({ Service: 'ec2.amazonaws.com' }), resourcePolicyRequired: true }, assume);
    assert.equal(ev.decision, 'implicitDeny');
    assert.equal(ev.deniedBy, 'resource');
  });
  it('[Trust] a trust policy naming the user suffices without an identity Allow', () => {
    assert.equal(decide({ identity: [], resource: trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }), resourcePolicyRequired: true }, assume).decision, 'allowed');
  });
  it('[Trust] a trust policy naming the account needs the identity Allow as well', () => {
    const t = trust({ AWS: ACCOUNT });
    assert.equal(decide({ identity: [], resource: t, resourcePolicyRequired: true }, assume).decision, 'implicitDeny');
    assert.equal(decide({ identity: [allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/target`)], resource: t, resourcePolicyRequired: true }, assume).decision, 'allowed');
  });
  it('[Trust] sts:ExternalId conditions in a trust policy are enforced', () => {
    const t = trust({ AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'xyz' } } });
    const set = { identity: [allowAll()], resource: t, resourcePolicyRequired: true };
    const caller = user('carol', OTHER);
    assert.equal(decide(set, { ...assume, principal: caller, resourceAccount: ACCOUNT, context: { 'sts:ExternalId': 'xyz' } }).decision, 'allowed');
    assert.equal(decide(set, { ...assume, principal: caller, resourceAccount: ACCOUNT, context: { 'sts:ExternalId': 'nope' } }).decision, 'implicitDeny');
  });
  it('[KMS] a key policy must allow explicitly; naming the account root enables IAM policies', () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`;
    const enableIam = policy(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }), 'resource');
    const other = policy(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:*', Resource: '*' }), 'resource');
    const r = { action: 'kms:DescribeKey', resource: key };
    assert.equal(decide({ identity: [allowAll()], resource: enableIam, resourcePolicyRequired: true }, r).decision, 'allowed');
    assert.equal(decide({ identity: [allowAll()], resource: other, resourcePolicyRequired: true }, r).decision, 'implicitDeny');
    assert.equal(decide({ identity: [], resource: enableIam, resourcePolicyRequired: true }, r).decision, 'implicitDeny');
  });
});

describe('Cross-account requests', () => {
  const bucket = { resource: 'arn:aws:s3:::bucket/key', resourceAccount: OTHER };
  it('[Cross] both the identity policy and the resource policy must allow', () => {
    const rp = resourcePolicy({ AWS: ACCOUNT });
    const both = decide({ identity: [allow('s3:GetObject')], resource: rp }, bucket);
    assert.equal(both.decision, 'allowed');
    assert.equal(both.crossAccount, true);
    const noIdentity = decide({ identity: [], resource: rp }, bucket);
    assert.equal(noIdentity.decision, 'implicitDeny');
    assert.equal(noIdentity.deniedBy, 'identity');
    const noResource = decide({ identity: [allow('s3:GetObject')] }, bucket);
    assert.equal(noResource.decision, 'implicitDeny');
    assert.equal(noResource.deniedBy, 'resource');
  });
  it('[Cross] naming the user across accounts still needs the user\'s own identity Allow', () => {
    assert.equal(decide({ identity: [], resource: resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }) }, bucket).decision, 'implicitDeny');
  });
  it('[Cross] the principal\'s boundary and SCPs apply on its side', () => {
    const rp = resourcePolicy({ AWS: ACCOUNT });
    const bounded = decide({ identity: [allowAll()], resource: rp, boundary: policy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), 'boundary') }, bucket);
    assert.equal(bounded.deniedBy, 'boundary');
    const scpDenied = decide({ identity: [allowAll()], resource: rp, principalOrg: { managementAccountId: MGMT, scpLevels: levels([scp({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })]) } }, bucket);
    assert.equal(scpDenied.deniedBy, 'scp');
  });
  it('[Cross] an explicit deny in the other account\'s resource policy wins', () => {
    const rp = policy(doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*' }), 'resource');
    assert.equal(decide({ identity: [allowAll()], resource: rp }, bucket).decision, 'explicitDeny');
  });
});

describe('Explanations and messages', () => {
  it('[Denied] the implicit-deny message names the policy type and the action', () => {
    const req = { principal: user('alice', '123456789012'), action: 'iam:CreateRole', resource: 'arn:aws:iam::123456789012:role/x', context: new RequestContext() };
    const ev = evaluate(req, { identity: [allow('iam:ListRoles')] });
    assert.equal(
      denialMessage(req, ev),
      'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/x because no identity-based policy allows the iam:CreateRole action',
    );
  });
  it('[Denied] boundary and session variants', () => {
    const req = { principal: session('app', 's'), action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', context: new RequestContext() };
    const b = evaluate(req, { identity: [allowAll()], boundary: policy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), 'boundary') });
    assert.match(denialMessage(req, b), /because no permissions boundary allows the s3:PutObject action$/);
    const s = evaluate(req, { identity: [allowAll()], session: [policy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), 'session')] });
    assert.match(denialMessage(req, s), /because no session policy allows the s3:PutObject action$/);
    assert.match(denialMessage(req, s), /^User: arn:aws:sts::111122223333:assumed-role\/app\/s is not authorized/);
  });
  it('[Simulate] matched statements carry policy id, index, Sid and source positions', () => {
    const p = policy(doc({ Sid: 'ReadOnly', Effect: 'Allow', Action: 's3:Get*', Resource: '*' }), 'identity', 'my-policy');
    const ev = decide({ identity: [p] });
    assert.equal(ev.matchedStatements.length, 1);
    const m = ev.matchedStatements[0]!;
    assert.equal(m.policyId, 'my-policy');
    assert.equal(m.sid, 'ReadOnly');
    assert.equal(m.index, 0);
    assert.equal(m.start.line, 1);
    assert.ok(m.end.column > m.start.column);
  });
  it('[Simulate] the condition keys read, and those missing from the request', () => {
    const p = policy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:username}/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'true' } } }));
    const ev = decide({ identity: [p] }, { context: { 'aws:SecureTransport': 'true' } });
    assert.deepEqual(ev.contextKeysRead.sort(), ['aws:SecureTransport', 'aws:SourceIp', 'aws:username']);
    assert.deepEqual(ev.missingContextKeys.sort(), ['aws:SourceIp', 'aws:username']);
  });
  it('explain() names every policy type, the deciding statements and the missing keys', () => {
    const p = policy(doc({ Sid: 'NoOutside', Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }));
    const req = { principal: user(), action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: new RequestContext() };
    const text = explain(req, evaluate(req, { identity: [allowAll(), p] }));
    assert.match(text, /^EXPLICITDENY/);
    assert.match(text, /Deny statement "NoOutside"/);
    assert.match(text, /identity-based policy\s+denies explicitly/);
    assert.match(text, /missing from the request: aws:SourceIp/);
  });
  it('evaluating twice gives the same decision (the per-action index is a pure cache)', () => {
    const set = { identity: [allow(['s3:Get*', 'ec2:Describe*']), deny('s3:GetObject', 'arn:aws:s3:::bucket/secret')] };
    for (let i = 0; i < 3; i++) {
      assert.equal(decide(set).decision, 'allowed');
      assert.equal(decide(set, { resource: 'arn:aws:s3:::bucket/secret' }).decision, 'explicitDeny');
      assert.equal(decide(set, { action: 'ec2:DescribeVpcs', resource: '*' }).decision, 'allowed');
    }
  });
});
