/**
 * Account-level IAM against the real server: aliases (unique across accounts), the
 * account summary's counts and quotas, the password policy, and
 * GetAccountAuthorizationDetails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccountAliasCommand,
  DeleteAccountPasswordPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, startServer, type Running } from '../../helpers/server.js';
import { allow, decode, iamClient, policyDoc, rejects, userWithKey } from './helpers.js';

const OTHER = { id: '111111111111', accessKeyId: 'test2', secretAccessKey: 'test2' };
const TRUST = policyDoc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });

describe('IAM account', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, accessKeyId: 'test', secretAccessKey: 'test' }, OTHER] });
    iam = iamClient(server.endpoint);
  });
  after(async () => server.close());

  it('an account has one alias, unique across accounts', async () => {
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-prod' }));
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-prod' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['acme-prod']);
    // A new alias replaces the old one.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-main' }));
    const listed = await iam.send(new ListAccountAliasesCommand({}));
    assert.deepEqual([listed.AccountAliases, listed.IsTruncated], [['acme-main'], false]);

    const other = iamClient(server.endpoint, OTHER);
    await rejects(other.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-main' })), 'EntityAlreadyExists', 'The account alias acme-main already exists.', 409);
    await other.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-prod' }));
    assert.deepEqual((await other.send(new ListAccountAliasesCommand({}))).AccountAliases, ['acme-prod']);

    await rejects(iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'acme-prod' })), 'NoSuchEntity', 'The account alias acme-prod does not exist.', 404);
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'acme-main' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
    await rejects(iam.send(new CreateAccountAliasCommand({ AccountAlias: 'Bad--Alias' })), 'ValidationError', /accountAlias/);
  });

  it('summarizes IAM usage with real counts and IAM’s quotas', async () => {
    const before = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    await iam.send(new CreateUserCommand({ UserName: 'sum-1' }));
    await iam.send(new CreateUserCommand({ UserName: 'sum-2' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'sum-g' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'sum-r', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://sum.example.com', ClientIDList: ['c'], ThumbprintList: ['a'.repeat(40)] }));
    const after = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    assert.deepEqual(
      ['Users', 'Groups', 'Roles', 'Providers', 'Policies'].map((k) => (after as Record<string, number>)[k]! - (before as Record<string, number>)[k]!),
      [2, 1, 1, 1, 0],
    );
    assert.deepEqual(
      [after.UsersQuota, after.GroupsQuota, after.RolesQuota, after.PoliciesQuota, after.AccessKeysPerUserQuota, after.AttachedPoliciesPerUserQuota, after.UserPolicySizeQuota, after.GroupPolicySizeQuota],
      [5000, 300, 1000, 1500, 2, 10, 2048, 5120],
    );
    assert.equal(after.AccountAccessKeysPresent, 1, 'the root user has its configured key');
    // The other account counts only its own.
    const other = (await iamClient(server.endpoint, OTHER).send(new GetAccountSummaryCommand({}))).SummaryMap!;
    assert.equal(other.Users, 0);
    // boto3 reads the map with the same keys.
    const py = await boto3(server.endpoint, "m = client('iam').get_account_summary()['SummaryMap']\nprint(json.dumps([m['Users'], m['RolesQuota']]))");
    assert.deepEqual(JSON.parse(py), [after.Users, 1000]);
  });

  it('the password policy: defaults, custom values, deletion', async () => {
    const missing = `The Password Policy with domain name ${ACCOUNT} cannot be found.`;
    await rejects(iam.send(new GetAccountPasswordPolicyCommand({})), 'NoSuchEntity', missing, 404);
    await iam.send(new UpdateAccountPasswordPolicyCommand({}));
    assert.deepEqual((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy, {
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
      MinimumPasswordLength: 6,
      RequireLowercaseCharacters: false,
      RequireNumbers: false,
      RequireSymbols: false,
      RequireUppercaseCharacters: false,
    });
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 10,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 60,
        PasswordReusePrevention: 3,
        HardExpiry: true,
      }),
    );
    assert.deepEqual((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy, {
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      HardExpiry: true,
      MaxPasswordAge: 60,
      MinimumPasswordLength: 10,
      PasswordReusePrevention: 3,
      RequireLowercaseCharacters: true,
      RequireNumbers: true,
      RequireSymbols: true,
      RequireUppercaseCharacters: true,
    });
    await rejects(
      iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 200, PasswordReusePrevention: 30, MaxPasswordAge: 2000 })),
      'ValidationError',
      /^3 validation errors detected: .*'minimumPasswordLength'.*less than or equal to 128/,
    );
    // With AllowUsersToChangePassword, users read the policy without a grant of their own.
    const reader = await userWithKey(iam, server.endpoint, 'policy-reader');
    assert.equal((await reader.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!.MinimumPasswordLength, 10);

    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    await rejects(iam.send(new GetAccountPasswordPolicyCommand({})), 'NoSuchEntity', missing);
    await rejects(iam.send(new DeleteAccountPasswordPolicyCommand({})), 'NoSuchEntity', 'The account policy with name PasswordPolicy cannot be found.', 404);
    await rejects(
      reader.iam.send(new GetAccountPasswordPolicyCommand({})),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/policy-reader is not authorized to perform: iam:GetAccountPasswordPolicy on resource: * because no identity-based policy allows the iam:GetAccountPasswordPolicy action`,
    );
  });

  it('GetAccountAuthorizationDetails returns every entity with its policies', async () => {
    const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const inline = policyDoc(allow('s3:ListBucket'));
    await iam.send(new CreateUserCommand({ UserName: 'aad-user', Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'aad-user', PolicyName: 'u-inline', PolicyDocument: inline }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'aad-user', PermissionsBoundary: boundary }));
    await iam.send(new CreateGroupCommand({ GroupName: 'aad-group' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'aad-group', PolicyName: 'g-inline', PolicyDocument: inline }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'aad-group', UserName: 'aad-user' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'aad-role', Path: '/svc/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'r', Value: '1' }] }));
    // A customer managed policy with two versions, and an AWS managed attachment.
    const attached = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';
    const policyArn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'aad-policy', PolicyDocument: policyDoc(allow('s3:GetObject')) }))).Policy!.Arn!;
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: inline, SetAsDefault: true }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'aad-group', PolicyArn: policyArn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'aad-group', PolicyArn: attached }));

    const all = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    assert.equal(all.IsTruncated, false);
    const user = all.UserDetailList!.find((u) => u.UserName === 'aad-user')!;
    assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/aad-user`);
    assert.deepEqual(user.GroupList, ['aad-group']);
    assert.deepEqual(user.UserPolicyList!.map((p) => [p.PolicyName, decode(p.PolicyDocument)]), [['u-inline', JSON.parse(inline)]]);
    assert.deepEqual(user.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary });
    assert.deepEqual(user.Tags, [{ Key: 'k', Value: 'v' }]);
    assert.deepEqual(user.AttachedManagedPolicies, []);

    const group = all.GroupDetailList!.find((g) => g.GroupName === 'aad-group')!;
    assert.deepEqual(group.GroupPolicyList!.map((p) => p.PolicyName), ['g-inline']);
    assert.deepEqual(group.AttachedManagedPolicies!.map((p) => p.PolicyArn), [policyArn, attached]);

    const role = all.RoleDetailList!.find((r) => r.RoleName === 'aad-role')!;
    assert.equal(role.Arn, `arn:aws:iam::${ACCOUNT}:role/svc/aad-role`);
    assert.deepEqual(decode(role.AssumeRolePolicyDocument), JSON.parse(TRUST));
    assert.deepEqual([role.Tags, role.InstanceProfileList, role.RolePolicyList, role.RoleLastUsed], [[{ Key: 'r', Value: '1' }], [], [], {}]);

    const local = all.Policies!.find((p) => p.Arn === policyArn)!;
    assert.deepEqual([local.AttachmentCount, local.DefaultVersionId], [1, 'v2']);
    assert.deepEqual(local.PolicyVersionList!.map((v) => [v.VersionId, v.IsDefaultVersion, decode(v.Document)]), [['v2', true, JSON.parse(inline)], ['v1', false, JSON.parse(policyDoc(allow('s3:GetObject')))]]);
    // AWS managed policies appear only when used: the attachment, and the boundary.
    const aws = all.Policies!.filter((p) => p.Arn!.startsWith('arn:aws:iam::aws:')).map((p) => [p.PolicyName, p.AttachmentCount, p.PermissionsBoundaryUsageCount]);
    assert.deepEqual(aws.find((p) => p[0] === 'IAMReadOnlyAccess'), ['IAMReadOnlyAccess', 1, 0]);
    assert.ok(aws.some((p) => p[0] === 'ReadOnlyAccess' && (p[2] as number) >= 1));
    const iamRo = all.Policies!.find((p) => p.PolicyName === 'IAMReadOnlyAccess')!;
    assert.match(iamRo.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(iamRo.PolicyVersionList!.filter((v) => v.IsDefaultVersion).length, 1);

    // Filters select entity types; MaxItems/Marker page through the whole list.
    const usersOnly = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }));
    assert.deepEqual([usersOnly.GroupDetailList, usersOnly.RoleDetailList, usersOnly.Policies], [[], [], []]);
    assert.ok(usersOnly.UserDetailList!.some((u) => u.UserName === 'aad-user'));
    const localOnly = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'] }));
    assert.deepEqual(localOnly.Policies!.map((p) => p.Arn), [policyArn]);
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const r = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group'], MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      names.push(...r.UserDetailList!.map((u) => `u:${u.UserName!}`), ...r.GroupDetailList!.map((g) => `g:${g.GroupName!}`));
      assert.ok(r.UserDetailList!.length + r.GroupDetailList!.length <= 2);
      marker = r.Marker;
    } while (marker);
    assert.deepEqual(names, [...all.UserDetailList!.map((u) => `u:${u.UserName!}`), ...all.GroupDetailList!.map((g) => `g:${g.GroupName!}`)]);

    // The AWS CLI pages this operation itself, merging the lists.
    const cli = await awsCli(server.endpoint, ['iam', 'get-account-authorization-details', '--filter', 'Group', '--page-size', '1']);
    assert.equal(cli.code, 0, cli.stderr);
    const groups = (JSON.parse(cli.stdout) as { GroupDetailList: { GroupName: string; GroupPolicyList: { PolicyDocument: unknown }[] }[] }).GroupDetailList;
    assert.deepEqual(groups.map((g) => g.GroupName), all.GroupDetailList!.map((g) => g.GroupName));
    assert.deepEqual(groups.find((g) => g.GroupName === 'aad-group')!.GroupPolicyList[0]!.PolicyDocument, JSON.parse(inline));
  });
});
