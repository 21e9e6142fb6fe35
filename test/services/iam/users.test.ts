/**
 * IAM users against the real server: lifecycle, paging, rename, tags, inline policies,
 * permissions boundaries, DeleteUser's conflicts, and what a user's policies allow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListGroupsForUserCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, startServer, type Running } from '../../helpers/server.js';
import { allow, decode, iamClient, policyDoc, rejects, userWithKey, whoAmI } from './helpers.js';

const TRUST = policyDoc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });

describe('IAM users', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
  });
  after(async () => server.close());

  it('creates, reads and lists users as IAM returns them', async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'core' }] }));
    const u = created.User!;
    assert.equal(u.UserName, 'alice');
    assert.equal(u.Path, '/eng/');
    assert.equal(u.Arn, `arn:aws:iam::${ACCOUNT}:user/eng/alice`);
    assert.match(u.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.ok(u.CreateDate instanceof Date && Math.abs(u.CreateDate.getTime() - Date.now()) < 60_000);
    assert.deepEqual(u.Tags, [{ Key: 'team', Value: 'core' }]);

    const got = (await iam.send(new GetUserCommand({ UserName: 'ALICE' }))).User!;
    assert.equal(got.UserName, 'alice', 'names are case-insensitive for lookups');
    assert.equal(got.UserId, u.UserId);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'core' }]);

    const listed = await iam.send(new ListUsersCommand({ PathPrefix: '/eng/' }));
    assert.deepEqual(listed.Users!.map((x) => [x.UserName, x.Arn, x.Tags]), [['alice', u.Arn, undefined]], 'ListUsers leaves tags out');
    assert.equal(listed.IsTruncated, false);

    await rejects(iam.send(new CreateUserCommand({ UserName: 'Alice' })), 'EntityAlreadyExists', 'User with name Alice already exists.', 409);
    await rejects(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntity', 'The user with name nobody cannot be found.', 404);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'bad', Path: 'nope' })), 'ValidationError', /path/);
  });

  it('GetUser without a name describes the caller: the root user, or an IAM user itself', async () => {
    const root = (await iam.send(new GetUserCommand({}))).User!;
    assert.equal(root.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(root.UserId, ACCOUNT);
    assert.equal(root.UserName, undefined);

    const bob = await userWithKey(iam, server.endpoint, 'self-bob', policyDoc(allow('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)));
    const me = (await bob.iam.send(new GetUserCommand({}))).User!;
    assert.equal(me.UserName, 'self-bob');
    assert.equal(me.UserId, bob.userId);
    await rejects(
      bob.iam.send(new GetUserCommand({ UserName: 'alice' })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/self-bob is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/eng/alice because no identity-based policy allows the iam:GetUser action`,
      403,
    );
  });

  it('pages ListUsers with Marker and MaxItems, in name order', async () => {
    for (const n of ['page-d', 'page-b', 'page-e', 'page-a', 'page-c']) await iam.send(new CreateUserCommand({ UserName: n, Path: '/paged/' }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const r = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      seen.push(...r.Users!.map((u) => u.UserName!));
      assert.equal(r.IsTruncated, r.Marker !== undefined);
      marker = r.Marker;
      pages++;
    } while (marker);
    assert.deepEqual(seen, ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
    assert.equal(pages, 3);
    // The AWS CLI pages on its own (its paginator follows Marker).
    const cli = await awsCli(server.endpoint, ['iam', 'list-users', '--path-prefix', '/paged/', '--page-size', '2']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Users: { UserName: string }[] }).Users.map((u) => u.UserName), seen);
  });

  it('renames a user and moves it: ARN, access keys and the key’s identity follow', async () => {
    const carol = await userWithKey(iam, server.endpoint, 'carol');
    assert.equal((await whoAmI(carol.sts)).Arn, `arn:aws:iam::${ACCOUNT}:user/carol`);
    await iam.send(new UpdateUserCommand({ UserName: 'carol', NewUserName: 'caroline', NewPath: '/ops/' }));
    await rejects(iam.send(new GetUserCommand({ UserName: 'carol' })), 'NoSuchEntity', 'The user with name carol cannot be found.');
    const renamed = (await iam.send(new GetUserCommand({ UserName: 'caroline' }))).User!;
    assert.equal(renamed.Arn, `arn:aws:iam::${ACCOUNT}:user/ops/caroline`);
    assert.equal(renamed.UserId, carol.userId);
    const who = await whoAmI(carol.sts);
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/ops/caroline`);
    assert.equal(who.UserId, carol.userId);
    await iam.send(new CreateUserCommand({ UserName: 'taken' }));
    await rejects(iam.send(new UpdateUserCommand({ UserName: 'caroline', NewUserName: 'TAKEN' })), 'EntityAlreadyExists', 'User with name TAKEN already exists.');
    await rejects(iam.send(new UpdateUserCommand({ UserName: 'ghost', NewUserName: 'x' })), 'NoSuchEntity', 'The user with name ghost cannot be found.');
  });

  it('tags and untags users', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tagged' }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }] }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'K1', Value: 'new' }] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'K1', Value: 'new' }, { Key: 'k2', Value: 'v2' }]);
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['k1'] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'k2', Value: 'v2' }]);
    await rejects(
      iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })),
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
    await rejects(iam.send(new ListUserTagsCommand({ UserName: 'nobody' })), 'NoSuchEntity', 'The user with name nobody cannot be found.');
  });

  it('stores inline policies, validates them, and enforces the 2,048-character user quota', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'inline' }));
    const doc = policyDoc(allow('s3:ListBucket', 'arn:aws:s3:::b'));
    await iam.send(new PutUserPolicyCommand({ UserName: 'inline', PolicyName: 'p2', PolicyDocument: doc }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'inline', PolicyName: 'p1', PolicyDocument: doc }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'inline', PolicyName: 'p1' }));
    assert.equal(got.UserName, 'inline');
    assert.equal(got.PolicyName, 'p1');
    assert.deepEqual(decode(got.PolicyDocument), JSON.parse(doc));
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'inline' }))).PolicyNames, ['p1', 'p2']);
    // boto3 decodes the URL-encoded document into a dict, as it does with AWS.
    const py = await boto3(server.endpoint, "r = client('iam').get_user_policy(UserName='inline', PolicyName='p2')\nprint(json.dumps(r['PolicyDocument']))");
    assert.deepEqual(JSON.parse(py), JSON.parse(doc));

    await rejects(iam.send(new PutUserPolicyCommand({ UserName: 'inline', PolicyName: 'bad', PolicyDocument: '{"Version":"2012-10-17"' })), 'MalformedPolicyDocument', /.+/, 400);
    await rejects(iam.send(new GetUserPolicyCommand({ UserName: 'inline', PolicyName: 'none' })), 'NoSuchEntity', 'The user policy with name none cannot be found.');

    // The quota is on all of a user's inline policies together, white space aside: 964 + 110 + 1,254.
    const big = (n: number): string => policyDoc(allow('s3:GetObject', Array.from({ length: n }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(4, '0')}/*`)));
    await iam.send(new PutUserPolicyCommand({ UserName: 'inline', PolicyName: 'p1', PolicyDocument: big(30) }));
    await rejects(
      iam.send(new PutUserPolicyCommand({ UserName: 'inline', PolicyName: 'p3', PolicyDocument: big(40) })),
      'LimitExceeded',
      'Maximum policy size of 2048 bytes exceeded for user inline',
      409,
    );
    // Replacing a policy counts its new size, not both (1,834 + 110).
    await iam.send(new PutUserPolicyCommand({ UserName: 'inline', PolicyName: 'p1', PolicyDocument: big(60) }));
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'inline', PolicyName: 'p1' }));
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'inline' }))).PolicyNames, ['p2']);
    await rejects(iam.send(new DeleteUserPolicyCommand({ UserName: 'inline', PolicyName: 'p1' })), 'NoSuchEntity', 'The user policy with name p1 cannot be found.');
  });

  it('denies what no identity-based policy allows, with AWS’s message', async () => {
    const dan = await userWithKey(iam, server.endpoint, 'dan', policyDoc(allow('iam:ListRoles')));
    assert.ok(Array.isArray((await dan.iam.send(new ListRolesCommand({}))).Roles), 'iam:ListRoles is allowed');
    await rejects(
      dan.iam.send(new CreateRoleCommand({ RoleName: 'dan-role', AssumeRolePolicyDocument: TRUST })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/dan is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${ACCOUNT}:role/dan-role because no identity-based policy allows the iam:CreateRole action`,
      403,
    );
  });

  it('a permissions boundary caps what the user’s policies allow', async () => {
    const eve = await userWithKey(iam, server.endpoint, 'eve', policyDoc(allow(['iam:CreateRole', 'iam:GetRole'])));
    const created = await eve.iam.send(new CreateRoleCommand({ RoleName: 'eve-role-1', AssumeRolePolicyDocument: TRUST }));
    assert.equal(created.Role!.Arn, `arn:aws:iam::${ACCOUNT}:role/eve-role-1`);

    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'eve', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: 'eve' }))).User!.PermissionsBoundary, {
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    await rejects(
      eve.iam.send(new CreateRoleCommand({ RoleName: 'eve-role-2', AssumeRolePolicyDocument: TRUST })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/eve is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${ACCOUNT}:role/eve-role-2 because no permissions boundary allows the iam:CreateRole action`,
    );
    // Allowed by both the policy and ReadOnlyAccess (iam:Get*).
    assert.equal((await eve.iam.send(new GetRoleCommand({ RoleName: 'eve-role-1' }))).Role!.RoleName, 'eve-role-1');

    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'eve' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'eve' }))).User!.PermissionsBoundary, undefined);
    await eve.iam.send(new CreateRoleCommand({ RoleName: 'eve-role-2', AssumeRolePolicyDocument: TRUST }));

    await rejects(
      iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'eve', PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/missing` })),
      'NoSuchEntity',
      `Scope ARN: arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.`,
    );
  });

  it('the iam:PermissionsBoundary condition key lets an admin require a boundary', async () => {
    const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const admin = await userWithKey(
      iam,
      server.endpoint,
      'delegated-admin',
      policyDoc({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*', Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } } }, allow('iam:PutUserPermissionsBoundary')),
    );
    await rejects(admin.iam.send(new CreateUserCommand({ UserName: 'unbounded' })), 'AccessDenied', /because no identity-based policy allows the iam:CreateUser action$/);
    const u = await admin.iam.send(new CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: boundary }));
    assert.equal(u.User!.PermissionsBoundary?.PermissionsBoundaryArn, boundary);
  });

  it('refuses to delete a user until its subordinate entities are gone', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'doomed' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'doomed-group' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'doomed', Password: 'Corr3ct-Horse!' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'doomed' }));
    await iam.send(new AddUserToGroupCommand({ UserName: 'doomed', GroupName: 'doomed-group' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'doomed', PolicyName: 'p', PolicyDocument: policyDoc(allow('s3:*')) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'doomed', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const conflict = (message: string): Promise<void> => rejects(iam.send(new DeleteUserCommand({ UserName: 'doomed' })), 'DeleteConflict', message, 409);

    await conflict('Cannot delete entity, must delete login profile first.');
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'doomed' }));
    await conflict('Cannot delete entity, must delete access keys first.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'doomed', AccessKeyId: key.AccessKey!.AccessKeyId! }));
    await conflict('Cannot delete entity, must remove user from all groups first.');
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'doomed' }))).Groups!.map((g) => g.GroupName), ['doomed-group']);
    await iam.send(new RemoveUserFromGroupCommand({ UserName: 'doomed', GroupName: 'doomed-group' }));
    await conflict('Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'doomed', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await conflict('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'doomed', PolicyName: 'p' }));

    await iam.send(new DeleteUserCommand({ UserName: 'doomed' }));
    await rejects(iam.send(new GetUserCommand({ UserName: 'doomed' })), 'NoSuchEntity', 'The user with name doomed cannot be found.');
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'doomed' })), 'NoSuchEntity', 'The user with name doomed cannot be found.');
  });

  it('the AWS CLI reads users as the SDK does', async () => {
    const cli = await awsCli(server.endpoint, ['iam', 'get-user', '--user-name', 'alice']);
    assert.equal(cli.code, 0, cli.stderr);
    const u = (JSON.parse(cli.stdout) as { User: { UserName: string; Arn: string; Path: string; Tags: unknown } }).User;
    assert.deepEqual([u.UserName, u.Arn, u.Path, u.Tags], ['alice', `arn:aws:iam::${ACCOUNT}:user/eng/alice`, '/eng/', [{ Key: 'team', Value: 'core' }]]);
    const missing = await awsCli(server.endpoint, ['iam', 'delete-user', '--user-name', 'nobody']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(NoSuchEntity\) when calling the DeleteUser operation: The user with name nobody cannot be found\./);
  });
});
