/**
 * IAM groups against the real server: lifecycle, membership, inline policies (and that
 * they apply to members only while they are members), DeleteGroup's conflicts, paging.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, startServer, type Running } from '../../helpers/server.js';
import { allow, decode, iamClient, policyDoc, rejects, userWithKey } from './helpers.js';

describe('IAM groups', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
  });
  after(async () => server.close());

  it('creates, reads, lists, renames and deletes groups', async () => {
    const g = (await iam.send(new CreateGroupCommand({ GroupName: 'devs', Path: '/eng/' }))).Group!;
    assert.equal(g.GroupName, 'devs');
    assert.equal(g.Path, '/eng/');
    assert.equal(g.Arn, `arn:aws:iam::${ACCOUNT}:group/eng/devs`);
    assert.match(g.GroupId!, /^AGPA[A-Z2-7]{17}$/);
    await iam.send(new CreateGroupCommand({ GroupName: 'admins' }));
    await rejects(iam.send(new CreateGroupCommand({ GroupName: 'DEVS' })), 'EntityAlreadyExists', 'Group with name DEVS already exists.', 409);

    const got = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
    assert.deepEqual([got.Group!.GroupId, got.Group!.Arn, got.Users, got.IsTruncated], [g.GroupId, g.Arn, [], false]);
    assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups!.map((x) => x.GroupName), ['admins', 'devs']);
    assert.deepEqual((await iam.send(new ListGroupsCommand({ PathPrefix: '/eng/' }))).Groups!.map((x) => x.GroupName), ['devs']);

    await iam.send(new UpdateGroupCommand({ GroupName: 'devs', NewGroupName: 'developers', NewPath: '/rd/' }));
    await rejects(iam.send(new GetGroupCommand({ GroupName: 'devs' })), 'NoSuchEntity', 'The group with name devs cannot be found.', 404);
    const renamed = (await iam.send(new GetGroupCommand({ GroupName: 'developers' }))).Group!;
    assert.deepEqual([renamed.GroupId, renamed.Arn, renamed.Path], [g.GroupId, `arn:aws:iam::${ACCOUNT}:group/rd/developers`, '/rd/']);
    await rejects(iam.send(new UpdateGroupCommand({ GroupName: 'developers', NewGroupName: 'Admins' })), 'EntityAlreadyExists', 'Group with name Admins already exists.');
    await rejects(iam.send(new UpdateGroupCommand({ GroupName: 'nope', NewGroupName: 'x' })), 'NoSuchEntity', 'The group with name nope cannot be found.');

    await iam.send(new DeleteGroupCommand({ GroupName: 'developers' }));
    await rejects(iam.send(new DeleteGroupCommand({ GroupName: 'developers' })), 'NoSuchEntity', 'The group with name developers cannot be found.');
  });

  it('adds and removes members; GetGroup pages its users', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'team' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'other' }));
    for (const n of ['m1', 'm2', 'm3']) {
      await iam.send(new CreateUserCommand({ UserName: n }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'team', UserName: n }));
    }
    await iam.send(new AddUserToGroupCommand({ GroupName: 'team', UserName: 'm1' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'other', UserName: 'm1' }));
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'm1' }))).Groups!.map((x) => x.GroupName), ['team', 'other']);

    const first = await iam.send(new GetGroupCommand({ GroupName: 'team', MaxItems: 2 }));
    assert.deepEqual(first.Users!.map((u) => u.UserName), ['m1', 'm2']);
    assert.equal(first.IsTruncated, true);
    const rest = await iam.send(new GetGroupCommand({ GroupName: 'team', Marker: first.Marker! }));
    assert.deepEqual([rest.Users!.map((u) => u.UserName), rest.IsTruncated, rest.Marker], [['m3'], false, undefined]);

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'team', UserName: 'm2' }));
    // Removing a user that is not a member succeeds, as in IAM.
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'team', UserName: 'm2' }));
    assert.deepEqual((await iam.send(new GetGroupCommand({ GroupName: 'team' }))).Users!.map((u) => u.UserName), ['m1', 'm3']);

    await rejects(iam.send(new AddUserToGroupCommand({ GroupName: 'team', UserName: 'nobody' })), 'NoSuchEntity', 'The user with name nobody cannot be found.');
    await rejects(iam.send(new AddUserToGroupCommand({ GroupName: 'none', UserName: 'm1' })), 'NoSuchEntity', 'The group with name none cannot be found.');
    // IAM checks the user before the group.
    await rejects(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'none', UserName: 'nobody' })), 'NoSuchEntity', 'The user with name nobody cannot be found.');

    const cli = await awsCli(server.endpoint, ['iam', 'get-group', '--group-name', 'team']);
    assert.equal(cli.code, 0, cli.stderr);
    const out = JSON.parse(cli.stdout) as { Group: { GroupName: string }; Users: { UserName: string }[] };
    assert.deepEqual([out.Group.GroupName, out.Users.map((u) => u.UserName)], ['team', ['m1', 'm3']]);
  });

  it('a group’s policies apply to its members, and stop applying when they leave', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'readers' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'list-users', PolicyDocument: policyDoc(allow('iam:ListUsers')) }));
    const frank = await userWithKey(iam, server.endpoint, 'frank');
    const denied = `User: arn:aws:iam::${ACCOUNT}:user/frank is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`;
    await rejects(frank.iam.send(new ListUsersCommand({})), 'AccessDenied', denied, 403);

    await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'frank' }));
    const listed = await frank.iam.send(new ListUsersCommand({}));
    assert.ok(listed.Users!.some((u) => u.UserName === 'frank'));

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'frank' }));
    await rejects(frank.iam.send(new ListUsersCommand({})), 'AccessDenied', denied);

    // A group policy change reaches members at once.
    await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'frank' }));
    await frank.iam.send(new ListUsersCommand({}));
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'list-users' }));
    await rejects(frank.iam.send(new ListUsersCommand({})), 'AccessDenied', denied);
  });

  it('stores group inline policies within the 5,120-character quota', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'policied' }));
    const doc = policyDoc(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'b', PolicyDocument: doc }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'a', PolicyDocument: doc }));
    const got = await iam.send(new GetGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'a' }));
    assert.deepEqual([got.GroupName, got.PolicyName, decode(got.PolicyDocument)], ['policied', 'a', JSON.parse(doc)]);
    assert.deepEqual((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'policied' }))).PolicyNames, ['a', 'b']);
    const page1 = await iam.send(new ListGroupPoliciesCommand({ GroupName: 'policied', MaxItems: 1 }));
    assert.deepEqual([page1.PolicyNames, page1.IsTruncated], [['a'], true]);
    await rejects(iam.send(new GetGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'c' })), 'NoSuchEntity', 'The group policy with name c cannot be found.');

    // 170 resources of 29 characters: about 5,000 characters, over the quota with the others.
    const big = policyDoc(allow('s3:GetObject', Array.from({ length: 170 }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(4, '0')}/*`)));
    await rejects(iam.send(new PutGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'big', PolicyDocument: big })), 'LimitExceeded', 'Maximum policy size of 5120 bytes exceeded for group policied', 409);
    await rejects(
      iam.send(new PutGroupPolicyCommand({ GroupName: 'policied', PolicyName: 'bad', PolicyDocument: policyDoc({ Effect: 'Allow', Action: 's3:GetObject' }) })),
      'MalformedPolicyDocument',
      /.+/,
    );
  });

  it('refuses to delete a group with members or policies', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'sticky' }));
    await iam.send(new CreateUserCommand({ UserName: 'stuck' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'sticky', UserName: 'stuck' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'sticky', PolicyName: 'p', PolicyDocument: policyDoc(allow('s3:*')) }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'sticky', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const conflict = (message: string): Promise<void> => rejects(iam.send(new DeleteGroupCommand({ GroupName: 'sticky' })), 'DeleteConflict', message, 409);
    await conflict('Cannot delete entity, must remove users from group first.');
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'sticky', UserName: 'stuck' }));
    await conflict('Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'sticky', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await conflict('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'sticky', PolicyName: 'p' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'sticky' }));
    assert.ok(!(await iam.send(new ListGroupsCommand({}))).Groups!.some((g) => g.GroupName === 'sticky'));
  });

  it('pages ListGroups', async () => {
    for (const n of ['pg-c', 'pg-a', 'pg-b']) await iam.send(new CreateGroupCommand({ GroupName: n, Path: '/pg/' }));
    const a = await iam.send(new ListGroupsCommand({ PathPrefix: '/pg/', MaxItems: 2 }));
    const b = await iam.send(new ListGroupsCommand({ PathPrefix: '/pg/', MaxItems: 2, Marker: a.Marker! }));
    assert.deepEqual([...a.Groups!, ...b.Groups!].map((g) => g.GroupName), ['pg-a', 'pg-b', 'pg-c']);
    assert.deepEqual([a.IsTruncated, b.IsTruncated], [true, false]);
  });
});
