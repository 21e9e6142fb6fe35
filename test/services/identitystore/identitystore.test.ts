/**
 * The Identity Store through the AWS SDK v3 (and boto3): users, groups, memberships both
 * ways, uniqueness, not-found errors, filters and paging, cascading deletes, IAM denials.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  DescribeGroupCommand,
  DescribeGroupMembershipCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  IsMemberInGroupsCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
  UpdateGroupCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-identitystore';
import { IAMClient } from '@aws-sdk/client-iam';
import { ACCOUNT, boto3, clientConfig, type Running } from '../../helpers/server.js';
import { allow, doc, userWithKey } from '../iam/helpers.js';
import { newIdentityStore, startWithStandIn } from './helpers.js';

interface Failure {
  name: string;
  message: string;
  ResourceType?: string;
  ResourceId?: string;
  Reason?: string;
  $metadata?: { httpStatusCode?: number };
}

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    return e as Failure;
  }
  assert.fail('expected the call to fail');
}

const ID = /^[0-9a-f]{10}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Identity Store', () => {
  let server: Running;
  let ids: IdentitystoreClient;
  let store: string;
  before(async () => {
    server = await startWithStandIn();
    ids = new IdentitystoreClient(clientConfig(server.endpoint));
    store = await newIdentityStore(server.endpoint);
  });
  after(async () => server.close());

  const createUser = async (UserName: string, extra: object = {}): Promise<string> =>
    (await ids.send(new CreateUserCommand({ IdentityStoreId: store, UserName, DisplayName: `${UserName} display`, Name: { GivenName: 'Given', FamilyName: UserName }, ...extra }))).UserId!;
  const createGroup = async (DisplayName: string): Promise<string> => (await ids.send(new CreateGroupCommand({ IdentityStoreId: store, DisplayName }))).GroupId!;

  it('creates stores as AWS names them, and refuses an unknown store', async () => {
    assert.match(store, /^d-[0-9a-f]{10}$/);
    const e = await failure(ids.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' })));
    assert.deepEqual([e.name, e.ResourceType, e.ResourceId, e.$metadata?.httpStatusCode], ['ResourceNotFoundException', 'IDENTITY_STORE', 'd-0000000000', 400]);
    // A store belongs to the region it was created in.
    const other = new IdentitystoreClient(clientConfig(server.endpoint, undefined, 'eu-west-1'));
    assert.equal((await failure(other.send(new ListGroupsCommand({ IdentityStoreId: store })))).ResourceType, 'IDENTITY_STORE');
  });

  it('creates, describes, updates and finds users; user names are unique regardless of case', async () => {
    const userId = await createUser('alice', { Emails: [{ Value: 'alice@example.com', Type: 'work', Primary: true }] });
    assert.match(userId, ID);
    assert.equal(userId.slice(0, 10), store.slice(2));
    const d = await ids.send(new DescribeUserCommand({ IdentityStoreId: store, UserId: userId }));
    assert.deepEqual(
      { UserName: d.UserName, DisplayName: d.DisplayName, Name: d.Name, Emails: d.Emails, UserStatus: d.UserStatus, CreatedBy: d.CreatedBy },
      { UserName: 'alice', DisplayName: 'alice display', Name: { GivenName: 'Given', FamilyName: 'alice' }, Emails: [{ Value: 'alice@example.com', Type: 'work', Primary: true }], UserStatus: 'ENABLED', CreatedBy: `arn:aws:iam::${ACCOUNT}:root` },
    );
    assert.ok(d.CreatedAt instanceof Date);

    const dup = await failure(createUser('ALICE'));
    assert.deepEqual([dup.name, dup.Reason], ['ConflictException', 'UNIQUENESS_CONSTRAINT_VIOLATION']);

    await ids.send(new UpdateUserCommand({ IdentityStoreId: store, UserId: userId, Operations: [{ AttributePath: 'displayName', AttributeValue: 'Alice A.' }, { AttributePath: 'name.givenName', AttributeValue: 'Alicia' }, { AttributePath: 'emails' }] }));
    const u = await ids.send(new DescribeUserCommand({ IdentityStoreId: store, UserId: userId }));
    assert.deepEqual([u.DisplayName, u.Name, u.Emails], ['Alice A.', { GivenName: 'Alicia', FamilyName: 'alice' }, undefined]);

    const bob = await createUser('bob');
    const rename = await failure(ids.send(new UpdateUserCommand({ IdentityStoreId: store, UserId: bob, Operations: [{ AttributePath: 'userName', AttributeValue: 'Alice' }] })));
    assert.equal(rename.name, 'ConflictException');
    assert.equal((await failure(ids.send(new UpdateUserCommand({ IdentityStoreId: store, UserId: bob, Operations: [{ AttributePath: 'noSuchThing', AttributeValue: 'x' }] })))).name, 'ValidationException');

    const got = await ids.send(new GetUserIdCommand({ IdentityStoreId: store, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'BOB' } } }));
    assert.equal(got.UserId, bob);
    const missing = await failure(ids.send(new GetUserIdCommand({ IdentityStoreId: store, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'nobody' } } })));
    assert.deepEqual([missing.name, missing.ResourceType], ['ResourceNotFoundException', 'USER']);

    const unknown = `${store.slice(2)}-00000000-0000-0000-0000-000000000000`;
    const nf = await failure(ids.send(new DescribeUserCommand({ IdentityStoreId: store, UserId: unknown })));
    assert.deepEqual([nf.name, nf.ResourceType, nf.ResourceId, nf.message], ['ResourceNotFoundException', 'USER', unknown, 'USER not found.']);
    assert.equal((await failure(ids.send(new DeleteUserCommand({ IdentityStoreId: store, UserId: unknown })))).ResourceType, 'USER');
  });

  it('lists users with the UserName filter and pages', async () => {
    for (const n of ['p1', 'p2', 'p3']) await createUser(n);
    const all = await ids.send(new ListUsersCommand({ IdentityStoreId: store }));
    const names = all.Users!.map((u) => u.UserName);
    assert.deepEqual(names.slice(-3), ['p1', 'p2', 'p3']);
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const p = await ids.send(new ListUsersCommand({ IdentityStoreId: store, MaxResults: 2, ...(NextToken ? { NextToken } : {}) }));
      assert.ok(p.Users!.length <= 2);
      seen.push(...p.Users!.map((u) => u.UserName!));
      NextToken = p.NextToken;
    } while (NextToken);
    assert.deepEqual(seen, names);
    const filtered = await ids.send(new ListUsersCommand({ IdentityStoreId: store, Filters: [{ AttributePath: 'UserName', AttributeValue: 'P2' }] }));
    assert.deepEqual(filtered.Users!.map((u) => u.UserName), ['p2']);
    assert.equal((await failure(ids.send(new ListUsersCommand({ IdentityStoreId: store, Filters: [{ AttributePath: 'Title', AttributeValue: 'x' }] })))).name, 'ValidationException');
  });

  it('groups: unique display names, update, filter, GetGroupId', async () => {
    const g = await createGroup('Engineers');
    assert.match(g, ID);
    assert.equal((await failure(createGroup('engineers'))).Reason, 'UNIQUENESS_CONSTRAINT_VIOLATION');
    await ids.send(new UpdateGroupCommand({ IdentityStoreId: store, GroupId: g, Operations: [{ AttributePath: 'description', AttributeValue: 'Builds things' }] }));
    const d = await ids.send(new DescribeGroupCommand({ IdentityStoreId: store, GroupId: g }));
    assert.deepEqual([d.DisplayName, d.Description, d.IdentityStoreId], ['Engineers', 'Builds things', store]);
    await createGroup('Operators');
    const f = await ids.send(new ListGroupsCommand({ IdentityStoreId: store, Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'operators' }] }));
    assert.deepEqual(f.Groups!.map((x) => x.DisplayName), ['Operators']);
    const paged = await ids.send(new ListGroupsCommand({ IdentityStoreId: store, MaxResults: 1 }));
    assert.equal(paged.Groups!.length, 1);
    assert.ok(paged.NextToken);
    assert.equal((await ids.send(new GetGroupIdCommand({ IdentityStoreId: store, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'ENGINEERS' } } }))).GroupId, g);
    const nf = await failure(ids.send(new DescribeGroupCommand({ IdentityStoreId: store, GroupId: `${store.slice(2)}-00000000-0000-0000-0000-000000000001` })));
    assert.deepEqual([nf.name, nf.ResourceType], ['ResourceNotFoundException', 'GROUP']);
  });

  it('memberships both ways, IsMemberInGroups, and deletions cascading to memberships', async () => {
    const carol = await createUser('carol');
    const dave = await createUser('dave');
    const admins = await createGroup('Admins');
    const devs = await createGroup('Devs');
    const m1 = (await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: store, GroupId: admins, MemberId: { UserId: carol } }))).MembershipId!;
    await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: store, GroupId: devs, MemberId: { UserId: carol } }));
    await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: store, GroupId: devs, MemberId: { UserId: dave } }));
    const dup = await failure(ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: store, GroupId: admins, MemberId: { UserId: carol } })));
    assert.deepEqual([dup.name, dup.Reason], ['ConflictException', 'UNIQUENESS_CONSTRAINT_VIOLATION']);

    const d = await ids.send(new DescribeGroupMembershipCommand({ IdentityStoreId: store, MembershipId: m1 }));
    assert.deepEqual([d.GroupId, d.MemberId, d.IdentityStoreId], [admins, { UserId: carol }, store]);
    assert.equal((await ids.send(new GetGroupMembershipIdCommand({ IdentityStoreId: store, GroupId: admins, MemberId: { UserId: carol } }))).MembershipId, m1);
    assert.equal((await failure(ids.send(new GetGroupMembershipIdCommand({ IdentityStoreId: store, GroupId: admins, MemberId: { UserId: dave } })))).ResourceType, 'GROUP_MEMBERSHIP');

    const ofDevs = await ids.send(new ListGroupMembershipsCommand({ IdentityStoreId: store, GroupId: devs }));
    assert.deepEqual(ofDevs.GroupMemberships!.map((m) => m.MemberId), [{ UserId: carol }, { UserId: dave }]);
    const ofCarol = await ids.send(new ListGroupMembershipsForMemberCommand({ IdentityStoreId: store, MemberId: { UserId: carol } }));
    assert.deepEqual(ofCarol.GroupMemberships!.map((m) => m.GroupId), [admins, devs]);

    const check = await ids.send(new IsMemberInGroupsCommand({ IdentityStoreId: store, MemberId: { UserId: dave }, GroupIds: [admins, devs] }));
    assert.deepEqual(check.Results!.map((r) => [r.GroupId, r.MembershipExists]), [[admins, false], [devs, true]]);

    // Unknown group or user for a membership.
    const badGroup = await failure(ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: store, GroupId: `${store.slice(2)}-00000000-0000-0000-0000-000000000002`, MemberId: { UserId: carol } })));
    assert.equal(badGroup.ResourceType, 'GROUP');

    // Deleting a user removes its memberships; deleting a group removes the group's.
    await ids.send(new DeleteUserCommand({ IdentityStoreId: store, UserId: carol }));
    assert.deepEqual((await ids.send(new ListGroupMembershipsCommand({ IdentityStoreId: store, GroupId: devs }))).GroupMemberships!.map((m) => m.MemberId), [{ UserId: dave }]);
    assert.equal((await failure(ids.send(new DescribeGroupMembershipCommand({ IdentityStoreId: store, MembershipId: m1 })))).ResourceType, 'GROUP_MEMBERSHIP');
    await ids.send(new DeleteGroupCommand({ IdentityStoreId: store, GroupId: devs }));
    assert.deepEqual((await ids.send(new ListGroupMembershipsForMemberCommand({ IdentityStoreId: store, MemberId: { UserId: dave } }))).GroupMemberships, []);

    const m = (await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: store, GroupId: admins, MemberId: { UserId: dave } }))).MembershipId!;
    await ids.send(new DeleteGroupMembershipCommand({ IdentityStoreId: store, MembershipId: m }));
    assert.equal((await failure(ids.send(new DeleteGroupMembershipCommand({ IdentityStoreId: store, MembershipId: m })))).ResourceType, 'GROUP_MEMBERSHIP');
  });

  it('authorizes against the user and the identity store ARNs, as AWS does', async () => {
    const root = new IAMClient(clientConfig(server.endpoint));
    const reader = await userWithKey(root, server.endpoint, 'idstore-reader', doc(allow(['identitystore:ListUsers', 'identitystore:DescribeUser'], [`arn:aws:identitystore::${ACCOUNT}:identitystore/${store}`, 'arn:aws:identitystore:::user/*'])));
    const as = new IdentitystoreClient(clientConfig(server.endpoint, reader.keys));
    const userId = await createUser('erin');
    assert.equal((await as.send(new DescribeUserCommand({ IdentityStoreId: store, UserId: userId }))).UserName, 'erin');
    assert.ok((await as.send(new ListUsersCommand({ IdentityStoreId: store }))).Users!.length > 0);
    const denied = await failure(as.send(new CreateUserCommand({ IdentityStoreId: store, UserName: 'mallory' })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.$metadata?.httpStatusCode, 400);
    assert.match(denied.message, new RegExp(`is not authorized to perform: identitystore:CreateUser on resource: arn:aws:identitystore::${ACCOUNT}:identitystore/${store} because no identity-based policy allows the identitystore:CreateUser action`));

    // Neither resource allowed: both named, the user's first (as AWS's message shows).
    const none = await userWithKey(root, server.endpoint, 'idstore-none');
    const nobody = new IdentitystoreClient(clientConfig(server.endpoint, none.keys));
    const both = await failure(nobody.send(new DescribeUserCommand({ IdentityStoreId: store, UserId: userId })));
    assert.match(both.message, new RegExp(`on resource: arn:aws:identitystore:::user/${userId} because .*, User: .* on resource: arn:aws:identitystore::${ACCOUNT}:identitystore/${store} because`));
    // Denied before existence is checked: an unknown store is not revealed.
    assert.equal((await failure(nobody.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' })))).name, 'AccessDeniedException');
  });

  it('boto3 reads the same users and groups', async () => {
    const userId = await createUser('frank');
    const out = await boto3(
      server.endpoint,
      `c = client('identitystore')\nu = c.describe_user(IdentityStoreId='${store}', UserId='${userId}')\ng = c.create_group(IdentityStoreId='${store}', DisplayName='Boto Group')\nm = c.create_group_membership(IdentityStoreId='${store}', GroupId=g['GroupId'], MemberId={'UserId': '${userId}'})\nr = c.is_member_in_groups(IdentityStoreId='${store}', MemberId={'UserId': '${userId}'}, GroupIds=[g['GroupId']])\ntry:\n    c.create_group(IdentityStoreId='${store}', DisplayName='boto group')\n    err = None\nexcept c.exceptions.ConflictException as e:\n    err = e.response['Reason']\nprint(json.dumps({'name': u['UserName'], 'given': u['Name']['GivenName'], 'created': isinstance(u['CreatedAt'], datetime), 'member': r['Results'][0]['MembershipExists'], 'conflict': err}))`,
    );
    assert.deepEqual(JSON.parse(out), { name: 'frank', given: 'Given', created: true, member: true, conflict: 'UNIQUENESS_CONSTRAINT_VIOLATION' });
  });
});
