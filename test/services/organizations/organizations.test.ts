/**
 * AWS Organizations across three Gatehouse accounts: the management account 000000000000
 * and two members, 111111111111 and 222222222222, each with its own root keys. Driven with
 * the SDK v3, the AWS CLI v2 and boto3; SCPs enforced on the members' root and IAM users.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeclineHandshakeCommand,
  DeleteOrganizationalUnitCommand,
  DeleteOrganizationCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListHandshakesForAccountCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { rejects } from './helpers.js';

const MGMT = '000000000000';
const A = '111111111111';
const B = '222222222222';
const KEYS: Record<string, Keys> = {
  [MGMT]: { accessKeyId: 'test', secretAccessKey: 'test' },
  [A]: { accessKeyId: 'AKIAMEMBERA000000001', secretAccessKey: 'memberAsecret' },
  [B]: { accessKeyId: 'AKIAMEMBERB000000001', secretAccessKey: 'memberBsecret' },
};

const DENY_CREATE_USER = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NoUsers', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }] });
const ALLOW_READS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'sts:*'], Resource: '*' }] });

describe('AWS Organizations', () => {
  let server: Running;
  const orgs: Record<string, OrganizationsClient> = {};
  const iam: Record<string, IAMClient> = {};

  before(async () => {
    server = await startServer({ accounts: [MGMT, A, B].map((id) => ({ id, ...KEYS[id]! })) });
    for (const id of [MGMT, A, B]) {
      orgs[id] = new OrganizationsClient(clientConfig(server.endpoint, KEYS[id]));
      iam[id] = new IAMClient(clientConfig(server.endpoint, KEYS[id]));
    }
  });
  after(() => server.close());

  let orgId = '';
  let rootId = '';
  let ouId = '';
  let childOuId = '';
  let denyId = '';

  it('creates and describes the organization; the caller becomes the management account', async () => {
    await rejects(orgs[MGMT]!.send(new DescribeOrganizationCommand({})), 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    const created = (await orgs[MGMT]!.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!;
    assert.match(created.Id!, /^o-[a-z0-9]{10}$/);
    orgId = created.Id!;
    assert.equal(created.Arn, `arn:aws:organizations::${MGMT}:organization/${orgId}`);
    assert.equal(created.MasterAccountId, MGMT);
    assert.equal(created.MasterAccountArn, `arn:aws:organizations::${MGMT}:account/${orgId}/${MGMT}`);
    assert.equal(created.FeatureSet, 'ALL');
    const described = (await orgs[MGMT]!.send(new DescribeOrganizationCommand({}))).Organization!;
    assert.deepEqual(described, created);
    await rejects(orgs[MGMT]!.send(new CreateOrganizationCommand({})), 'AlreadyInOrganizationException');
    const roots = (await orgs[MGMT]!.send(new ListRootsCommand({}))).Roots!;
    assert.equal(roots.length, 1);
    rootId = roots[0]!.Id!;
    assert.match(rootId, /^r-[a-z0-9]{4}$/);
    assert.equal(roots[0]!.Arn, `arn:aws:organizations::${MGMT}:root/${orgId}/${rootId}`);
    assert.deepEqual(roots[0]!.PolicyTypes, []);
    const accounts = (await orgs[MGMT]!.send(new ListAccountsCommand({}))).Accounts!;
    assert.deepEqual(
      accounts.map((a) => [a.Id, a.Status, a.JoinedMethod]),
      [[MGMT, 'ACTIVE', 'INVITED']],
    );
    // A non-member is in no organization.
    await rejects(orgs[A]!.send(new DescribeOrganizationCommand({})), 'AWSOrganizationsNotInUseException');
  });

  it('invites accounts that accept or decline; handshakes are seen by both sides', async () => {
    const hs = (await orgs[MGMT]!.send(new InviteAccountToOrganizationCommand({ Target: { Id: A, Type: 'ACCOUNT' }, Notes: 'join us' }))).Handshake!;
    assert.match(hs.Id!, /^h-[a-z0-9]{10}$/);
    assert.equal(hs.State, 'OPEN');
    assert.equal(hs.Action, 'INVITE');
    assert.equal(hs.Arn, `arn:aws:organizations::${MGMT}:handshake/${orgId}/invite/${hs.Id}`);
    assert.deepEqual(hs.Parties, [
      { Id: orgId, Type: 'ORGANIZATION' },
      { Id: A, Type: 'ACCOUNT' },
    ]);
    await rejects(orgs[MGMT]!.send(new InviteAccountToOrganizationCommand({ Target: { Id: A, Type: 'ACCOUNT' } })), 'DuplicateHandshakeException');
    await rejects(orgs[MGMT]!.send(new InviteAccountToOrganizationCommand({ Target: { Id: '999999999999', Type: 'ACCOUNT' } })), 'AccountNotFoundException');
    const listed = (await orgs[A]!.send(new ListHandshakesForAccountCommand({}))).Handshakes!;
    assert.deepEqual(
      listed.map((h) => [h.Id, h.State]),
      [[hs.Id, 'OPEN']],
    );
    const accepted = (await orgs[A]!.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id! }))).Handshake!;
    assert.equal(accepted.State, 'ACCEPTED');
    await rejects(orgs[A]!.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id! })), 'HandshakeAlreadyInStateException');
    assert.equal((await orgs[MGMT]!.send(new DescribeHandshakeCommand({ HandshakeId: hs.Id! }))).Handshake!.State, 'ACCEPTED');
    // The member sees the organization; management-only operations are refused.
    assert.equal((await orgs[A]!.send(new DescribeOrganizationCommand({}))).Organization!.Id, orgId);
    await rejects(orgs[A]!.send(new ListAccountsCommand({})), 'AccessDeniedException', "You don't have permissions to access this resource.");

    const hsB = (await orgs[MGMT]!.send(new InviteAccountToOrganizationCommand({ Target: { Id: B, Type: 'ACCOUNT' } }))).Handshake!;
    assert.equal((await orgs[B]!.send(new DeclineHandshakeCommand({ HandshakeId: hsB.Id! }))).Handshake!.State, 'DECLINED');
    await rejects(orgs[B]!.send(new AcceptHandshakeCommand({ HandshakeId: hsB.Id! })), 'InvalidHandshakeTransitionException');
    const hsB2 = (await orgs[MGMT]!.send(new InviteAccountToOrganizationCommand({ Target: { Id: B, Type: 'ACCOUNT' } }))).Handshake!;
    await orgs[B]!.send(new AcceptHandshakeCommand({ HandshakeId: hsB2.Id! }));
    const accounts = (await orgs[MGMT]!.send(new ListAccountsCommand({}))).Accounts!;
    assert.deepEqual(accounts.map((a) => a.Id).sort(), [MGMT, A, B]);
    const a = (await orgs[MGMT]!.send(new DescribeAccountCommand({ AccountId: A }))).Account!;
    assert.equal(a.Arn, `arn:aws:organizations::${MGMT}:account/${orgId}/${A}`);
    assert.equal(a.JoinedMethod, 'INVITED');
  });

  it('OUs: create, nest, move an account, list children and parents; not deleted while not empty', async () => {
    const ou = (await orgs[MGMT]!.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }))).OrganizationalUnit!;
    ouId = ou.Id!;
    assert.match(ouId, new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
    assert.equal(ou.Arn, `arn:aws:organizations::${MGMT}:ou/${orgId}/${ouId}`);
    await rejects(orgs[MGMT]!.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' })), 'DuplicateOrganizationalUnitException');
    await rejects(orgs[MGMT]!.send(new CreateOrganizationalUnitCommand({ ParentId: 'ou-zzzz-00000000', Name: 'x' })), 'ParentNotFoundException');
    childOuId = (await orgs[MGMT]!.send(new CreateOrganizationalUnitCommand({ ParentId: ouId, Name: 'Prod' }))).OrganizationalUnit!.Id!;

    await orgs[MGMT]!.send(new MoveAccountCommand({ AccountId: A, SourceParentId: rootId, DestinationParentId: childOuId }));
    await rejects(orgs[MGMT]!.send(new MoveAccountCommand({ AccountId: A, SourceParentId: rootId, DestinationParentId: childOuId })), 'DuplicateAccountException');
    await rejects(orgs[MGMT]!.send(new MoveAccountCommand({ AccountId: A, SourceParentId: 'ou-zzzz-00000000', DestinationParentId: rootId })), 'SourceParentNotFoundException');
    await rejects(orgs[MGMT]!.send(new MoveAccountCommand({ AccountId: A, SourceParentId: childOuId, DestinationParentId: 'ou-zzzz-00000000' })), 'DestinationParentNotFoundException');
    assert.deepEqual((await orgs[MGMT]!.send(new ListParentsCommand({ ChildId: A }))).Parents, [{ Id: childOuId, Type: 'ORGANIZATIONAL_UNIT' }]);
    assert.deepEqual((await orgs[MGMT]!.send(new ListParentsCommand({ ChildId: childOuId }))).Parents, [{ Id: ouId, Type: 'ORGANIZATIONAL_UNIT' }]);
    assert.deepEqual((await orgs[MGMT]!.send(new ListChildrenCommand({ ParentId: ouId, ChildType: 'ORGANIZATIONAL_UNIT' }))).Children, [{ Id: childOuId, Type: 'ORGANIZATIONAL_UNIT' }]);
    assert.deepEqual(
      (await orgs[MGMT]!.send(new ListAccountsForParentCommand({ ParentId: childOuId }))).Accounts!.map((x) => x.Id),
      [A],
    );
    assert.deepEqual(
      (await orgs[MGMT]!.send(new ListChildrenCommand({ ParentId: rootId, ChildType: 'ACCOUNT' }))).Children!.map((c) => c.Id).sort(),
      [MGMT, B],
    );
    await rejects(orgs[MGMT]!.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ouId })), 'OrganizationalUnitNotEmptyException');
  });

  it('policy types: enabling SCPs attaches FullAWSAccess everywhere; errors for repeats and disabled types', async () => {
    denyId = (await orgs[MGMT]!.send(new CreatePolicyCommand({ Name: 'DenyCreateUser', Description: 'no users', Type: 'SERVICE_CONTROL_POLICY', Content: DENY_CREATE_USER }))).Policy!.PolicySummary!.Id!;
    assert.match(denyId, /^p-[a-z0-9]{8}$/);
    await rejects(orgs[MGMT]!.send(new AttachPolicyCommand({ PolicyId: denyId, TargetId: ouId })), 'PolicyTypeNotEnabledException');
    const root = (await orgs[MGMT]!.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }))).Root!;
    assert.deepEqual(root.PolicyTypes, [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
    await rejects(orgs[MGMT]!.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' })), 'PolicyTypeAlreadyEnabledException');
    const targets = (await orgs[MGMT]!.send(new ListTargetsForPolicyCommand({ PolicyId: 'p-FullAWSAccess' }))).Targets!;
    assert.deepEqual(targets.map((t) => t.TargetId).sort(), [MGMT, A, B, childOuId, ouId, rootId].sort());
    const full = (await orgs[MGMT]!.send(new DescribePolicyCommand({ PolicyId: 'p-FullAWSAccess' }))).Policy!;
    assert.equal(full.PolicySummary!.Arn, 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess');
    assert.equal(full.PolicySummary!.AwsManaged, true);
    await rejects(orgs[MGMT]!.send(new UpdatePolicyCommand({ PolicyId: 'p-FullAWSAccess', Name: 'x' })), 'InvalidInputException');
    await rejects(orgs[MGMT]!.send(new DeletePolicyCommand({ PolicyId: 'p-FullAWSAccess' })), 'InvalidInputException');
    await rejects(
      orgs[MGMT]!.send(new CreatePolicyCommand({ Name: 'Bad', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}' })),
      'MalformedPolicyDocumentException',
    );
  });

  it('an SCP on an OU denies the member account (root and IAM users), not the management account; detaching restores', async () => {
    await iam[A]!.send(new CreateUserCommand({ UserName: 'admin' }));
    await iam[A]!.send(new AttachUserPolicyCommand({ UserName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const key = (await iam[A]!.send(new CreateAccessKeyCommand({ UserName: 'admin' }))).AccessKey!;
    const adminIam = new IAMClient(clientConfig(server.endpoint, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));

    await orgs[MGMT]!.send(new AttachPolicyCommand({ PolicyId: denyId, TargetId: ouId }));
    await rejects(orgs[MGMT]!.send(new AttachPolicyCommand({ PolicyId: denyId, TargetId: ouId })), 'DuplicatePolicyAttachmentException');
    await rejects(orgs[MGMT]!.send(new DeletePolicyCommand({ PolicyId: denyId })), 'PolicyInUseException');

    await rejects(
      iam[A]!.send(new CreateUserCommand({ UserName: 'blocked' })),
      'AccessDenied',
      `User: arn:aws:iam::${A}:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/blocked with an explicit deny in a service control policy`,
    );
    await rejects(
      adminIam.send(new CreateUserCommand({ UserName: 'blocked' })),
      'AccessDenied',
      `User: arn:aws:iam::${A}:user/admin is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/blocked with an explicit deny in a service control policy`,
    );
    // B sits at the root, outside the OU; the management account is never restricted by SCPs.
    await iam[B]!.send(new CreateUserCommand({ UserName: 'fine' }));
    await orgs[MGMT]!.send(new AttachPolicyCommand({ PolicyId: denyId, TargetId: rootId }));
    await iam[MGMT]!.send(new CreateUserCommand({ UserName: 'mgmt-user' }));
    await rejects(iam[B]!.send(new CreateUserCommand({ UserName: 'fine2' })), 'AccessDenied', /explicit deny in a service control policy$/);

    await orgs[MGMT]!.send(new DetachPolicyCommand({ PolicyId: denyId, TargetId: rootId }));
    await orgs[MGMT]!.send(new DetachPolicyCommand({ PolicyId: denyId, TargetId: ouId }));
    await rejects(orgs[MGMT]!.send(new DetachPolicyCommand({ PolicyId: denyId, TargetId: ouId })), 'PolicyNotAttachedException');
    assert.equal((await adminIam.send(new CreateUserCommand({ UserName: 'allowed' }))).User!.UserName, 'allowed');
  });

  it('replacing FullAWSAccess on an account leaves an implicit deny for what no SCP allows', async () => {
    const err = await rejects(orgs[MGMT]!.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: B })), 'ConstraintViolationException');
    assert.equal(err.Reason, 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    const reads = (await orgs[MGMT]!.send(new CreatePolicyCommand({ Name: 'ReadsOnly', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: ALLOW_READS }))).Policy!.PolicySummary!.Id!;
    await orgs[MGMT]!.send(new AttachPolicyCommand({ PolicyId: reads, TargetId: B }));
    await orgs[MGMT]!.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: B }));
    assert.deepEqual(
      (await orgs[MGMT]!.send(new ListPoliciesForTargetCommand({ TargetId: B, Filter: 'SERVICE_CONTROL_POLICY' }))).Policies!.map((p) => p.Name),
      ['ReadsOnly'],
    );
    await rejects(
      iam[B]!.send(new CreateUserCommand({ UserName: 'nope' })),
      'AccessDenied',
      `User: arn:aws:iam::${B}:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${B}:user/nope because no service control policy allows the iam:CreateUser action`,
    );
    // What the SCP allows still works.
    await iam[B]!.send(new PutUserPolicyCommand({ UserName: 'fine', PolicyName: 'p', PolicyDocument: ALLOW_READS })).then(
      () => assert.fail('PutUserPolicy is not in ReadsOnly'),
      (e: Error) => assert.equal(e.name, 'AccessDenied'),
    );
    // Updating the SCP takes effect at once.
    await orgs[MGMT]!.send(new UpdatePolicyCommand({ PolicyId: reads, Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
    await iam[B]!.send(new CreateUserCommand({ UserName: 'now-allowed' }));
  });

  it('aws:PrincipalOrgID, aws:PrincipalOrgPaths and aws:PrincipalOrgMasterAccountId carry the organization\'s values for its accounts', async () => {
    await iam[A]!.send(
      new PutUserPolicyCommand({
        UserName: 'admin',
        PolicyName: 'deny-outside-org',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Deny', Action: 'iam:CreateGroup', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': orgId } } },
            { Effect: 'Deny', Action: 'iam:CreateGroup', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgMasterAccountId': MGMT } } },
            { Effect: 'Deny', Action: 'iam:CreateGroup', Resource: '*', Condition: { 'ForAllValues:StringNotLike': { 'aws:PrincipalOrgPaths': [`${orgId}/r-*/*`] } } },
          ],
        }),
      }),
    );
    // The admin user (in the organization) is not caught by the StringNotEquals deny (a missing key would be).
    const keys = (await iam[A]!.send(new CreateAccessKeyCommand({ UserName: 'admin' }))).AccessKey!;
    const out = await boto3(server.endpoint, "print(json.dumps(client('iam').create_group(GroupName='orgmates')['Group']['GroupName']))", { accessKeyId: keys.AccessKeyId!, secretAccessKey: keys.SecretAccessKey! });
    assert.equal(JSON.parse(out), 'orgmates');
  });

  it('an RCP on the root denies kms:DescribeKey on member accounts\' keys, not the management account\'s; detaching restores', async () => {
    const kmsA = new KMSClient(clientConfig(server.endpoint, KEYS[A]));
    const kmsM = new KMSClient(clientConfig(server.endpoint, KEYS[MGMT]));
    const keyA = (await kmsA.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const keyM = (await kmsM.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await orgs[MGMT]!.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
    const rcp = (
      await orgs[MGMT]!.send(
        new CreatePolicyCommand({
          Name: 'no-describe-key',
          Description: 'deny kms:DescribeKey',
          Type: 'RESOURCE_CONTROL_POLICY',
          Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' }] }),
        }),
      )
    ).Policy!.PolicySummary!.Id!;
    await orgs[MGMT]!.send(new AttachPolicyCommand({ PolicyId: rcp, TargetId: rootId }));
    await assert.rejects(kmsA.send(new DescribeKeyCommand({ KeyId: keyA })), (e: Error) => {
      assert.equal(e.name, 'AccessDeniedException');
      assert.match(e.message, /kms:DescribeKey on resource: arn:aws:kms:us-east-1:111111111111:key\/.* with an explicit deny in a resource control policy/);
      return true;
    });
    assert.equal((await kmsM.send(new DescribeKeyCommand({ KeyId: keyM }))).KeyMetadata!.KeyId, keyM);
    await orgs[MGMT]!.send(new DetachPolicyCommand({ PolicyId: rcp, TargetId: rootId }));
    assert.equal((await kmsA.send(new DescribeKeyCommand({ KeyId: keyA }))).KeyMetadata!.KeyId, keyA);
    await orgs[MGMT]!.send(new DeletePolicyCommand({ PolicyId: rcp }));
    await orgs[MGMT]!.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
  });

  it('the AWS CLI and boto3 read the same organization', async () => {
    const cli = await awsCli(server.endpoint, ['organizations', 'describe-organization'], KEYS[A]);
    assert.equal(cli.code, 0, cli.stderr);
    const parsed = JSON.parse(cli.stdout) as { Organization: { Id: string; MasterAccountId: string } };
    assert.equal(parsed.Organization.Id, orgId);
    assert.equal(parsed.Organization.MasterAccountId, MGMT);
    const denied = await awsCli(server.endpoint, ['organizations', 'list-roots'], KEYS[B]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /AccessDeniedException/);
    const out = await boto3(
      server.endpoint,
      `o = client('organizations')\nroots = o.list_roots()['Roots']\nkids = o.list_children(ParentId=roots[0]['Id'], ChildType='ORGANIZATIONAL_UNIT')['Children']\nprint(json.dumps({'root': roots[0]['Id'], 'types': roots[0]['PolicyTypes'], 'ous': [k['Id'] for k in kids]}))`,
    );
    assert.deepEqual(JSON.parse(out), { root: rootId, types: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }], ous: [ouId] });
  });

  it('members leave or are removed; the organization is deleted once empty', async () => {
    await rejects(orgs[MGMT]!.send(new DeleteOrganizationCommand({})), 'OrganizationNotEmptyException');
    await rejects(orgs[MGMT]!.send(new LeaveOrganizationCommand({})), 'MasterCannotLeaveOrganizationException');
    await orgs[A]!.send(new LeaveOrganizationCommand({}));
    await rejects(orgs[A]!.send(new DescribeOrganizationCommand({})), 'AWSOrganizationsNotInUseException');
    await orgs[MGMT]!.send(new RemoveAccountFromOrganizationCommand({ AccountId: B }));
    // B is out of the organization: its SCPs no longer apply.
    await iam[B]!.send(new CreateUserCommand({ UserName: 'free' }));
    await orgs[MGMT]!.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    await orgs[MGMT]!.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: childOuId }));
    await orgs[MGMT]!.send(new DeleteOrganizationCommand({}));
    await rejects(orgs[MGMT]!.send(new DescribeOrganizationCommand({})), 'AWSOrganizationsNotInUseException');
    assert.deepEqual((await orgs[B]!.send(new ListHandshakesForAccountCommand({}))).Handshakes, []);
  });
});
