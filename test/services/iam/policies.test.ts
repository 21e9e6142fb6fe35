/**
 * Managed policies and their attachments, against a real server: customer managed
 * policies and versions, AWS managed policies from the catalog, attachments to users,
 * groups and roles, and the decisions they change. [API] is the IAM API Reference page of
 * the operation; [Quotas] "IAM and AWS STS quotas".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateUserCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetUserCommand,
  PutUserPermissionsBoundaryCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  ListRolesCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  type Policy,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, doc, makeUser, rejects, roleSession } from './helpers.js';
import { KIND, type GroupRecord, type UserRecord } from '../../../src/services/iam/records.js';
import { awsId } from '../../../src/auth/credentials.js';
import { iamChanged } from '../../../src/services/iam/policy-source.js';

// ---------------------------------------------------------------------------------------
// Helpers

const TRUST = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** A group with members: CreateGroup + AddUserToGroup, or the same records written directly while those operations are not served yet. */
async function makeGroup(s: Running, iam: IAMClient, name: string, members: string[] = []): Promise<void> {
  try {
    await iam.send(new CreateGroupCommand({ GroupName: name }));
    for (const m of members) await iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: m }));
    return;
  } catch (e) {
    if ((e as { Code?: string }).Code !== 'InvalidAction') throw e;
  }
  const group: GroupRecord = { GroupName: name, GroupId: awsId('AGPA', 17), Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, Path: '/', CreateDate: new Date().toISOString(), AttachedPolicies: [] };
  await s.gatehouse.store.transaction(async (tx) => {
    await tx.insert(ACCOUNT, KIND.group, group.GroupId, group, { name });
    for (const m of members) {
      const u = await tx.getByName<UserRecord>(ACCOUNT, KIND.user, m);
      await tx.update(ACCOUNT, KIND.user, u!.UserId, { ...u!, Groups: [...u!.Groups, group.GroupId] });
    }
  });
  iamChanged();
}

let s: Running;
let iam: IAMClient;
const client = (keys: Keys): IAMClient => new IAMClient(clientConfig(s.endpoint, keys));

before(async () => {
  s = await startServer();
  iam = client({ accessKeyId: 'test', secretAccessKey: 'test' });
});
after(async () => {
  iam?.destroy();
  await s?.close();
});

// ---------------------------------------------------------------------------------------

describe('CreatePolicy / GetPolicy', () => {
  it('[API] creates a customer managed policy at v1 and GetPolicy returns it with its description and tags', async () => {
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'ReadBuckets', Path: '/team/', PolicyDocument: doc(allow('s3:Get*')), Description: 'reads', Tags: [{ Key: 'team', Value: 'blue' }] }),
    );
    const p = created.Policy!;
    assert.equal(p.Arn, `arn:aws:iam::${ACCOUNT}:policy/team/ReadBuckets`);
    assert.equal(p.PolicyName, 'ReadBuckets');
    assert.equal(p.Path, '/team/');
    assert.match(p.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(p.DefaultVersionId, 'v1');
    assert.equal(p.AttachmentCount, 0);
    assert.equal(p.PermissionsBoundaryUsageCount, 0);
    assert.equal(p.IsAttachable, true);
    assert.deepEqual(p.Tags, [{ Key: 'team', Value: 'blue' }]);
    assert.equal(p.Description, undefined, 'CreatePolicy does not answer the description');
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy!;
    assert.equal(got.Description, 'reads');
    assert.equal(got.PolicyId, p.PolicyId);
    assert.deepEqual(got.CreateDate, p.CreateDate);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'blue' }]);
    const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v1' }))).PolicyVersion!;
    assert.equal(v.IsDefaultVersion, true);
    assert.equal(decodeURIComponent(v.Document!), doc(allow('s3:Get*')), 'the document comes back URL-encoded, as written');
  });

  it('[API] refuses a duplicate name (whatever its case or path), a malformed document and one over 6,144 characters', async () => {
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'readbuckets', PolicyDocument: doc(allow('s3:Get*')) })), 'EntityAlreadyExists', 'A policy called readbuckets already exists. Duplicate names are not allowed.');
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'NoVersion', PolicyDocument: JSON.stringify({ Statement: [allow('s3:*')] }) })), 'MalformedPolicyDocument', 'Policy document must be version 2012-10-17 or greater.');
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: '{"Version":"2012-10-17","Statement":' })), 'MalformedPolicyDocument', 'Syntax errors in policy.');
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'Principal', PolicyDocument: doc({ ...allow('s3:*'), Principal: '*' }) })), 'MalformedPolicyDocument', 'Policy document should not specify a principal.');
    const big = doc(allow(Array.from({ length: 400 }, (_, i) => `s3:Get${'x'.repeat(6)}${i}`)));
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'Big', PolicyDocument: big })), 'LimitExceeded', 'Cannot exceed quota for PolicySize: 6144');
    // White space does not count toward the quota.
    const padded = JSON.stringify(JSON.parse(doc(allow(Array.from({ length: 200 }, (_, i) => `s3:Get${i}`)))), null, 40);
    assert.ok(padded.length > 6144);
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Padded', PolicyDocument: padded }));
  });

  it('[API] GetPolicy on a missing policy is NoSuchEntity; a malformed ARN is InvalidInput', async () => {
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Nope` })), 'NoSuchEntity', `Policy arn:aws:iam::${ACCOUNT}:policy/Nope was not found.`);
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:role/NotAPolicy` })), 'InvalidInput', `ARN arn:aws:iam::${ACCOUNT}:role/NotAPolicy is not valid.`);
  });

  it('a policy looked up before it existed is found once created (managed documents are cached, and CreatePolicy refreshes them)', async () => {
    const later = `arn:aws:iam::${ACCOUNT}:policy/CreatedLater`;
    await iam.send(new CreateUserCommand({ UserName: 'bounded-later' }));
    await rejects(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded-later', PermissionsBoundary: later })), 'NoSuchEntity');
    await iam.send(new CreatePolicyCommand({ PolicyName: 'CreatedLater', PolicyDocument: doc(allow('s3:*')) }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded-later', PermissionsBoundary: later }));
    const user = await iam.send(new GetUserCommand({ UserName: 'bounded-later' }));
    assert.equal(user.User!.PermissionsBoundary?.PermissionsBoundaryArn, later);
    // Leave the account as it was: other tests count the policies used as boundaries.
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded-later' }));
    await iam.send(new DeleteUserCommand({ UserName: 'bounded-later' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: later }));
  });
});

describe('Policy versions', () => {
  let arn: string;
  before(async () => {
    arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Versioned', PolicyDocument: doc(allow('s3:GetObject')) }))).Policy!.Arn!;
  });

  it('[API] CreatePolicyVersion numbers versions, SetAsDefault moves the default, UpdateDate follows the newest version', async () => {
    const v2 = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('s3:PutObject')) }))).PolicyVersion!;
    assert.equal(v2.VersionId, 'v2');
    assert.equal(v2.IsDefaultVersion, false);
    assert.equal(v2.Document, undefined, 'CreatePolicyVersion does not echo the document');
    let p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    assert.equal(p.DefaultVersionId, 'v1');
    assert.deepEqual(p.UpdateDate, v2.CreateDate);
    const v3 = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('s3:DeleteObject')), SetAsDefault: true }))).PolicyVersion!;
    assert.equal(v3.IsDefaultVersion, true);
    p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    assert.equal(p.DefaultVersionId, 'v3');
    const list = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    assert.deepEqual(
      list.map((v) => [v.VersionId, v.IsDefaultVersion, v.Document]),
      [
        ['v3', true, undefined],
        ['v2', false, undefined],
        ['v1', false, undefined],
      ],
    );
  });

  it('[Quotas] a managed policy holds at most 5 versions; deleted version numbers are never reused', async () => {
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('s3:ListBucket')) }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('s3:ListAllMyBuckets')) }));
    await rejects(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('s3:*')) })),
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    const v6 = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('s3:*')) }))).PolicyVersion!;
    assert.equal(v6.VersionId, 'v6');
    const ids = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!.map((v) => v.VersionId);
    assert.deepEqual(ids, ['v6', 'v5', 'v4', 'v3', 'v1']);
  });

  it('[API] the default version cannot be deleted; unknown versions are NoSuchEntity; SetDefaultPolicyVersion switches', async () => {
    await rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })), 'DeleteConflict', 'Cannot delete the default version of a policy.');
    await rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })), 'NoSuchEntity', `Policy ${arn} version v2 does not exist or is not attachable.`);
    await rejects(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })), 'NoSuchEntity', `Policy ${arn} version v9 does not exist or is not attachable.`);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    assert.deepEqual(versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId), ['v1']);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId, 'v1');
    await rejects(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })), 'NoSuchEntity');
  });
});

describe('DeletePolicy', () => {
  it('[API] refuses while attached or while non-default versions exist, then deletes the policy with its default version', async () => {
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'ToDelete', PolicyDocument: doc(allow('sqs:*')) }))).Policy!.Arn!;
    await iam.send(new CreateRoleCommand({ RoleName: 'DeleteHolder', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'DeleteHolder', PolicyArn: arn }));
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'DeleteHolder', PolicyArn: arn }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('sns:*')) }));
    await rejects(
      iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: arn })), 'NoSuchEntity', `Policy ${arn} was not found.`);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'NoSuchEntity', `Policy ${arn} was not found.`);
    // The name is free again.
    await iam.send(new CreatePolicyCommand({ PolicyName: 'ToDelete', PolicyDocument: doc(allow('sqs:*')) }));
  });

  it('AWS managed policies cannot be changed from an account', async () => {
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: ADMIN })), 'AccessDenied', 'Policy is outside your own account.');
    await rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: ADMIN, PolicyDocument: doc(allow('s3:*')) })), 'AccessDenied');
  });
});

describe('AWS managed policies', () => {
  it('[API] GetPolicy answers AdministratorAccess with its real ARN, path, default version and dates; GetPolicyVersion its document', async () => {
    const p = (await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy!;
    assert.equal(p.PolicyName, 'AdministratorAccess');
    assert.equal(p.Arn, ADMIN);
    assert.equal(p.Path, '/');
    assert.equal(p.DefaultVersionId, 'v1');
    assert.equal(p.IsAttachable, true);
    assert.deepEqual(p.CreateDate, new Date('2015-02-06T18:39:46Z'));
    assert.match(p.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy!.PolicyId, p.PolicyId, 'a stable id');
    const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: ADMIN, VersionId: 'v1' }))).PolicyVersion!;
    assert.equal(v.IsDefaultVersion, true);
    assert.deepEqual(JSON.parse(decodeURIComponent(v.Document!)), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  });

  it('[API] a policy with a history lists its versions, the default among them; paths such as /service-role/ are kept', async () => {
    const arn = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
    const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    assert.equal(p.Path, '/service-role/');
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    assert.ok(versions.length >= 1);
    assert.deepEqual(versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId), [p.DefaultVersionId]);
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchManagedPolicy' })), 'NoSuchEntity', 'Policy arn:aws:iam::aws:policy/NoSuchManagedPolicy was not found.');
  });

  it('[API] ListPolicies Scope=AWS pages through every AWS managed policy quickly; Local lists only the account\'s', async () => {
    const started = Date.now();
    const all: Policy[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 500, Marker: marker }));
      all.push(...page.Policies!);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    assert.ok(all.length > 1500, `${all.length} AWS managed policies`);
    assert.ok(all.every((p) => p.Arn!.startsWith('arn:aws:iam::aws:policy/')));
    assert.equal(new Set(all.map((p) => p.Arn)).size, all.length, 'no policy twice across pages');
    assert.ok(all.some((p) => p.Arn === ADMIN));
    assert.ok(Date.now() - started < 5000, `listing took ${Date.now() - started} ms`);
    const serviceRole = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', PathPrefix: '/service-role/', MaxItems: 1000 }));
    assert.ok(serviceRole.Policies!.length > 100 && serviceRole.Policies!.every((p) => p.Path === '/service-role/'));
    const local = (await iam.send(new ListPoliciesCommand({ Scope: 'Local', MaxItems: 1000 }))).Policies!;
    assert.ok(local.length > 0 && local.every((p) => p.Arn!.startsWith(`arn:aws:iam::${ACCOUNT}:policy/`)));
    assert.ok(local.every((p) => p.Tags === undefined && p.Description === undefined), 'listings leave tags and descriptions out');
    const team = (await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/team/' }))).Policies!;
    assert.deepEqual(team.map((p) => p.PolicyName), ['ReadBuckets']);
  });
});

describe('Attachments', () => {
  it('[API] an attached customer managed policy takes effect for a user immediately; a new default version changes the decision', async () => {
    const keys = await makeUser(iam, 'alice');
    const alice = client(keys);
    await rejects(alice.send(new ListRolesCommand({})), 'AccessDenied', `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action`);
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'ListRolesOnly', PolicyDocument: doc(allow('iam:ListRoles')) }))).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    assert.ok(Array.isArray((await alice.send(new ListRolesCommand({}))).Roles));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 1);
    assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies, [{ PolicyName: 'ListRolesOnly', PolicyArn: arn }]);
    // A new version that is not the default changes nothing; made default, it does.
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('iam:GetRole')) }));
    await alice.send(new ListRolesCommand({}));
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    await rejects(alice.send(new ListRolesCommand({})), 'AccessDenied');
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow('iam:List*')), SetAsDefault: true }));
    await alice.send(new ListRolesCommand({}));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    await rejects(alice.send(new ListRolesCommand({})), 'AccessDenied');
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 0);
    alice.destroy();
  });

  it('[API] attaching AdministratorAccess lets a role session do anything, and counts the attachment per account', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Admin', AssumeRolePolicyDocument: TRUST }));
    const session = client(await roleSession(s, 'Admin'));
    await rejects(session.send(new CreatePolicyCommand({ PolicyName: 'FromSession', PolicyDocument: doc(allow('s3:*')) })), 'AccessDenied', /assumed-role\/Admin\/test is not authorized to perform: iam:CreatePolicy/);
    const before = (await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy!.AttachmentCount!;
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Admin', PolicyArn: ADMIN }));
    // Attaching again is accepted and changes nothing.
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Admin', PolicyArn: ADMIN }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy!.AttachmentCount, before + 1);
    const created = await session.send(new CreatePolicyCommand({ PolicyName: 'FromSession', PolicyDocument: doc(allow('s3:*')) }));
    assert.equal(created.Policy!.PolicyName, 'FromSession');
    await session.send(new ListPoliciesCommand({ Scope: 'Local' }));
    const attached = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
    assert.deepEqual(attached.Policies!.map((p) => [p.Arn, p.AttachmentCount]), [[ADMIN, before + 1]]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: ADMIN }));
    assert.deepEqual(entities.PolicyRoles!.map((r) => r.RoleName), ['Admin']);
    assert.deepEqual(entities.PolicyUsers, []);
    session.destroy();
  });

  it('[API] a group\'s attached policy applies to its members', async () => {
    const keys = await makeUser(iam, 'bob');
    await makeGroup(s, iam, 'Readers', ['bob']);
    const bob = client(keys);
    await rejects(bob.send(new ListRolesCommand({})), 'AccessDenied');
    const arn = `arn:aws:iam::${ACCOUNT}:policy/ListRolesOnly`;
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Readers', PolicyArn: arn }));
    await bob.send(new ListRolesCommand({}));
    assert.deepEqual((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'Readers' }))).AttachedPolicies!.map((a) => a.PolicyArn), [arn]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    assert.deepEqual(entities.PolicyGroups, [{ GroupName: 'Readers', GroupId: entities.PolicyGroups![0]!.GroupId }]);
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'Readers', PolicyArn: arn }));
    await rejects(bob.send(new ListRolesCommand({})), 'AccessDenied');
    bob.destroy();
  });

  it('[Quotas] at most 10 managed policies per role, user and group', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Crowded', AssumeRolePolicyDocument: TRUST }));
    const names = ['AmazonS3ReadOnlyAccess', 'AmazonEC2ReadOnlyAccess', 'IAMReadOnlyAccess', 'AmazonSQSReadOnlyAccess', 'AmazonSNSReadOnlyAccess', 'AWSLambda_ReadOnlyAccess', 'AmazonDynamoDBReadOnlyAccess', 'CloudWatchReadOnlyAccess', 'AmazonRDSReadOnlyAccess', 'ReadOnlyAccess'];
    for (const n of names) await iam.send(new AttachRolePolicyCommand({ RoleName: 'Crowded', PolicyArn: `arn:aws:iam::aws:policy/${n}` }));
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'Crowded', PolicyArn: ADMIN })), 'LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 10');
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'Crowded', MaxItems: 4 }));
    assert.equal(listed.AttachedPolicies!.length, 4);
    assert.equal(listed.IsTruncated, true);
    const rest = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'Crowded', Marker: listed.Marker }));
    assert.deepEqual([...listed.AttachedPolicies!, ...rest.AttachedPolicies!].map((a) => a.PolicyName), names);
    await makeUser(iam, 'carol');
    for (const n of names) await iam.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: `arn:aws:iam::aws:policy/${n}` }));
    await rejects(iam.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: ADMIN })), 'LimitExceeded', 'Cannot exceed quota for PoliciesPerUser: 10');
  });

  it('[API] refuses service-role policies, unknown policies, malformed ARNs and detaching what is not attached', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Plain', AssumeRolePolicyDocument: TRUST }));
    await rejects(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy' })),
      'PolicyNotAttachable',
      'Cannot attach a Service Role Policy to a Customer Role.',
    );
    const missing = `arn:aws:iam::${ACCOUNT}:policy/Missing`;
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: missing })), 'NoSuchEntity', `Policy ${missing} does not exist or is not attachable.`);
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: 'arn:aws:iam::aws:policy/NotARealOne' })), 'NoSuchEntity', 'Policy arn:aws:iam::aws:policy/NotARealOne does not exist or is not attachable.');
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: 'not-an-arn-at-all-xx' })), 'InvalidInput', 'ARN not-an-arn-at-all-xx is not valid.');
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'Nobody', PolicyArn: ADMIN })), 'NoSuchEntity', 'The role with name Nobody cannot be found.');
    await rejects(iam.send(new AttachUserPolicyCommand({ UserName: 'nobody', PolicyArn: ADMIN })), 'NoSuchEntity', 'The user with name nobody cannot be found.');
    await rejects(iam.send(new DetachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: ADMIN })), 'NoSuchEntity', `Policy ${ADMIN} was not found.`);
  });

  it('[API] iam:PolicyARN in the context limits which policies a delegate may attach', async () => {
    const keys = await makeUser(iam, 'delegate');
    const allowed = `arn:aws:iam::${ACCOUNT}:policy/ListRolesOnly`;
    const arn = (
      await iam.send(new CreatePolicyCommand({ PolicyName: 'AttachOnlyListRoles', PolicyDocument: doc(allow('iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/*`, { Condition: { ArnEquals: { 'iam:PolicyARN': allowed } } })) }))
    ).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'delegate', PolicyArn: arn }));
    const delegate = client(keys);
    await delegate.send(new AttachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: allowed }));
    await rejects(delegate.send(new AttachRolePolicyCommand({ RoleName: 'Plain', PolicyArn: ADMIN })), 'AccessDenied', /iam:AttachRolePolicy on resource: arn:aws:iam::000000000000:role\/Plain because no identity-based policy allows/);
    delegate.destroy();
  });
});

describe('Policy tags and listings', () => {
  it('[API] TagPolicy / UntagPolicy / ListPolicyTags; aws:ResourceTag of the policy in the context', async () => {
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Tagged', PolicyDocument: doc(allow('s3:*')) }))).Policy!.Arn!;
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'me' }] }));
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'ENV', Value: 'prod' }] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: 'ENV', Value: 'prod' }, { Key: 'owner', Value: 'me' }]);
    await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['owner', 'absent'] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: 'ENV', Value: 'prod' }]);
    const keys = await makeUser(iam, 'tagreader');
    const reader = (
      await iam.send(new CreatePolicyCommand({ PolicyName: 'ReadProdPolicies', PolicyDocument: doc(allow('iam:GetPolicy', '*', { Condition: { StringEquals: { 'aws:ResourceTag/ENV': 'prod' } } })) }))
    ).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'tagreader', PolicyArn: reader }));
    const c = client(keys);
    assert.equal((await c.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.PolicyName, 'Tagged');
    await rejects(c.send(new GetPolicyCommand({ PolicyArn: reader })), 'AccessDenied');
    c.destroy();
  });

  it('[API] ListEntitiesForPolicy filters by entity type and usage (permissions policy or boundary)', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/ListRolesOnly`;
    await iam.send(new CreateRoleCommand({ RoleName: 'Bounded', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: arn }));
    const all = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    assert.deepEqual(all.PolicyRoles!.map((r) => r.RoleName).sort(), ['Bounded', 'Plain']);
    const boundaries = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, PolicyUsageFilter: 'PermissionsBoundary' }));
    assert.deepEqual(boundaries.PolicyRoles!.map((r) => r.RoleName), ['Bounded']);
    const policies = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, PolicyUsageFilter: 'PermissionsPolicy', EntityFilter: 'Role' }));
    assert.deepEqual(policies.PolicyRoles!.map((r) => r.RoleName), ['Plain']);
    assert.deepEqual((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: 'User' }))).PolicyRoles, []);
    const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    assert.equal(p.PermissionsBoundaryUsageCount, 1);
    assert.equal(p.AttachmentCount, 1);
    const usedAsBoundary = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PolicyUsageFilter: 'PermissionsBoundary' }));
    assert.deepEqual(usedAsBoundary.Policies!.map((x) => x.PolicyName), ['ListRolesOnly']);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
  });
});

describe('Other clients', () => {
  it('AWS CLI v2: create-policy, and get-policy on a missing policy', async () => {
    const created = await awsCli(s.endpoint, ['iam', 'create-policy', '--policy-name', 'CliPolicy', '--path', '/cli/', '--policy-document', doc(allow('logs:*'))]);
    assert.equal(created.code, 0, created.stderr);
    const p = (JSON.parse(created.stdout) as { Policy: { Arn: string; DefaultVersionId: string; AttachmentCount: number } }).Policy;
    assert.deepEqual([p.Arn, p.DefaultVersionId, p.AttachmentCount], [`arn:aws:iam::${ACCOUNT}:policy/cli/CliPolicy`, 'v1', 0]);
    const missing = await awsCli(s.endpoint, ['iam', 'get-policy', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/Nope`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(NoSuchEntity\) when calling the GetPolicy operation: Policy arn:aws:iam::000000000000:policy\/Nope was not found\./);
  });

  it('boto3: get_policy_version decodes the document; paginating list_policies', async () => {
    const out = await boto3(
      s.endpoint,
      `iam = client('iam')
v = iam.get_policy_version(PolicyArn='${ADMIN}', VersionId='v1')['PolicyVersion']
n = sum(len(p['Policies']) for p in iam.get_paginator('list_policies').paginate(Scope='AWS'))
print(json.dumps({'doc': v['Document'], 'default': v['IsDefaultVersion'], 'n': n}))`,
    );
    const r = JSON.parse(out) as { doc: object; default: boolean; n: number };
    assert.deepEqual(r.doc, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    assert.equal(r.default, true);
    assert.ok(r.n > 1500);
  });
});
