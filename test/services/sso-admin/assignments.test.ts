/**
 * IAM Identity Center account assignments, end to end (shared/seeds 004): an assignment
 * provisions `AWSReservedSSO_<set>_<16 hex>` under `/aws-reserved/sso.amazonaws.com/` with
 * the instance's SAML provider, made as AWSServiceRoleForSSO in a member account and as
 * the caller in the management account; a user signed in through the instance's IdP gets
 * exactly the permission set's access; the deletion rules hold; and an account that leaves
 * the organization loses its Identity Center roles and its service-linked role.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AcceptHandshakeCommand, CreateOrganizationCommand, InviteAccountToOrganizationCommand, OrganizationsClient, RemoveAccountFromOrganizationCommand } from '@aws-sdk/client-organizations';
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeletePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  ListAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { CreateGroupCommand, CreateGroupMembershipCommand, CreateUserCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand as CreateIamUserCommand,
  DeleteServiceLinkedRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetSAMLProviderCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  type GetServiceLinkedRoleDeletionStatusCommandOutput,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ACCOUNT, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';

const A = { id: '111111111111', accessKeyId: 'AKIAMEMBERAROOT00011', secretAccessKey: 'member-a' };
const B = { id: '222222222222', accessKeyId: 'AKIAMEMBERBROOT00012', secretAccessKey: 'member-b' };
const keys = (a: { accessKeyId: string; secretAccessKey: string }): Keys => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
const ROOT: Keys = { accessKeyId: 'test', secretAccessKey: 'test' };
const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ROLE_NAME = /^AWSReservedSSO_Auditor_[0-9a-f]{16}$/;

async function denied(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).name;
  }
  return 'allowed';
}

describe('IAM Identity Center: account assignments, provisioned roles and sign-in', () => {
  let server: Running;
  let admin: Keys;
  let sso: SSOAdminClient;
  let instanceArn: string;
  let storeId: string;
  let auditor: string;
  let alice: string;
  let bob: string;
  let auditors: string;
  let carol: string;
  const gatehouse = (path: string, as: Keys, body: object): Promise<{ status: number; body: Record<string, unknown> }> =>
    signedRequest(server.endpoint, { service: 'sso', path, credentials: as, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => ({ status: r.status, body: JSON.parse(r.body) as Record<string, unknown> }));
  const iamOf = (k: Keys): IAMClient => new IAMClient(clientConfig(server.endpoint, k));
  const ssoRoleName = async (k: Keys): Promise<string | undefined> => (await iamOf(k).send(new ListRolesCommand({ PathPrefix: '/aws-reserved/sso.amazonaws.com/' }))).Roles!.map((r) => r.RoleName!).find((n) => ROLE_NAME.test(n));
  const assign = async (account: string, type: 'USER' | 'GROUP', id: string, set = auditor, client = sso) => {
    const started = (await client.send(new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: set, PrincipalType: type, PrincipalId: id }))).AccountAssignmentCreationStatus!;
    assert.equal(started.Status, 'IN_PROGRESS');
    return (await client.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: started.RequestId! }))).AccountAssignmentCreationStatus!;
  };
  const signIn = async (user: string, account: string, set = 'Auditor'): Promise<{ status: number; creds?: Keys; body: Record<string, unknown> }> => {
    const r = await gatehouse('/_gatehouse/identity-center/sign-in', admin, { UserName: user, AccountId: account, PermissionSet: set });
    if (r.status !== 200) return { status: r.status, body: r.body };
    const out = await new STSClient(clientConfig(server.endpoint, ROOT)).send(
      new AssumeRoleWithSAMLCommand({ RoleArn: String(r.body.RoleArn), PrincipalArn: String(r.body.PrincipalArn), SAMLAssertion: String(r.body.SAMLAssertion), DurationSeconds: Number(r.body.DurationSeconds) }),
    );
    const c = out.Credentials!;
    return { status: 200, body: r.body, creds: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } };
  };

  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, ...ROOT }, A, B] });
    const org = new OrganizationsClient(clientConfig(server.endpoint));
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    for (const m of [A, B]) {
      const h = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: m.id, Type: 'ACCOUNT' } }))).Handshake!;
      await new OrganizationsClient(clientConfig(server.endpoint, keys(m))).send(new AcceptHandshakeCommand({ HandshakeId: h.Id! }));
    }
    const iam = iamOf(ROOT);
    await iam.send(new CreateIamUserCommand({ UserName: 'it-admin' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'it-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'it-admin' }))).AccessKey!;
    admin = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    // The docs' name for the Enable button.
    const enabled = await gatehouse('/_gatehouse/identity-center/enable', admin, { Name: 'corp' });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    instanceArn = String(enabled.body.InstanceArn);
    storeId = String(enabled.body.IdentityStoreId);
    sso = new SSOAdminClient(clientConfig(server.endpoint, admin));

    const ids = new IdentitystoreClient(clientConfig(server.endpoint, admin));
    const user = async (UserName: string): Promise<string> => (await ids.send(new CreateUserCommand({ IdentityStoreId: storeId, UserName, DisplayName: UserName, Name: { GivenName: UserName, FamilyName: 'Example' } }))).UserId!;
    alice = await user('alice');
    bob = await user('bob');
    carol = await user('carol');
    auditors = (await ids.send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName: 'auditors' }))).GroupId!;
    await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: auditors, MemberId: { UserId: bob } }));

    // The permission set: IAM read-only, a customer managed policy (ec2:DescribeVpcs), an
    // inline policy, and a boundary that keeps only iam:List*, ec2:Describe* and sts.
    auditor = (await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Auditor', SessionDuration: 'PT2H' }))).PermissionSet!.PermissionSetArn!;
    await sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, ManagedPolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await sso.send(new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, CustomerManagedPolicyReference: { Name: 'AuditVpcs', Path: '/audit/' } }));
    await sso.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, InlinePolicy: doc({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }) }));
    await sso.send(new PutPermissionsBoundaryToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, PermissionsBoundary: { CustomerManagedPolicyReference: { Name: 'AuditBoundary' } } }));
    for (const k2 of [keys(A), ROOT]) {
      await iamOf(k2).send(new CreatePolicyCommand({ PolicyName: 'AuditVpcs', Path: '/audit/', PolicyDocument: doc({ Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }) }));
      await iamOf(k2).send(new CreatePolicyCommand({ PolicyName: 'AuditBoundary', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:List*', 'ec2:Describe*', 'sts:*'], Resource: '*' }) }));
    }
  });
  after(async () => server.close());

  it('an assignment in a member account provisions the role as AWSServiceRoleForSSO: path, trust, policies, boundary, session', async () => {
    const status = await assign(A.id, 'USER', alice);
    assert.equal(status.FailureReason, undefined);
    assert.deepEqual([status.Status, status.TargetId, status.PrincipalId, status.PermissionSetArn], ['SUCCEEDED', A.id, alice, auditor]);
    const iam = iamOf(keys(A));
    const name = await ssoRoleName(keys(A));
    assert.ok(name, 'role provisioned');
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    assert.equal(role.Path, '/aws-reserved/sso.amazonaws.com/');
    assert.equal(role.Arn, `arn:aws:iam::${A.id}:role/aws-reserved/sso.amazonaws.com/${name}`);
    assert.equal(role.MaxSessionDuration, 7200);
    assert.equal(role.PermissionsBoundary?.PermissionsBoundaryArn, `arn:aws:iam::${A.id}:policy/AuditBoundary`);
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: { Principal: { Federated: string }; Action: string[]; Condition: unknown }[] };
    const provider = trust.Statement[0]!.Principal.Federated;
    assert.match(provider, new RegExp(`^arn:aws:iam::${A.id}:saml-provider/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$`));
    assert.deepEqual(trust.Statement[0]!.Action, ['sts:AssumeRoleWithSAML', 'sts:TagSession']);
    assert.deepEqual(trust.Statement[0]!.Condition, { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } });
    assert.match((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: provider }))).SAMLMetadataDocument!, /IDPSSODescriptor/);
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies!.map((p) => p.PolicyArn).sort();
    assert.deepEqual(attached, ['arn:aws:iam::111111111111:policy/audit/AuditVpcs', 'arn:aws:iam::aws:policy/IAMReadOnlyAccess']);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'AwsSSOInlinePolicy' }));
    assert.match(decodeURIComponent(inline.PolicyDocument!), /sts:GetCallerIdentity/);
    // CloudTrail in the member account: the role was made by Identity Center's service-linked role.
    const events = (await new CloudTrailClient(clientConfig(server.endpoint, keys(A))).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateRole' }] }))).Events!;
    const made = JSON.parse(events[0]!.CloudTrailEvent!) as { userIdentity: { type: string; arn: string; invokedBy?: string } };
    assert.equal(made.userIdentity.type, 'AssumedRole');
    assert.match(made.userIdentity.arn, new RegExp(`^arn:aws:sts::${A.id}:assumed-role/AWSServiceRoleForSSO/`));
    // Listed, and the set shows as provisioned to the account.
    const listed = (await sso.send(new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: A.id, PermissionSetArn: auditor }))).AccountAssignments!;
    assert.deepEqual(listed.map((a) => [a.PrincipalType, a.PrincipalId]), [['USER', alice]]);
    assert.deepEqual((await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor }))).AccountIds, [A.id]);
    assert.equal((await sso.send(new ListAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, Filter: { Status: 'SUCCEEDED' } }))).AccountAssignmentsCreationStatus!.length, 1);
  });

  it('a signed-in user has exactly the permission set\'s access (managed, customer managed and inline policies within the boundary)', async () => {
    const s = await signIn('alice', A.id);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const who = await new STSClient(clientConfig(server.endpoint, s.creds)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Account, A.id);
    assert.match(who.Arn!, /^arn:aws:sts::111111111111:assumed-role\/AWSReservedSSO_Auditor_[0-9a-f]{16}\/alice$/);
    const iam = iamOf(s.creds!);
    const ec2 = new EC2Client(clientConfig(server.endpoint, s.creds));
    assert.ok((await iam.send(new ListRolesCommand({}))).Roles!.length > 0);
    assert.equal(await denied(iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForSSO' }))), 'AccessDenied', 'the boundary keeps iam:Get* out');
    assert.equal(await denied(iam.send(new CreateIamUserCommand({ UserName: 'nope' }))), 'AccessDenied');
    assert.ok(Array.isArray((await ec2.send(new DescribeVpcsCommand({}))).Vpcs));
    assert.equal(await denied(ec2.send(new DescribeSubnetsCommand({}))), 'UnauthorizedOperation', 'the boundary allows it, no policy does');
    // bob through his group; carol has no assignment; alice has none in B.
    assert.equal((await signIn('bob', A.id)).status, 400);
    assert.equal((await assign(A.id, 'GROUP', auditors)).Status, 'SUCCEEDED');
    assert.equal((await signIn('bob', A.id)).status, 200);
    const carolTry = await signIn('carol', A.id);
    assert.deepEqual([carolTry.status, carolTry.body.__type], [400, 'AccessDeniedException']);
    assert.equal((await signIn('alice', B.id)).status, 400);
  });

  it('the gatehouse identity-center sign-in command prints working credentials', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['dist/src/cli/index.js', 'identity-center', 'sign-in', '--endpoint-url', server.endpoint, '--user', 'alice', '--account', A.id, '--permission-set', 'Auditor'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: '' },
    });
    const c = JSON.parse(stdout) as { Version: number; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
    assert.equal(c.Version, 1);
    assert.ok(Date.parse(c.Expiration) - Date.now() > 7000 * 1000, 'the set\'s two-hour session');
    const who = await new STSClient(clientConfig(server.endpoint, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken })).send(new GetCallerIdentityCommand({}));
    assert.match(who.Arn!, /assumed-role\/AWSReservedSSO_Auditor_[0-9a-f]{16}\/alice$/);
  });

  it('in the management account the caller\'s own IAM permissions make the role; without them the task fails and nothing is left', async () => {
    const iam = iamOf(ROOT);
    await iam.send(new CreateIamUserCommand({ UserName: 'sso-only' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'sso-only', PolicyName: 'sso', PolicyDocument: doc({ Effect: 'Allow', Action: ['sso:*', 'identitystore:*'], Resource: '*' }) }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'sso-only' }))).AccessKey!;
    const ssoOnly = new SSOAdminClient(clientConfig(server.endpoint, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }));
    const failed = await assign(ACCOUNT, 'USER', carol, auditor, ssoOnly);
    assert.equal(failed.Status, 'FAILED');
    assert.match(failed.FailureReason!, /AccessDenied.*iam:(GetSAMLProvider|CreateSAMLProvider|GetRole|CreateRole)/);
    assert.equal(await ssoRoleName(ROOT), undefined);
    assert.deepEqual((await sso.send(new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: ACCOUNT, PermissionSetArn: auditor }))).AccountAssignments, []);
    // The same assignment made by the administrator succeeds, recorded as the administrator's.
    assert.equal((await assign(ACCOUNT, 'USER', carol)).Status, 'SUCCEEDED');
    assert.ok(await ssoRoleName(ROOT));
    const made = JSON.parse((await new CloudTrailClient(clientConfig(server.endpoint)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateRole' }] }))).Events![0]!.CloudTrailEvent!) as { userIdentity: { userName?: string } };
    assert.equal(made.userIdentity.userName, 'it-admin');
    assert.equal((await signIn('carol', ACCOUNT)).status, 200);
  });

  it('a provisioning failure in a member account (a customer managed policy missing there) is the task\'s reason, and leaves nothing', async () => {
    const failed = await assign(B.id, 'USER', alice);
    assert.equal(failed.Status, 'FAILED');
    assert.match(failed.FailureReason!, /NoSuchEntity/);
    assert.equal(await ssoRoleName(keys(B)), undefined);
    assert.deepEqual((await sso.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: instanceArn, PrincipalType: 'USER', PrincipalId: alice }))).AccountAssignments!.map((a) => a.AccountId).sort(), [A.id]);
  });

  it('ProvisionPermissionSet brings roles up to date after the set changes', async () => {
    await sso.send(new DetachManagedPolicyFromPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, ManagedPolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const stale = await sso.send(new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn: instanceArn, AccountId: A.id, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' }));
    assert.deepEqual(stale.PermissionSets, [auditor]);
    const started = (await sso.send(new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }))).PermissionSetProvisioningStatus!;
    assert.equal(started.Status, 'IN_PROGRESS');
    const done = (await sso.send(new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: started.RequestId! }))).PermissionSetProvisioningStatus!;
    assert.equal(done.Status, 'SUCCEEDED', done.FailureReason);
    const name = (await ssoRoleName(keys(A)))!;
    assert.deepEqual((await iamOf(keys(A)).send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies!.map((p) => p.PolicyArn), ['arn:aws:iam::111111111111:policy/audit/AuditVpcs']);
    const latest = await sso.send(new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn: instanceArn, AccountId: A.id, ProvisioningStatus: 'LATEST_PERMISSION_SET_PROVISIONED' }));
    assert.deepEqual(latest.PermissionSets, [auditor]);
    // The signed-in user loses what the set no longer grants.
    const s = await signIn('alice', A.id);
    assert.equal(await denied(iamOf(s.creds!).send(new ListRolesCommand({}))), 'AccessDenied');
  });

  it('bad input gets AWS\'s errors and creates nothing', async () => {
    const base = { InstanceArn: instanceArn, TargetId: A.id, TargetType: 'AWS_ACCOUNT' as const, PermissionSetArn: auditor, PrincipalType: 'USER' as const };
    await assert.rejects(sso.send(new CreateAccountAssignmentCommand({ ...base, PrincipalId: `${storeId.slice(2)}-00000000-0000-0000-0000-000000000000` })), { name: 'ResourceNotFoundException' });
    await assert.rejects(sso.send(new CreateAccountAssignmentCommand({ ...base, TargetId: '999999999999', PrincipalId: alice })), { name: 'ValidationException' });
    await assert.rejects(sso.send(new CreateAccountAssignmentCommand({ ...base, InstanceArn: 'arn:aws:sso:::instance/nope', PrincipalId: alice })), { name: 'ValidationException' });
    await assert.rejects(sso.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: '00000000-0000-0000-0000-000000000000' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(sso.send(new DeleteAccountAssignmentCommand({ ...base, PrincipalId: carol })), { name: 'ResourceNotFoundException' });
    await assert.rejects(sso.send(new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor, TargetType: 'AWS_ACCOUNT' })), { name: 'ValidationException' });
    const listed = (await sso.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: instanceArn, PrincipalType: 'USER', PrincipalId: alice }))).AccountAssignments!;
    assert.deepEqual(listed.map((a) => a.AccountId), [A.id]);
  });

  it('DeletePermissionSet removes the roles it provisioned without assignments, through the service-linked role', async () => {
    const temp = (await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Temp' }))).PermissionSet!.PermissionSetArn!;
    await sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: temp, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const started = (await sso.send(new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: temp, TargetType: 'AWS_ACCOUNT', TargetId: A.id }))).PermissionSetProvisioningStatus!;
    assert.equal((await sso.send(new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: started.RequestId! }))).PermissionSetProvisioningStatus!.Status, 'SUCCEEDED');
    const iam = iamOf(keys(A));
    const tempRoles = async (): Promise<string[]> => (await iam.send(new ListRolesCommand({ PathPrefix: '/aws-reserved/sso.amazonaws.com/' }))).Roles!.map((r) => r.RoleName!).filter((n) => n.startsWith('AWSReservedSSO_Temp_'));
    assert.equal((await tempRoles()).length, 1);
    assert.deepEqual((await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: temp }))).AccountIds, [A.id]);
    await sso.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: temp }));
    assert.deepEqual(await tempRoles(), []);
    const events = (await new CloudTrailClient(clientConfig(server.endpoint, keys(A))).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteRole' }] }))).Events!;
    const removed = JSON.parse(events[0]!.CloudTrailEvent!) as { userIdentity: { arn: string }; requestParameters: { roleName: string } };
    assert.match(removed.requestParameters.roleName, /^AWSReservedSSO_Temp_[0-9a-f]{16}$/);
    assert.match(removed.userIdentity.arn, /assumed-role\/AWSServiceRoleForSSO\//);
  });

  it('deletion rules: the service-linked role and the permission set cannot go while used; the last assignment takes the role with it', async () => {
    const iam = iamOf(keys(A));
    const deletion = async (): Promise<GetServiceLinkedRoleDeletionStatusCommandOutput> => {
      const task = (await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForSSO' }))).DeletionTaskId!;
      for (;;) {
        const s = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: task }));
        if (s.Status === 'SUCCEEDED' || s.Status === 'FAILED') return s;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const status = await deletion();
    assert.equal(status.Status, 'FAILED');
    assert.deepEqual(status.Reason!.RoleUsageList, [{ Region: 'us-east-1', Resources: [auditor] }]);
    assert.ok((await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForSSO' }))).Role);
    await assert.rejects(sso.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor })), (e: Error) => e.name === 'ConflictException' && /ApplicationProfile/.test(e.message));

    const name = (await ssoRoleName(keys(A)))!;
    const remove = async (type: 'USER' | 'GROUP', id: string, account = A.id) => {
      const s = (await sso.send(new DeleteAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: auditor, PrincipalType: type, PrincipalId: id }))).AccountAssignmentDeletionStatus!;
      return (await sso.send(new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: instanceArn, AccountAssignmentDeletionRequestId: s.RequestId! }))).AccountAssignmentDeletionStatus!.Status;
    };
    assert.equal(await remove('USER', alice), 'SUCCEEDED');
    assert.ok((await iam.send(new GetRoleCommand({ RoleName: name }))).Role, 'the group still holds it');
    assert.equal(await remove('GROUP', auditors), 'SUCCEEDED');
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: name })), { name: 'NoSuchEntityException' });
    assert.equal(await remove('USER', carol, ACCOUNT), 'SUCCEEDED');
    await sso.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: auditor }));
    // Now nothing uses the role: its deletion succeeds.
    assert.equal((await deletion()).Status, 'SUCCEEDED');
  });

  it('an account removed from the organization loses its Identity Center roles, SAML provider and service-linked role', async () => {
    const set = (await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Viewer' }))).PermissionSet!.PermissionSetArn!;
    await sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: set, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    assert.equal((await assign(B.id, 'USER', bob, set)).Status, 'SUCCEEDED');
    const iam = iamOf(keys(B));
    const roles = async (): Promise<string[]> => (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName!).filter((n) => n.startsWith('AWSReservedSSO_') || n === 'AWSServiceRoleForSSO').sort();
    const before = await roles();
    assert.equal(before.length, 2);
    assert.match(before[0]!, /^AWSReservedSSO_Viewer_[0-9a-f]{16}$/);
    await new OrganizationsClient(clientConfig(server.endpoint, admin)).send(new RemoveAccountFromOrganizationCommand({ AccountId: B.id }));
    assert.deepEqual(await roles(), []);
    assert.deepEqual((await sso.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: instanceArn, PrincipalType: 'USER', PrincipalId: bob }))).AccountAssignments, []);
    assert.deepEqual((await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: set }))).AccountIds, []);
  });
});
