/**
 * Conformance, output half, for AWS Organizations: every implemented operation called
 * through the AWS SDK v3 (management account 000000000000, members 111111111111 and
 * 222222222222), its output checked against the model and its values compared; a coverage
 * test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as O from '@aws-sdk/client-organizations';
import { clientConfig, startServer, type Keys, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

const MGMT = '000000000000';
const A = '111111111111';
const B = '222222222222';
const KEYS: Record<string, Keys> = {
  [MGMT]: { accessKeyId: 'test', secretAccessKey: 'test' },
  [A]: { accessKeyId: 'AKIACONFORMA00000001', secretAccessKey: 'secretA' },
  [B]: { accessKeyId: 'AKIACONFORMB00000001', secretAccessKey: 'secretB' },
};

type AnyCommand = new (input: object) => Parameters<O.OrganizationsClient['send']>[0];

describe('Conformance: Organizations outputs match the model', () => {
  let server: Running;
  const clients: Record<string, O.OrganizationsClient> = {};
  const called = new Set<string>();
  /** Call an operation as an account and check its output against the model. */
  const call = async <T = Record<string, unknown>>(account: string, operation: string, input: object = {}): Promise<T> => {
    const Command = (O as unknown as Record<string, AnyCommand>)[`${operation}Command`]!;
    const output = (await clients[account]!.send(new Command(input))) as unknown as Record<string, unknown>;
    called.add(operation);
    assert.deepEqual(checkOutput('organizations', operation, output), [], operation);
    return output as T;
  };

  before(async () => {
    server = await startServer({ accounts: [MGMT, A, B].map((id) => ({ id, ...KEYS[id]! })) });
    for (const id of [MGMT, A, B]) clients[id] = new O.OrganizationsClient(clientConfig(server.endpoint, KEYS[id]));
  });
  after(() => server.close());

  it('the organization, OUs, handshakes, policies, service access and tags', async () => {
    const org = (await call<O.CreateOrganizationCommandOutput>(MGMT, 'CreateOrganization', { FeatureSet: 'ALL' })).Organization!;
    assert.equal((await call<O.DescribeOrganizationCommandOutput>(MGMT, 'DescribeOrganization')).Organization!.Id, org.Id);
    const root = (await call<O.ListRootsCommandOutput>(MGMT, 'ListRoots')).Roots![0]!;

    const ou = (await call<O.CreateOrganizationalUnitCommandOutput>(MGMT, 'CreateOrganizationalUnit', { ParentId: root.Id, Name: 'Dev', Tags: [{ Key: 'team', Value: 'a' }] })).OrganizationalUnit!;
    assert.equal((await call<O.DescribeOrganizationalUnitCommandOutput>(MGMT, 'DescribeOrganizationalUnit', { OrganizationalUnitId: ou.Id })).OrganizationalUnit!.Name, 'Dev');
    assert.equal((await call<O.UpdateOrganizationalUnitCommandOutput>(MGMT, 'UpdateOrganizationalUnit', { OrganizationalUnitId: ou.Id, Name: 'Development' })).OrganizationalUnit!.Name, 'Development');
    assert.deepEqual(
      (await call<O.ListOrganizationalUnitsForParentCommandOutput>(MGMT, 'ListOrganizationalUnitsForParent', { ParentId: root.Id })).OrganizationalUnits!.map((o) => o.Id),
      [ou.Id],
    );

    const invite = (await call<O.InviteAccountToOrganizationCommandOutput>(MGMT, 'InviteAccountToOrganization', { Target: { Id: A, Type: 'ACCOUNT' } })).Handshake!;
    assert.equal((await call<O.ListHandshakesForAccountCommandOutput>(A, 'ListHandshakesForAccount')).Handshakes![0]!.Id, invite.Id);
    assert.equal((await call<O.DescribeHandshakeCommandOutput>(A, 'DescribeHandshake', { HandshakeId: invite.Id })).Handshake!.State, 'OPEN');
    assert.equal((await call<O.AcceptHandshakeCommandOutput>(A, 'AcceptHandshake', { HandshakeId: invite.Id })).Handshake!.State, 'ACCEPTED');
    const inviteB = (await call<O.InviteAccountToOrganizationCommandOutput>(MGMT, 'InviteAccountToOrganization', { Target: { Id: B, Type: 'ACCOUNT' } })).Handshake!;
    assert.equal((await call<O.CancelHandshakeCommandOutput>(MGMT, 'CancelHandshake', { HandshakeId: inviteB.Id })).Handshake!.State, 'CANCELED');
    const inviteB2 = (await call<O.InviteAccountToOrganizationCommandOutput>(MGMT, 'InviteAccountToOrganization', { Target: { Id: B, Type: 'ACCOUNT' } })).Handshake!;
    assert.equal((await call<O.DeclineHandshakeCommandOutput>(B, 'DeclineHandshake', { HandshakeId: inviteB2.Id })).Handshake!.State, 'DECLINED');
    assert.equal((await call<O.ListHandshakesForOrganizationCommandOutput>(MGMT, 'ListHandshakesForOrganization')).Handshakes!.length, 3);

    assert.deepEqual((await call<O.ListAccountsCommandOutput>(MGMT, 'ListAccounts')).Accounts!.map((a) => a.Id), [MGMT, A]);
    assert.equal((await call<O.DescribeAccountCommandOutput>(MGMT, 'DescribeAccount', { AccountId: A })).Account!.Status, 'ACTIVE');
    await call(MGMT, 'MoveAccount', { AccountId: A, SourceParentId: root.Id, DestinationParentId: ou.Id });
    assert.deepEqual((await call<O.ListAccountsForParentCommandOutput>(MGMT, 'ListAccountsForParent', { ParentId: ou.Id })).Accounts!.map((a) => a.Id), [A]);
    assert.deepEqual((await call<O.ListChildrenCommandOutput>(MGMT, 'ListChildren', { ParentId: ou.Id, ChildType: 'ACCOUNT' })).Children, [{ Id: A, Type: 'ACCOUNT' }]);
    assert.deepEqual((await call<O.ListParentsCommandOutput>(MGMT, 'ListParents', { ChildId: A })).Parents, [{ Id: ou.Id, Type: 'ORGANIZATIONAL_UNIT' }]);

    assert.deepEqual((await call<O.EnablePolicyTypeCommandOutput>(MGMT, 'EnablePolicyType', { RootId: root.Id, PolicyType: 'RESOURCE_CONTROL_POLICY' })).Root!.PolicyTypes, [
      { Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' },
    ]);
    await call(MGMT, 'EnablePolicyType', { RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' });
    const content = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ec2:*', Resource: '*' }] });
    const policy = (await call<O.CreatePolicyCommandOutput>(MGMT, 'CreatePolicy', { Name: 'NoEc2', Description: 'd', Type: 'SERVICE_CONTROL_POLICY', Content: content })).Policy!;
    assert.equal(policy.PolicySummary!.Arn, `arn:aws:organizations::${MGMT}:policy/${org.Id}/service_control_policy/${policy.PolicySummary!.Id}`);
    assert.equal((await call<O.UpdatePolicyCommandOutput>(MGMT, 'UpdatePolicy', { PolicyId: policy.PolicySummary!.Id, Description: 'no EC2' })).Policy!.PolicySummary!.Description, 'no EC2');
    assert.equal((await call<O.DescribePolicyCommandOutput>(MGMT, 'DescribePolicy', { PolicyId: policy.PolicySummary!.Id })).Policy!.Content, content);
    assert.deepEqual(
      (await call<O.ListPoliciesCommandOutput>(MGMT, 'ListPolicies', { Filter: 'SERVICE_CONTROL_POLICY' })).Policies!.map((p) => p.Name),
      ['FullAWSAccess', 'NoEc2'],
    );
    await call(MGMT, 'AttachPolicy', { PolicyId: policy.PolicySummary!.Id, TargetId: ou.Id });
    assert.deepEqual(
      (await call<O.ListPoliciesForTargetCommandOutput>(MGMT, 'ListPoliciesForTarget', { TargetId: ou.Id, Filter: 'SERVICE_CONTROL_POLICY' })).Policies!.map((p) => p.Name),
      ['FullAWSAccess', 'NoEc2'],
    );
    assert.deepEqual((await call<O.ListTargetsForPolicyCommandOutput>(MGMT, 'ListTargetsForPolicy', { PolicyId: policy.PolicySummary!.Id })).Targets, [
      { TargetId: ou.Id, Arn: ou.Arn, Name: 'Development', Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    await call(MGMT, 'DetachPolicy', { PolicyId: policy.PolicySummary!.Id, TargetId: ou.Id });
    await call(MGMT, 'DeletePolicy', { PolicyId: policy.PolicySummary!.Id });
    await call(MGMT, 'DisablePolicyType', { RootId: root.Id, PolicyType: 'RESOURCE_CONTROL_POLICY' });

    await call(MGMT, 'EnableAWSServiceAccess', { ServicePrincipal: 'cloudtrail.amazonaws.com' });
    assert.deepEqual(
      (await call<O.ListAWSServiceAccessForOrganizationCommandOutput>(MGMT, 'ListAWSServiceAccessForOrganization')).EnabledServicePrincipals!.map((p) => p.ServicePrincipal),
      ['cloudtrail.amazonaws.com'],
    );
    await call(MGMT, 'RegisterDelegatedAdministrator', { AccountId: A, ServicePrincipal: 'cloudtrail.amazonaws.com' });
    const admins = (await call<O.ListDelegatedAdministratorsCommandOutput>(MGMT, 'ListDelegatedAdministrators', { ServicePrincipal: 'cloudtrail.amazonaws.com' })).DelegatedAdministrators!;
    assert.deepEqual(
      admins.map((a) => [a.Id, a.Arn, a.Status]),
      [[A, `arn:aws:organizations::${MGMT}:account/${org.Id}/${A}`, 'ACTIVE']],
    );
    const services = (await call<O.ListDelegatedServicesForAccountCommandOutput>(A, 'ListDelegatedServicesForAccount', { AccountId: A })).DelegatedServices!;
    assert.deepEqual(services, [{ ServicePrincipal: 'cloudtrail.amazonaws.com', DelegationEnabledDate: admins[0]!.DelegationEnabledDate }]);
    await call(MGMT, 'DeregisterDelegatedAdministrator', { AccountId: A, ServicePrincipal: 'cloudtrail.amazonaws.com' });
    await call(MGMT, 'DisableAWSServiceAccess', { ServicePrincipal: 'cloudtrail.amazonaws.com' });

    await call(MGMT, 'TagResource', { ResourceId: A, Tags: [{ Key: 'env', Value: 'dev' }] });
    await call(MGMT, 'UntagResource', { ResourceId: ou.Id, TagKeys: ['team'] });
    assert.deepEqual((await call<O.ListTagsForResourceCommandOutput>(MGMT, 'ListTagsForResource', { ResourceId: A })).Tags, [{ Key: 'env', Value: 'dev' }]);

    await call(A, 'LeaveOrganization');
    const invite3 = (await call<O.InviteAccountToOrganizationCommandOutput>(MGMT, 'InviteAccountToOrganization', { Target: { Id: B, Type: 'ACCOUNT' } })).Handshake!;
    await call(B, 'AcceptHandshake', { HandshakeId: invite3.Id });
    await call(MGMT, 'RemoveAccountFromOrganization', { AccountId: B });
    await call(MGMT, 'DeleteOrganizationalUnit', { OrganizationalUnitId: ou.Id });
    await call(MGMT, 'DeleteOrganization');
  });

  it('accounts created in the organization', async () => {
    await call(MGMT, 'CreateOrganization', { FeatureSet: 'ALL' });
    const started = (await call<O.CreateAccountCommandOutput>(MGMT, 'CreateAccount', { Email: 'new@example.com', AccountName: 'New' })).CreateAccountStatus!;
    await new Promise((r) => setTimeout(r, 150));
    const done = (await call<O.DescribeCreateAccountStatusCommandOutput>(MGMT, 'DescribeCreateAccountStatus', { CreateAccountRequestId: started.Id })).CreateAccountStatus!;
    assert.equal(done.State, 'SUCCEEDED');
    assert.deepEqual((await call<O.ListCreateAccountStatusCommandOutput>(MGMT, 'ListCreateAccountStatus', {})).CreateAccountStatuses!.map((x) => x.AccountId), [done.AccountId]);
  });

  it('covers every implemented Organizations operation', () => {
    const implemented = server.gatehouse.implementedOperations().organizations ?? [];
    assert.ok(implemented.length > 0);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
