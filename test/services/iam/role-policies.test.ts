/**
 * Roles after CreateRole, against a real server: inline policies, permissions
 * boundaries, trust policy, description, session duration and tags, and the protection
 * of service-linked and /aws-reserved/ roles. [API] is the IAM API Reference page of the
 * operation; [Quotas] "IAM and AWS STS quotas"; [SLR] iam.md §12.2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, doc, grant, makeUser, rejects, roleSession } from './helpers.js';
import { KIND, type RoleRecord } from '../../../src/services/iam/records.js';
import { awsId } from '../../../src/auth/credentials.js';
import { iamChanged } from '../../../src/services/iam/policy-source.js';

const TRUST = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });
const EC2_TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const PROTECTED = "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - this role is only modifiable by AWS";

/** A protected role as IAM holds it (service-linked roles are another family's operation). */
async function protectedRole(s: Running, name: string, path: string, serviceLinked?: string): Promise<void> {
  const role: RoleRecord = {
    RoleName: name,
    RoleId: awsId('AROA', 17),
    Arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
    Path: path,
    CreateDate: new Date().toISOString(),
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'autoscaling.amazonaws.com' } }] }),
    MaxSessionDuration: 3600,
    Tags: [],
    AttachedPolicies: [],
    ...(serviceLinked ? { ServiceLinked: serviceLinked } : {}),
  };
  await s.gatehouse.store.transaction((tx) => tx.insert(ACCOUNT, KIND.role, role.RoleId, role, { name }));
  iamChanged();
}

let s: Running;
let iam: IAMClient;
const client = (keys: Keys): IAMClient => new IAMClient(clientConfig(s.endpoint, keys));

before(async () => {
  s = await startServer();
  iam = client({ accessKeyId: 'test', secretAccessKey: 'test' });
  await iam.send(new CreateRoleCommand({ RoleName: 'App', AssumeRolePolicyDocument: TRUST, Description: 'the app' }));
});
after(async () => {
  iam?.destroy();
  await s?.close();
});

describe('Inline role policies', () => {
  it('[API] PutRolePolicy / GetRolePolicy (URL-encoded) / ListRolePolicies / DeleteRolePolicy', async () => {
    const d = doc(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'read', PolicyDocument: d }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'Audit', PolicyDocument: doc(allow('cloudtrail:LookupEvents')) }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'read' }));
    assert.equal(got.RoleName, 'App');
    assert.equal(got.PolicyName, 'read');
    assert.equal(decodeURIComponent(got.PolicyDocument!), d);
    // Putting the same name replaces the document.
    const d2 = doc(allow('s3:PutObject', 'arn:aws:s3:::bucket/*'));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'read', PolicyDocument: d2 }));
    assert.equal(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: 'App', PolicyName: 'read' }))).PolicyDocument!), d2);
    const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: 'App' }));
    assert.deepEqual(listed.PolicyNames, ['Audit', 'read']);
    assert.equal(listed.IsTruncated, false);
    const paged = await iam.send(new ListRolePoliciesCommand({ RoleName: 'App', MaxItems: 1 }));
    assert.deepEqual([paged.PolicyNames, paged.IsTruncated], [['Audit'], true]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'App', PolicyName: 'Audit' }));
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'App' }))).PolicyNames, ['read']);
  });

  it('[API] errors: unknown role or policy, malformed documents', async () => {
    await rejects(iam.send(new GetRolePolicyCommand({ RoleName: 'App', PolicyName: 'nope' })), 'NoSuchEntity', 'The role policy with name nope cannot be found.');
    await rejects(iam.send(new DeleteRolePolicyCommand({ RoleName: 'App', PolicyName: 'nope' })), 'NoSuchEntity', 'The role policy with name nope cannot be found.');
    await rejects(iam.send(new PutRolePolicyCommand({ RoleName: 'Ghost', PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) })), 'NoSuchEntity', 'The role with name Ghost cannot be found.');
    await rejects(iam.send(new ListRolePoliciesCommand({ RoleName: 'Ghost' })), 'NoSuchEntity', 'The role with name Ghost cannot be found.');
    await rejects(iam.send(new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Resource: '*' }) })), 'MalformedPolicyDocument', 'Policy statement must contain actions.');
    await rejects(iam.send(new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'p', PolicyDocument: 'not json' })), 'MalformedPolicyDocument', 'Syntax errors in policy.');
  });

  it('[Quotas] a role\'s inline policies share 10,240 characters (white space not counted)', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Sized', AssumeRolePolicyDocument: TRUST }));
    const actions = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `s3:Get${tag.repeat(25)}${String(i).padStart(4, '0')}`);
    const first = doc(allow(actions(150, 'A')));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Sized', PolicyName: 'one', PolicyDocument: first }));
    const second = doc(allow(actions(150, 'B')));
    assert.ok(first.length + second.length > 10240 && second.length < 10240);
    await rejects(iam.send(new PutRolePolicyCommand({ RoleName: 'Sized', PolicyName: 'two', PolicyDocument: second })), 'LimitExceeded', 'Maximum policy size of 10240 bytes exceeded for role Sized');
    // Replacing the first policy counts the new document in place of the old one.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Sized', PolicyName: 'one', PolicyDocument: second }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Sized', PolicyName: 'pretty', PolicyDocument: JSON.stringify(JSON.parse(doc(allow(actions(10, 'C')))), null, 200) }));
  });

  it('an inline policy takes effect for the role\'s sessions at once', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Inline', AssumeRolePolicyDocument: TRUST }));
    const session = client(await roleSession(s, 'Inline'));
    await rejects(session.send(new ListRolesCommand({})), 'AccessDenied', `User: arn:aws:sts::${ACCOUNT}:assumed-role/Inline/test is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action`);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'list', PolicyDocument: doc(allow('iam:ListRoles')) }));
    await session.send(new ListRolesCommand({}));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Inline', PolicyName: 'list' }));
    await rejects(session.send(new ListRolesCommand({})), 'AccessDenied');
    session.destroy();
  });
});

describe('Permissions boundaries', () => {
  it('[API] a boundary caps an administrator role; GetRole shows it; deleting it restores access', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Capped', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Capped', PolicyArn: ADMIN }));
    const boundary = (await iam.send(new CreatePolicyCommand({ PolicyName: 'OnlyListRoles', PolicyDocument: doc(allow('iam:ListRoles')) }))).Policy!.Arn!;
    const session = client(await roleSession(s, 'Capped'));
    await session.send(new ListPoliciesCommand({ Scope: 'Local' }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Capped', PermissionsBoundary: boundary }));
    assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'Capped' }))).Role!.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary });
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: boundary }))).Policy!.PermissionsBoundaryUsageCount, 1);
    await session.send(new ListRolesCommand({}));
    await rejects(session.send(new ListPoliciesCommand({ Scope: 'Local' })), 'AccessDenied', /because no permissions boundary allows the iam:ListPolicies action/);
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'Capped' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'Capped' }))).Role!.PermissionsBoundary, undefined);
    await session.send(new ListPoliciesCommand({ Scope: 'Local' }));
    // An AWS managed policy may be a boundary too.
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Capped', PermissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await session.send(new ListPoliciesCommand({ Scope: 'Local' }));
    await rejects(session.send(new CreatePolicyCommand({ PolicyName: 'x', PolicyDocument: doc(allow('s3:*')) })), 'AccessDenied', /permissions boundary/);
    session.destroy();
  });

  it('[API] a boundary must be an existing, attachable managed policy', async () => {
    const missing = `arn:aws:iam::${ACCOUNT}:policy/NoSuchBoundary`;
    await rejects(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'App', PermissionsBoundary: missing })), 'NoSuchEntity', `Scope ARN: ${missing} does not exist or is not attachable.`);
    await rejects(
      iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'App', PermissionsBoundary: 'arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy' })),
      'PolicyNotAttachable',
    );
    await rejects(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Ghost', PermissionsBoundary: ADMIN })), 'NoSuchEntity', 'The role with name Ghost cannot be found.');
  });

  it('[API] iam:PermissionsBoundary: a delegate may change only roles that carry the required boundary', async () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/OnlyListRoles`;
    const keys = await makeUser(iam, 'delegate');
    await grant(
      iam,
      'delegate',
      'bounded-admin',
      doc(
        allow(['iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'], `arn:aws:iam::${ACCOUNT}:role/*`, { Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } } }),
      ),
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'Unbounded', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateRoleCommand({ RoleName: 'WithBoundary', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: boundary }));
    const delegate = client(keys);
    await delegate.send(new PutRolePolicyCommand({ RoleName: 'WithBoundary', PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) }));
    await rejects(delegate.send(new PutRolePolicyCommand({ RoleName: 'Unbounded', PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) })), 'AccessDenied', /iam:PutRolePolicy on resource: arn:aws:iam::000000000000:role\/Unbounded/);
    // Setting the required boundary is allowed; any other is not.
    await delegate.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Unbounded', PermissionsBoundary: boundary }));
    await delegate.send(new PutRolePolicyCommand({ RoleName: 'Unbounded', PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) }));
    await rejects(delegate.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Unbounded', PermissionsBoundary: ADMIN })), 'AccessDenied');
    delegate.destroy();
  });
});

describe('UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy', () => {
  it('[API] UpdateRole sets the description and the maximum session duration (3,600-43,200 s)', async () => {
    await iam.send(new UpdateRoleCommand({ RoleName: 'App', MaxSessionDuration: 7200, Description: 'new' }));
    let role = (await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role!;
    assert.deepEqual([role.MaxSessionDuration, role.Description], [7200, 'new']);
    await iam.send(new UpdateRoleCommand({ RoleName: 'App', MaxSessionDuration: 43200 }));
    role = (await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role!;
    assert.deepEqual([role.MaxSessionDuration, role.Description], [43200, 'new']);
    await rejects(iam.send(new UpdateRoleCommand({ RoleName: 'App', MaxSessionDuration: 43201 })), 'ValidationError', /Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200/);
    await rejects(iam.send(new UpdateRoleCommand({ RoleName: 'App', MaxSessionDuration: 60 })), 'ValidationError', /greater than or equal to 3600/);
    await rejects(iam.send(new UpdateRoleCommand({ RoleName: 'Ghost', Description: 'x' })), 'NoSuchEntity', 'The role with name Ghost cannot be found.');
  });

  it('[API] UpdateRoleDescription answers the updated role', async () => {
    const out = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'App', Description: 'described' }));
    assert.equal(out.Role!.RoleName, 'App');
    assert.equal(out.Role!.Description, 'described');
    assert.equal(out.Role!.MaxSessionDuration, 43200);
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role!.Description, 'described');
  });

  it('[API] UpdateAssumeRolePolicy replaces a valid trust policy and refuses a malformed one', async () => {
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'App', PolicyDocument: EC2_TRUST }));
    assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role!.AssumeRolePolicyDocument!), EC2_TRUST);
    await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'App', PolicyDocument: doc(allow('sts:AssumeRole', '*', { Principal: { Service: 'ec2.amazonaws.com' } })) })), 'MalformedPolicyDocument', 'Has prohibited field Resource.');
    await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'App', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }) })), 'MalformedPolicyDocument', 'Missing required field Principal.');
    // IAM resolves the users and roles a trust policy names.
    const ghost = `arn:aws:iam::${ACCOUNT}:role/GhostRole`;
    await rejects(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'App', PolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }) })),
      'MalformedPolicyDocument',
      `Invalid principal in policy: "AWS":"${ghost}"`,
    );
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'TrustsGhost', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }) })),
      'MalformedPolicyDocument',
      `Invalid principal in policy: "AWS":"${ghost}"`,
    );
    const trustsRole = doc({ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/Sized`, '111122223333'] }, Action: 'sts:AssumeRole' });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'App', PolicyDocument: trustsRole }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'App', PolicyDocument: TRUST }));
  });
});

describe('Role tags', () => {
  it('[API] TagRole / UntagRole / ListRoleTags, keys case-insensitive, at most 50', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'cost', Value: '42' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'Team', Value: 'red' }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'App' }))).Tags, [{ Key: 'Team', Value: 'red' }, { Key: 'cost', Value: '42' }]);
    assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role!.Tags, [{ Key: 'Team', Value: 'red' }, { Key: 'cost', Value: '42' }]);
    await iam.send(new UntagRoleCommand({ RoleName: 'App', TagKeys: ['cost', 'missing'] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'App' }))).Tags, [{ Key: 'Team', Value: 'red' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(iam.send(new TagRoleCommand({ RoleName: 'App', Tags: many })), 'LimitExceeded', 'The number of tags has reached the maximum limit.');
    await rejects(iam.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })), 'InvalidInput');
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'App' }))).Tags, [{ Key: 'Team', Value: 'red' }], 'a refused TagRole changes nothing');
  });

  it('[API] aws:ResourceTag / iam:ResourceTag of the role and aws:TagKeys are in the context', async () => {
    const keys = await makeUser(iam, 'tagger');
    await grant(
      iam,
      'tagger',
      'red-only',
      doc(
        allow('iam:GetRole', '*', { Condition: { StringEquals: { 'aws:ResourceTag/Team': 'red' } } }),
        allow(['iam:TagRole', 'iam:UntagRole'], '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Team'] }, StringEquals: { 'iam:ResourceTag/Team': 'red' } } }),
      ),
    );
    const tagger = client(keys);
    assert.equal((await tagger.send(new GetRoleCommand({ RoleName: 'App' }))).Role!.RoleName, 'App');
    await rejects(tagger.send(new GetRoleCommand({ RoleName: 'Capped' })), 'AccessDenied');
    await rejects(tagger.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'owner', Value: 'x' }] })), 'AccessDenied');
    await tagger.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'Team', Value: 'red' }] }));
    tagger.destroy();
  });
});

describe('Protected roles', () => {
  before(async () => {
    await protectedRole(s, 'AWSServiceRoleForAutoScaling', '/aws-service-role/autoscaling.amazonaws.com/', 'autoscaling.amazonaws.com');
    await protectedRole(s, 'AWSReservedSSO_Admin_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/');
  });

  it('[SLR] every listed mutation of a service-linked role is UnmodifiableEntity', async () => {
    const name = 'AWSServiceRoleForAutoScaling';
    const refused = [
      new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) }),
      new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'p' }),
      new AttachRolePolicyCommand({ RoleName: name, PolicyArn: ADMIN }),
      new DetachRolePolicyCommand({ RoleName: name, PolicyArn: ADMIN }),
      new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: ADMIN }),
      new DeleteRolePermissionsBoundaryCommand({ RoleName: name }),
      new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: TRUST }),
      new UpdateRoleCommand({ RoleName: name, MaxSessionDuration: 7200 }),
      new DeleteRoleCommand({ RoleName: name }),
    ];
    for (const command of refused) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await rejects(iam.send(command as any), 'UnmodifiableEntity', PROTECTED);
    }
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    assert.deepEqual([role.MaxSessionDuration, role.PermissionsBoundary], [3600, undefined]);
  });

  it('[SLR] description changes and tags are accepted on a service-linked role', async () => {
    const name = 'AWSServiceRoleForAutoScaling';
    assert.equal((await iam.send(new UpdateRoleDescriptionCommand({ RoleName: name, Description: 'scales' }))).Role!.Description, 'scales');
    await iam.send(new UpdateRoleCommand({ RoleName: name, Description: 'scales things' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Description, 'scales things');
    await iam.send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: 'k', Value: 'v' }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags, [{ Key: 'k', Value: 'v' }]);
  });

  it('[SLR] roles under /aws-reserved/ are protected the same way', async () => {
    const name = 'AWSReservedSSO_Admin_0123456789abcdef';
    await rejects(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) })), 'UnmodifiableEntity', `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`);
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: name })), 'UnmodifiableEntity');
    await iam.send(new UpdateRoleDescriptionCommand({ RoleName: name, Description: 'sso' }));
  });
});

describe('DeleteRole', () => {
  it('[API] refuses while inline or managed policies remain, then deletes', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Doomed', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'p', PolicyDocument: doc(allow('s3:*')) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Doomed', PolicyArn: ADMIN }));
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' })), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'Doomed', PolicyArn: ADMIN }));
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' })), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' }));
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'Doomed' })), 'NoSuchEntity', 'The role with name Doomed cannot be found.');
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' })), 'NoSuchEntity', 'The role with name Doomed cannot be found.');
  });

  it('[API] CreateRole answers a 21-character AROA id and no RoleLastUsed; GetRole has RoleLastUsed', async () => {
    const created = (await iam.send(new CreateRoleCommand({ RoleName: 'Fresh', AssumeRolePolicyDocument: TRUST }))).Role!;
    assert.match(created.RoleId!, /^AROA[A-Z2-7]{17}$/);
    assert.equal(created.RoleLastUsed, undefined);
    assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'Fresh' }))).Role!.RoleLastUsed, {});
  });
});

describe('Other clients', () => {
  it('AWS CLI v2: put-role-policy, then get-role-policy decodes the document', async () => {
    const d = doc(allow('sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:q'));
    const put = await awsCli(s.endpoint, ['iam', 'put-role-policy', '--role-name', 'App', '--policy-name', 'cli', '--policy-document', d]);
    assert.equal(put.code, 0, put.stderr);
    const got = await awsCli(s.endpoint, ['iam', 'get-role-policy', '--role-name', 'App', '--policy-name', 'cli']);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual((JSON.parse(got.stdout) as { PolicyDocument: object }).PolicyDocument, JSON.parse(d));
  });

  it('boto3: update_role_description, list_role_tags, and UnmodifiableEntity', async () => {
    const out = await boto3(
      s.endpoint,
      `iam = client('iam')
r = iam.update_role_description(RoleName='App', Description='from boto3')['Role']
t = iam.list_role_tags(RoleName='App')['Tags']
try:
    iam.put_role_policy(RoleName='AWSServiceRoleForAutoScaling', PolicyName='p', PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}')
    code = None
except iam.exceptions.UnmodifiableEntityException as e:
    code = e.response['Error']['Code']
print(json.dumps({'desc': r['Description'], 'tags': t, 'code': code}))`,
    );
    assert.deepEqual(JSON.parse(out), { desc: 'from boto3', tags: [{ Key: 'Team', Value: 'red' }], code: 'UnmodifiableEntity' });
  });
});
