/**
 * Conformance, output half, for the Identity Store: every implemented operation called
 * through the AWS SDK v3, its output checked against the model (required members, types,
 * enums) and its values compared; a coverage test fails if an implemented operation is missed.
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
import { clientConfig, type Running } from '../helpers/server.js';
import { newIdentityStore, startWithStandIn } from '../services/identitystore/helpers.js';
import { checkOutput } from './model-check.js';

describe('Conformance: Identity Store outputs match the model', () => {
  let server: Running;
  let ids: IdentitystoreClient;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('identitystore', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startWithStandIn();
    ids = new IdentitystoreClient(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('users, groups and memberships lifecycle', async () => {
    const IdentityStoreId = await newIdentityStore(server.endpoint);
    const user = await ids.send(new CreateUserCommand({ IdentityStoreId, UserName: 'jdoe', DisplayName: 'John Doe', Name: { GivenName: 'John', FamilyName: 'Doe' }, Emails: [{ Value: 'jdoe@example.com', Primary: true }] }));
    check('CreateUser', user);
    const UserId = user.UserId!;
    const described = await ids.send(new DescribeUserCommand({ IdentityStoreId, UserId }));
    check('DescribeUser', described);
    assert.deepEqual([described.UserName, described.Name?.FamilyName, described.Emails?.[0]?.Value], ['jdoe', 'Doe', 'jdoe@example.com']);
    check('UpdateUser', await ids.send(new UpdateUserCommand({ IdentityStoreId, UserId, Operations: [{ AttributePath: 'title', AttributeValue: 'Engineer' }] })));
    const users = await ids.send(new ListUsersCommand({ IdentityStoreId, Filters: [{ AttributePath: 'UserName', AttributeValue: 'jdoe' }] }));
    check('ListUsers', users);
    assert.deepEqual(users.Users!.map((u) => [u.UserId, u.Title]), [[UserId, 'Engineer']]);
    const uid = await ids.send(new GetUserIdCommand({ IdentityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'jdoe' } } }));
    check('GetUserId', uid);
    assert.equal(uid.UserId, UserId);

    const group = await ids.send(new CreateGroupCommand({ IdentityStoreId, DisplayName: 'Developers', Description: 'devs' }));
    check('CreateGroup', group);
    const GroupId = group.GroupId!;
    const dg = await ids.send(new DescribeGroupCommand({ IdentityStoreId, GroupId }));
    check('DescribeGroup', dg);
    assert.deepEqual([dg.DisplayName, dg.Description], ['Developers', 'devs']);
    check('UpdateGroup', await ids.send(new UpdateGroupCommand({ IdentityStoreId, GroupId, Operations: [{ AttributePath: 'description', AttributeValue: 'developers' }] })));
    const groups = await ids.send(new ListGroupsCommand({ IdentityStoreId }));
    check('ListGroups', groups);
    assert.deepEqual(groups.Groups!.map((g) => [g.GroupId, g.Description]), [[GroupId, 'developers']]);
    const gid = await ids.send(new GetGroupIdCommand({ IdentityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Developers' } } }));
    check('GetGroupId', gid);
    assert.equal(gid.GroupId, GroupId);

    const membership = await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId, GroupId, MemberId: { UserId } }));
    check('CreateGroupMembership', membership);
    const MembershipId = membership.MembershipId!;
    const dm = await ids.send(new DescribeGroupMembershipCommand({ IdentityStoreId, MembershipId }));
    check('DescribeGroupMembership', dm);
    assert.deepEqual([dm.GroupId, dm.MemberId], [GroupId, { UserId }]);
    const mid = await ids.send(new GetGroupMembershipIdCommand({ IdentityStoreId, GroupId, MemberId: { UserId } }));
    check('GetGroupMembershipId', mid);
    assert.equal(mid.MembershipId, MembershipId);
    const lm = await ids.send(new ListGroupMembershipsCommand({ IdentityStoreId, GroupId }));
    check('ListGroupMemberships', lm);
    assert.deepEqual(lm.GroupMemberships!.map((m) => m.MembershipId), [MembershipId]);
    const lfm = await ids.send(new ListGroupMembershipsForMemberCommand({ IdentityStoreId, MemberId: { UserId } }));
    check('ListGroupMembershipsForMember', lfm);
    assert.deepEqual(lfm.GroupMemberships!.map((m) => m.GroupId), [GroupId]);
    const im = await ids.send(new IsMemberInGroupsCommand({ IdentityStoreId, MemberId: { UserId }, GroupIds: [GroupId] }));
    check('IsMemberInGroups', im);
    assert.equal(im.Results![0]!.MembershipExists, true);

    check('DeleteGroupMembership', await ids.send(new DeleteGroupMembershipCommand({ IdentityStoreId, MembershipId })));
    check('DeleteGroup', await ids.send(new DeleteGroupCommand({ IdentityStoreId, GroupId })));
    check('DeleteUser', await ids.send(new DeleteUserCommand({ IdentityStoreId, UserId })));
  });

  it('covers every implemented Identity Store operation', () => {
    const implemented = server.gatehouse.implementedOperations().identitystore ?? [];
    assert.equal(implemented.length, 19);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
