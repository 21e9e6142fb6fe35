/**
 * Directory Service Data through boto3 (botocore's ds-data model; the AWS CLI here, 2.9,
 * predates ds-data) and raw signed requests: the built-in accounts and the SIDs under the
 * domain SID, users and groups with RIDs from 1104, SAM account name uniqueness, group
 * membership both ways with AD's nesting rules, attribute updates, search, paging,
 * ClientToken idempotency, the directory's errors with their reasons, IAM (both
 * ds-data:<Operation> and ds:AccessDSData, the ds-data condition keys) and CloudTrail.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateDirectoryCommand, DirectoryServiceClient } from '@aws-sdk/client-directory-service';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { clientConfig, startServer, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';
import { allow, doc, grant, makeUser } from '../iam/helpers.js';
import { FAST_DS_TIMING, setDirectoryServiceTiming } from '../../../src/services/ds/timing.js';
import { dsData, microsoftAd, network, waitForStage, type ApiError, type Network } from './helpers.js';

interface Summary {
  SAMAccountName: string;
  SID: string;
  Enabled?: boolean;
  GroupScope?: string;
  GroupType?: string;
  MemberType?: string;
}

const SID = /^S-1-5-21-(\d+)-(\d+)-(\d+)$/;

describe('Directory Service Data: users, groups and memberships', () => {
  let server: Running;
  let net: Network;
  let dir: string;
  let domainSid: string;
  const py = <T = Record<string, unknown>>(script: string): Promise<T> => dsData<T>(server.endpoint, script);
  const raw = (path: string, query: Record<string, string>, body: object) =>
    signedRequest(server.endpoint, { service: 'ds-data', path, query, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  before(async () => {
    setDirectoryServiceTiming({ create: 50, delete: 50, dataAccess: 0 });
    server = await startServer();
    net = await network(server.endpoint);
    dir = await microsoftAd(server.endpoint, net);
  });
  after(async () => {
    setDirectoryServiceTiming(FAST_DS_TIMING);
    await server.close();
  });

  it('a new directory holds Admin (RID 500), Domain Admins (512) and Domain Users (513) under a random domain SID', async () => {
    const other = await microsoftAd(server.endpoint, net, 'other.example.com');
    const out = await py<{ users: { Users: Summary[] }; groups: { Groups: Summary[] }; admin: Record<string, unknown>; admins: Record<string, unknown>; other: { Users: Summary[] } }>(`
out = {
  'users': call(dd.list_users, DirectoryId='${dir}'),
  'groups': call(dd.list_groups, DirectoryId='${dir}'),
  'admin': call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='admin', OtherAttributes=['memberOf', 'objectSid']),
  'admins': call(dd.describe_group, DirectoryId='${dir}', SAMAccountName='Domain Admins', OtherAttributes=['member']),
  'other': call(dd.list_users, DirectoryId='${other}'),
}`);
    assert.equal(out.users.Users.length, 1);
    const admin = out.users.Users[0]!;
    assert.equal(admin.SAMAccountName, 'Admin');
    assert.equal(admin.Enabled, true);
    const m = SID.exec(admin.SID.replace(/-500$/, ''));
    assert.ok(m, admin.SID);
    for (const part of m.slice(1)) assert.ok(Number(part) > 0 && Number(part) < 2 ** 32);
    domainSid = admin.SID.replace(/-500$/, '');
    assert.deepEqual(
      out.groups.Groups.map((g) => [g.SAMAccountName, g.SID, g.GroupScope, g.GroupType]),
      [
        ['Domain Admins', `${domainSid}-512`, 'Global', 'Security'],
        ['Domain Users', `${domainSid}-513`, 'Global', 'Security'],
      ],
    );
    assert.deepEqual(out.admin, {
      DirectoryId: dir,
      Realm: 'corp.example.com',
      SAMAccountName: 'Admin',
      SID: `${domainSid}-500`,
      DistinguishedName: 'CN=Admin,OU=Users,OU=CORP,DC=corp,DC=example,DC=com',
      UserPrincipalName: 'Admin@corp.example.com',
      Enabled: true,
      OtherAttributes: { memberOf: { SS: ['CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=com'] }, objectSid: { S: `${domainSid}-500` } },
    });
    assert.deepEqual((out.admins.OtherAttributes as Record<string, unknown>).member, { SS: ['CN=Admin,OU=Users,OU=CORP,DC=corp,DC=example,DC=com'] });
    assert.notEqual(out.other.Users[0]!.SID, admin.SID, 'each directory has its own domain SID');
  });

  it('CreateUser and CreateGroup: SIDs from RID 1104 up; SAM account names unique across users and groups, ignoring case', async () => {
    const out = await py<Record<string, Record<string, unknown>>>(`
out = {
  'alice': call(dd.create_user, DirectoryId='${dir}', SAMAccountName='alice', GivenName='Alice', Surname='Liddell', EmailAddress='alice@example.com', OtherAttributes={'department': {'S': 'Engineering'}, 'otherTelephone': {'SS': ['+1 555 0100']}}),
  'bob': call(dd.create_user, DirectoryId='${dir}', SAMAccountName='bob', GivenName='Bob'),
  'eng': call(dd.create_group, DirectoryId='${dir}', SAMAccountName='eng', OtherAttributes={'description': {'S': 'Engineers'}}),
  'vpn': call(dd.create_group, DirectoryId='${dir}', SAMAccountName='vpn-users', GroupScope='Universal', GroupType='Security'),
  'dupUser': call(dd.create_user, DirectoryId='${dir}', SAMAccountName='ALICE'),
  'dupGroupAsUser': call(dd.create_user, DirectoryId='${dir}', SAMAccountName='Eng'),
  'dupUserAsGroup': call(dd.create_group, DirectoryId='${dir}', SAMAccountName='Bob'),
  'describe': call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='ALICE', OtherAttributes=['department', 'otherTelephone', 'title']),
  'group': call(dd.describe_group, DirectoryId='${dir}', SAMAccountName='vpn-users'),
  'missing': call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='nobody'),
  'missingGroup': call(dd.describe_group, DirectoryId='${dir}', SAMAccountName='nobody'),
}`);
    assert.deepEqual([out.alice!.SID, out.bob!.SID, out.eng!.SID, out.vpn!.SID], [1104, 1105, 1106, 1107].map((rid) => `${domainSid}-${rid}`));
    assert.deepEqual(out.alice, { DirectoryId: dir, SAMAccountName: 'alice', SID: `${domainSid}-1104` });
    for (const k of ['dupUser', 'dupGroupAsUser', 'dupUserAsGroup']) assert.deepEqual([out[k]!.error, out[k]!.status], ['ConflictException', 409], k);
    assert.match(out.dupUser!.message as string, /An object with the SAMAccountName ALICE already exists/);
    assert.deepEqual(out.describe, {
      DirectoryId: dir,
      Realm: 'corp.example.com',
      SAMAccountName: 'alice',
      SID: `${domainSid}-1104`,
      DistinguishedName: 'CN=alice,OU=Users,OU=CORP,DC=corp,DC=example,DC=com',
      UserPrincipalName: 'alice@corp.example.com',
      GivenName: 'Alice',
      Surname: 'Liddell',
      EmailAddress: 'alice@example.com',
      // A user made by Directory Service Data has no password: disabled until ResetUserPassword.
      Enabled: false,
      OtherAttributes: { department: { S: 'Engineering' }, otherTelephone: { SS: ['+1 555 0100'] } },
    });
    assert.deepEqual([out.group!.GroupScope, out.group!.GroupType, out.group!.DistinguishedName], ['Universal', 'Security', 'CN=vpn-users,OU=Users,OU=CORP,DC=corp,DC=example,DC=com']);
    assert.deepEqual([out.missing!.error, out.missing!.status, out.missing!.message], ['ResourceNotFoundException', 404, `User nobody does not exist in directory ${dir}.`]);
    assert.equal(out.missingGroup!.error, 'ResourceNotFoundException');
    // CloudTrail: the Directory Service Data event source, sensitive members hidden.
    const events = (await new CloudTrailClient(clientConfig(server.endpoint)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] }))).Events!;
    const alice = events.map((e) => JSON.parse(e.CloudTrailEvent!) as { eventSource: string; requestParameters: Record<string, unknown>; responseElements: Record<string, unknown> | null }).find((e) => e.requestParameters.sAMAccountName === 'alice')!;
    assert.equal(alice.eventSource, 'ds-data.amazonaws.com');
    assert.equal(alice.requestParameters.givenName, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    assert.equal(alice.requestParameters.directoryId, dir);
    assert.equal(alice.responseElements!.sID, `${domainSid}-1104`);
  });

  it('memberships both ways: ListGroupMembers and ListGroupsForMember with SIDs; AD\'s nesting rules; removal; deletion leaves no dangling member', async () => {
    const out = await py<Record<string, Record<string, unknown>>>(`
out = {}
out['add1'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='alice')
out['add2'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='vpn-users', MemberName='alice')
out['nest'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='vpn-users', MemberName='eng')
out['again'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='ALICE')
out['self'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='eng')
out['scope'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='vpn-users')
out['builtin'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='Domain Admins', MemberName='bob')
out['noMember'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='nobody')
out['members'] = call(dd.list_group_members, DirectoryId='${dir}', SAMAccountName='vpn-users')
out['groups'] = call(dd.list_groups_for_member, DirectoryId='${dir}', SAMAccountName='alice')
out['groupOfGroup'] = call(dd.list_groups_for_member, DirectoryId='${dir}', SAMAccountName='eng')
out['remove'] = call(dd.remove_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='alice')
out['removeAgain'] = call(dd.remove_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='alice')
out['after'] = call(dd.list_groups_for_member, DirectoryId='${dir}', SAMAccountName='alice')
call(dd.create_user, DirectoryId='${dir}', SAMAccountName='temp')
call(dd.add_group_member, DirectoryId='${dir}', GroupName='vpn-users', MemberName='temp')
out['deleteUser'] = call(dd.delete_user, DirectoryId='${dir}', SAMAccountName='temp')
out['afterDelete'] = call(dd.list_group_members, DirectoryId='${dir}', SAMAccountName='vpn-users')
out['deleteBuiltin'] = call(dd.delete_group, DirectoryId='${dir}', SAMAccountName='Domain Users')
`);
    assert.deepEqual([out.add1, out.add2, out.nest], [{}, {}, {}]);
    assert.deepEqual([out.again!.error, out.again!.status], ['ConflictException', 409]);
    assert.deepEqual([out.self!.error, out.self!.reason], ['ValidationException', 'LDAP_UNSUPPORTED_OPERATION']);
    assert.deepEqual([out.scope!.error, out.scope!.reason, out.scope!.message], ['ValidationException', 'LDAP_UNSUPPORTED_OPERATION', 'A Universal group (vpn-users) cannot be a member of a Global group (eng).']);
    assert.deepEqual([out.builtin!.error, out.builtin!.reason, out.builtin!.status], ['AccessDeniedException', 'DIRECTORY_AUTH', 403]);
    assert.deepEqual([out.noMember!.error, out.noMember!.message], ['ResourceNotFoundException', `Member nobody does not exist in directory ${dir}.`]);
    const members = out.members as unknown as { Members: Summary[]; Realm: string; MemberRealm: string };
    assert.deepEqual(members.Members, [
      { MemberType: 'USER', SAMAccountName: 'alice', SID: `${domainSid}-1104` },
      { MemberType: 'GROUP', SAMAccountName: 'eng', SID: `${domainSid}-1106` },
    ]);
    assert.deepEqual([members.Realm, members.MemberRealm], ['corp.example.com', 'corp.example.com']);
    assert.deepEqual((out.groups as unknown as { Groups: Summary[] }).Groups, [
      { SAMAccountName: 'eng', SID: `${domainSid}-1106`, GroupScope: 'Global', GroupType: 'Security' },
      { SAMAccountName: 'vpn-users', SID: `${domainSid}-1107`, GroupScope: 'Universal', GroupType: 'Security' },
    ]);
    assert.deepEqual((out.groupOfGroup as unknown as { Groups: Summary[] }).Groups.map((g) => g.SAMAccountName), ['vpn-users']);
    assert.deepEqual(out.remove, {});
    assert.equal(out.removeAgain!.error, 'ResourceNotFoundException');
    assert.deepEqual((out.after as unknown as { Groups: Summary[] }).Groups.map((g) => g.SAMAccountName), ['vpn-users']);
    assert.deepEqual(out.deleteUser, {});
    assert.deepEqual((out.afterDelete as unknown as { Members: Summary[] }).Members.map((m) => m.SAMAccountName), ['alice', 'eng']);
    assert.deepEqual([out.deleteBuiltin!.error, out.deleteBuiltin!.reason], ['AccessDeniedException', 'DIRECTORY_AUTH']);
  });

  it('UpdateUser and UpdateGroup: REPLACE, ADD and REMOVE; DisableUser; attribute errors with their reasons; scope changes', async () => {
    const out = await py<Record<string, Record<string, unknown>>>(`
out = {}
out['replace'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', Surname='Builder', OtherAttributes={'title': {'S': 'Engineer'}}, UpdateType='REPLACE')
out['addExisting'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes={'title': {'S': 'Lead'}}, UpdateType='ADD')
out['addValue'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='alice', OtherAttributes={'otherTelephone': {'SS': ['+1 555 0101']}}, UpdateType='ADD')
out['removeGiven'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', GivenName='x', UpdateType='REMOVE')
out['removeAbsent'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', EmailAddress='x@example.com', UpdateType='REMOVE')
out['bob'] = call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes=['title'])
out['alice'] = call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='alice', OtherAttributes=['otherTelephone'])
out['unknownAttr'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes={'favouriteColour': {'S': 'blue'}})
out['readOnly'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes={'objectSid': {'S': 'S-1-5-21-1-2-3-4'}})
out['parameter'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes={'givenName': {'S': 'Robert'}})
out['wrongType'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes={'title': {'N': 3}})
out['groupOnly'] = call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes=['member'])
out['duplicate'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob', OtherAttributes={'title': {'S': 'a'}, 'Title': {'S': 'b'}})
out['nothing'] = call(dd.update_user, DirectoryId='${dir}', SAMAccountName='bob')
out['disable'] = call(dd.disable_user, DirectoryId='${dir}', SAMAccountName='Admin')
out['admin'] = call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='Admin')
out['toGlobalFromUniversal'] = call(dd.update_group, DirectoryId='${dir}', SAMAccountName='vpn-users', GroupScope='Global')
out['toDomainLocal'] = call(dd.update_group, DirectoryId='${dir}', SAMAccountName='eng', GroupScope='DomainLocal')
out['toUniversal'] = call(dd.update_group, DirectoryId='${dir}', SAMAccountName='eng', GroupScope='Universal', GroupType='Distribution')
out['eng'] = call(dd.describe_group, DirectoryId='${dir}', SAMAccountName='eng', OtherAttributes=['description'])
out['removeScope'] = call(dd.update_group, DirectoryId='${dir}', SAMAccountName='eng', GroupScope='Global', UpdateType='REMOVE')
`);
    assert.deepEqual([out.replace, out.addValue, out.removeGiven, out.disable], [{}, {}, {}, {}]);
    assert.deepEqual([out.addExisting!.error, out.addExisting!.reason], ['ValidationException', 'ATTRIBUTE_EXISTS']);
    assert.deepEqual([out.removeAbsent!.error, out.removeAbsent!.reason], ['ValidationException', 'MISSING_ATTRIBUTE']);
    assert.deepEqual([out.bob!.GivenName, out.bob!.Surname, out.bob!.OtherAttributes], [undefined, 'Builder', { title: { S: 'Engineer' } }]);
    assert.deepEqual(out.alice!.OtherAttributes, { otherTelephone: { SS: ['+1 555 0100', '+1 555 0101'] } });
    assert.deepEqual(
      ['unknownAttr', 'readOnly', 'parameter', 'wrongType', 'groupOnly', 'duplicate', 'nothing'].map((k) => out[k]!.reason),
      ['INVALID_ATTRIBUTE_NAME', 'INVALID_ATTRIBUTE_FOR_MODIFY', 'INVALID_ATTRIBUTE_NAME', 'INVALID_ATTRIBUTE_VALUE', 'INVALID_ATTRIBUTE_FOR_USER', 'DUPLICATE_ATTRIBUTE', 'MISSING_ATTRIBUTE'],
    );
    assert.equal(out.admin!.Enabled, false);
    // vpn-users (Universal) contains eng (Global): it may become Global; eng cannot jump to DomainLocal.
    assert.deepEqual(out.toGlobalFromUniversal, {});
    assert.deepEqual([out.toDomainLocal!.reason, out.toDomainLocal!.message], ['LDAP_UNSUPPORTED_OPERATION', 'Group eng cannot change scope from Global to DomainLocal: change it to Universal first.']);
    assert.deepEqual(out.toUniversal!.reason, 'LDAP_UNSUPPORTED_OPERATION', 'eng is a member of a Global group (vpn-users)');
    assert.deepEqual([out.eng!.GroupScope, out.eng!.GroupType, out.eng!.OtherAttributes], ['Global', 'Security', { description: { S: 'Engineers' } }]);
    assert.equal(out.removeScope!.reason, 'INVALID_ATTRIBUTE_FOR_MODIFY');
  });

  it('SearchUsers and SearchGroups (case-insensitive substring, searchable attributes only); MaxResults and NextToken', async () => {
    const out = await py<Record<string, Record<string, unknown>>>(`
for i in range(5):
    call(dd.create_user, DirectoryId='${dir}', SAMAccountName='page%02d' % i, GivenName='Pager')
out = {}
out['search'] = call(dd.search_users, DirectoryId='${dir}', SearchAttributes=['givenName', 'sn'], SearchString='ALI')
out['byMail'] = call(dd.search_users, DirectoryId='${dir}', SearchAttributes=['mail'], SearchString='example.com')
out['wildcard'] = call(dd.search_users, DirectoryId='${dir}', SearchAttributes=['sAMAccountName'], SearchString='a*')
out['notSearchable'] = call(dd.search_users, DirectoryId='${dir}', SearchAttributes=['title'], SearchString='x')
out['groups'] = call(dd.search_groups, DirectoryId='${dir}', SearchAttributes=['description'], SearchString='engineer')
pages = []
token = None
while True:
    kw = {'NextToken': token} if token else {}
    r = call(dd.search_users, DirectoryId='${dir}', SearchAttributes=['givenName'], SearchString='pager', MaxResults=2, **kw)
    pages.append([u['SAMAccountName'] for u in r['Users']])
    token = r.get('NextToken')
    if not token: break
out['pages'] = pages
first = call(dd.list_users, DirectoryId='${dir}', MaxResults=3)
out['first'] = first
out['second'] = call(dd.list_users, DirectoryId='${dir}', MaxResults=3, NextToken=first['NextToken'])
out['foreign'] = call(dd.list_groups, DirectoryId='${dir}', NextToken=first['NextToken'])
out['forged'] = call(dd.list_users, DirectoryId='${dir}', NextToken='Zm9yZ2Vk')
out['paginator'] = [u['SAMAccountName'] for p in dd.get_paginator('list_users').paginate(DirectoryId='${dir}', PaginationConfig={'PageSize': 2}) for u in p['Users']]
`);
    const names = (r: Record<string, unknown> | undefined): string[] => ((r!.Users ?? r!.Groups) as Summary[]).map((u) => u.SAMAccountName);
    assert.deepEqual(names(out.search), ['alice']);
    assert.deepEqual(names(out.byMail), ['alice']);
    assert.deepEqual(names(out.wildcard), [], 'a * is an ordinary character');
    assert.deepEqual([out.notSearchable!.error, out.notSearchable!.reason], ['ValidationException', 'INVALID_ATTRIBUTE_FOR_SEARCH']);
    assert.deepEqual(names(out.groups), ['eng']);
    assert.deepEqual((out.groups!.Groups as Record<string, unknown>[])[0]!.OtherAttributes, { description: { S: 'Engineers' } });
    assert.deepEqual(out.pages, [['page00', 'page01'], ['page02', 'page03'], ['page04']]);
    assert.deepEqual(names(out.first), ['Admin', 'alice', 'bob']);
    assert.deepEqual(names(out.second), ['page00', 'page01', 'page02']);
    assert.deepEqual([out.foreign!.error, out.foreign!.reason], ['ValidationException', 'INVALID_NEXT_TOKEN']);
    assert.deepEqual([out.forged!.error, out.forged!.reason], ['ValidationException', 'INVALID_NEXT_TOKEN']);
    assert.deepEqual(out.paginator, ['Admin', 'alice', 'bob', 'page00', 'page01', 'page02', 'page03', 'page04']);
  });

  it('ClientToken: a replay returns the first response; the same token with other parameters is ConflictException', async () => {
    const out = await py<Record<string, Record<string, unknown>>>(`
out = {}
out['first'] = call(dd.create_group, DirectoryId='${dir}', SAMAccountName='ops', ClientToken='token-1')
out['replay'] = call(dd.create_group, DirectoryId='${dir}', SAMAccountName='ops', ClientToken='token-1')
out['changed'] = call(dd.create_group, DirectoryId='${dir}', SAMAccountName='ops2', ClientToken='token-1')
out['withoutToken'] = call(dd.create_group, DirectoryId='${dir}', SAMAccountName='ops')
out['otherOperation'] = call(dd.delete_group, DirectoryId='${dir}', SAMAccountName='ops', ClientToken='token-1')
`);
    assert.deepEqual(out.replay, out.first);
    assert.match(out.first!.SID as string, new RegExp(`^${domainSid}-\\d+$`));
    assert.deepEqual([out.changed!.error, out.changed!.status], ['ConflictException', 409]);
    assert.equal(out.withoutToken!.error, 'ConflictException', 'boto3 gives each call its own token: a second create conflicts on the name');
    assert.deepEqual(out.otherOperation, {}, 'tokens are per operation');
  });

  it('the directory\'s errors: unknown (DIRECTORY_AUTH), Simple AD (INVALID_DIRECTORY_TYPE), not enabled (DATA_DISABLED), not Active (INVALID_DIRECTORY_STATE), another realm (INVALID_REALM)', async () => {
    const ds = new DirectoryServiceClient(clientConfig(server.endpoint));
    const simple = (await ds.send(new CreateDirectoryCommand({ Name: 'simple.example.com', Password: 'Str0ng-Passw0rd', Size: 'Small', VpcSettings: { VpcId: net.vpcId, SubnetIds: [...net.subnets] } }))).DirectoryId!;
    await waitForStage(ds, simple, 'Active');
    const disabled = await microsoftAd(server.endpoint, net, 'disabled.example.com', false);
    const out = await py<Record<string, ApiError>>(`
out = {}
out['unknown'] = call(dd.list_users, DirectoryId='d-0000000000')
out['simple'] = call(dd.list_users, DirectoryId='${simple}')
out['disabled'] = call(dd.create_user, DirectoryId='${disabled}', SAMAccountName='x')
out['realm'] = call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='alice', Realm='example.org')
out['sameRealm'] = call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='alice', Realm='CORP.EXAMPLE.COM.')
out['memberRealm'] = call(dd.add_group_member, DirectoryId='${dir}', GroupName='eng', MemberName='alice', MemberRealm='example.org')
`);
    assert.deepEqual(['unknown', 'simple', 'disabled', 'realm', 'memberRealm'].map((k) => [out[k]!.error, out[k]!.reason, out[k]!.status]), [
      ['AccessDeniedException', 'DIRECTORY_AUTH', 403],
      ['ValidationException', 'INVALID_DIRECTORY_TYPE', 400],
      ['AccessDeniedException', 'DATA_DISABLED', 403],
      ['ValidationException', 'INVALID_REALM', 400],
      ['ValidationException', 'INVALID_REALM', 400],
    ]);
    assert.equal((out.sameRealm as unknown as { SAMAccountName: string }).SAMAccountName, 'alice');
    // While the directory is not Active (here: a create delay longer than its age).
    setDirectoryServiceTiming({ create: 3_600_000 });
    try {
      const r = await raw('/Users/ListUsers', { DirectoryId: dir }, {});
      assert.equal(r.status, 400);
      assert.equal(r.headers.get('x-amzn-errortype'), 'DirectoryUnavailableException');
      assert.deepEqual(JSON.parse(r.body), { Type: 'User', Message: `Directory ${dir} is not available: its stage is Creating.`, Reason: 'INVALID_DIRECTORY_STATE' });
    } finally {
      setDirectoryServiceTiming({ create: 50 });
    }
  });

  it('raw signed requests: DirectoryId in the query string, validation of the model, an error\'s wire form', async () => {
    const ok = await raw('/Users/DescribeUser', { DirectoryId: dir }, { SAMAccountName: 'alice' });
    assert.equal(ok.status, 200, ok.body);
    assert.equal((JSON.parse(ok.body) as { SID: string }).SID, `${domainSid}-1104`);
    const missing = await raw('/Users/DescribeUser', {}, { SAMAccountName: 'alice' });
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.equal((JSON.parse(missing.body) as { Message: string }).Message, "1 validation error detected: Value null at 'directoryId' failed to satisfy constraint: Member must not be null");
    const badName = await raw('/Users/CreateUser', { DirectoryId: dir }, { SAMAccountName: 'has space' });
    assert.equal(badName.status, 400);
    assert.match((JSON.parse(badName.body) as { Message: string }).Message, /Value 'has space' at 'sAMAccountName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const notFound = await raw('/Groups/DescribeGroup', { DirectoryId: dir }, { SAMAccountName: 'nobody' });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.deepEqual(JSON.parse(notFound.body), { Type: 'User', Message: `Group nobody does not exist in directory ${dir}.` });
  });

  it('IAM: both ds-data:<Operation> and ds:AccessDSData are needed; ds-data:SAMAccountName in conditions (IAM_AUTH, 403)', async () => {
    const iam = new IAMClient(clientConfig(server.endpoint));
    const dataOnly = await makeUser(iam, 'data-only');
    await grant(iam, 'data-only', 'data', doc(allow('ds-data:*')));
    const both = await makeUser(iam, 'data-user');
    await grant(
      iam,
      'data-user',
      'data',
      doc(allow(['ds-data:*', 'ds:AccessDSData'], `arn:aws:ds:us-east-1:000000000000:directory/${dir}`), {
        Effect: 'Deny',
        Action: 'ds-data:DescribeUser',
        Resource: '*',
        Condition: { StringEqualsIgnoreCase: { 'ds-data:SAMAccountName': 'admin', 'ds-data:Identifier': 'SAMAccountName' } },
      }),
    );
    const script = `out = {'list': call(dd.list_users, DirectoryId='${dir}', MaxResults=1), 'admin': call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='Admin'), 'alice': call(dd.describe_user, DirectoryId='${dir}', SAMAccountName='alice')}`;
    const denied = await dsData<Record<string, ApiError>>(server.endpoint, script, dataOnly);
    assert.deepEqual([denied.list!.error, denied.list!.reason, denied.list!.status], ['AccessDeniedException', 'IAM_AUTH', 403]);
    assert.equal(denied.list!.message, `User: arn:aws:iam::000000000000:user/data-only is not authorized to perform: ds:AccessDSData on resource: arn:aws:ds:us-east-1:000000000000:directory/${dir} because no identity-based policy allows the ds:AccessDSData action`);
    const partly = await dsData<Record<string, ApiError & { SAMAccountName?: string }>>(server.endpoint, script, both);
    assert.equal(partly.list!.error, undefined);
    assert.deepEqual([partly.admin!.error, partly.admin!.reason], ['AccessDeniedException', 'IAM_AUTH']);
    assert.match(partly.admin!.message, /ds-data:DescribeUser .* with an explicit deny in an identity-based policy/);
    assert.equal(partly.alice!.SAMAccountName, 'alice');
  });
});
