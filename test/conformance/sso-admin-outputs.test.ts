/**
 * Conformance, output half, for IAM Identity Center administration (sso-admin): every
 * implemented operation called through the AWS SDK v3, its output checked against the
 * model; a coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as S from '@aws-sdk/client-sso-admin';
import { CreateInstanceCommand, DescribeInstanceCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { CreateUserCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

describe('Conformance: sso-admin outputs match the model', () => {
  let server: Running;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('sso-admin', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  it('an account instance (a standalone account)', async () => {
    const sso = new SSOAdminClient(clientConfig(server.endpoint));
    const created = await sso.send(new CreateInstanceCommand({ Name: 'standalone' }));
    check('CreateInstance', created);
    const listed = await sso.send(new ListInstancesCommand({}));
    check('ListInstances', listed);
    const described = await sso.send(new DescribeInstanceCommand({ InstanceArn: created.InstanceArn! }));
    check('DescribeInstance', described);
    assert.deepEqual([described.Name, described.Status, described.OwnerAccountId], ['standalone', 'ACTIVE', '000000000000']);
  });

  it('permission sets', async () => {
    const sso = new SSOAdminClient(clientConfig(server.endpoint));
    const InstanceArn = (await sso.send(new ListInstancesCommand({}))).Instances![0]!.InstanceArn!;
    const created = await sso.send(new S.CreatePermissionSetCommand({ InstanceArn, Name: 'ReadOnly', Description: 'read only', SessionDuration: 'PT4H' }));
    check('CreatePermissionSet', created);
    const PermissionSetArn = created.PermissionSet!.PermissionSetArn!;
    assert.match(PermissionSetArn, /^arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/);
    const ps = { InstanceArn, PermissionSetArn };
    check('DescribePermissionSet', await sso.send(new S.DescribePermissionSetCommand(ps)));
    check('ListPermissionSets', await sso.send(new S.ListPermissionSetsCommand({ InstanceArn })));
    check('UpdatePermissionSet', await sso.send(new S.UpdatePermissionSetCommand({ ...ps, SessionDuration: 'PT8H' })));
    check('AttachManagedPolicyToPermissionSet', await sso.send(new S.AttachManagedPolicyToPermissionSetCommand({ ...ps, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })));
    const managed = await sso.send(new S.ListManagedPoliciesInPermissionSetCommand(ps));
    check('ListManagedPoliciesInPermissionSet', managed);
    assert.deepEqual(managed.AttachedManagedPolicies, [{ Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', Name: 'ReadOnlyAccess' }]);
    check('AttachCustomerManagedPolicyReferenceToPermissionSet', await sso.send(new S.AttachCustomerManagedPolicyReferenceToPermissionSetCommand({ ...ps, CustomerManagedPolicyReference: { Name: 'team-extra', Path: '/' } })));
    check('ListCustomerManagedPolicyReferencesInPermissionSet', await sso.send(new S.ListCustomerManagedPolicyReferencesInPermissionSetCommand(ps)));
    const inline = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] });
    check('PutInlinePolicyToPermissionSet', await sso.send(new S.PutInlinePolicyToPermissionSetCommand({ ...ps, InlinePolicy: inline })));
    const got = await sso.send(new S.GetInlinePolicyForPermissionSetCommand(ps));
    check('GetInlinePolicyForPermissionSet', got);
    assert.equal(got.InlinePolicy, inline);
    check('PutPermissionsBoundaryToPermissionSet', await sso.send(new S.PutPermissionsBoundaryToPermissionSetCommand({ ...ps, PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' } })));
    check('GetPermissionsBoundaryForPermissionSet', await sso.send(new S.GetPermissionsBoundaryForPermissionSetCommand(ps)));
    check('DeleteInlinePolicyFromPermissionSet', await sso.send(new S.DeleteInlinePolicyFromPermissionSetCommand(ps)));
    check('DetachManagedPolicyFromPermissionSet', await sso.send(new S.DetachManagedPolicyFromPermissionSetCommand({ ...ps, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })));
    await assert.rejects(sso.send(new S.CreatePermissionSetCommand({ InstanceArn, Name: 'readonly' })), { name: 'ConflictException' });
    await assert.rejects(sso.send(new S.CreatePermissionSetCommand({ InstanceArn, Name: 'Long', SessionDuration: 'PT13H' })), { name: 'ValidationException' });
    await assert.rejects(sso.send(new S.PutInlinePolicyToPermissionSetCommand({ ...ps, InlinePolicy: '{"Statement": []' })), { name: 'ValidationException' });
    check('DeletePermissionSet', await sso.send(new S.DeletePermissionSetCommand(ps)));
    await assert.rejects(sso.send(new S.DescribePermissionSetCommand(ps)), { name: 'ResourceNotFoundException' });
  });

  it('account assignments, provisioning and their tasks (an account instance: its own account)', async () => {
    const sso = new SSOAdminClient(clientConfig(server.endpoint));
    const instance = (await sso.send(new ListInstancesCommand({}))).Instances![0]!;
    const InstanceArn = instance.InstanceArn!;
    const ids = new IdentitystoreClient(clientConfig(server.endpoint));
    const PrincipalId = (await ids.send(new CreateUserCommand({ IdentityStoreId: instance.IdentityStoreId!, UserName: 'dana', DisplayName: 'Dana', Name: { GivenName: 'Dana', FamilyName: 'Example' } }))).UserId!;
    const PermissionSetArn = (await sso.send(new S.CreatePermissionSetCommand({ InstanceArn, Name: 'Viewer' }))).PermissionSet!.PermissionSetArn!;
    await sso.send(new S.AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const a = { InstanceArn, PermissionSetArn, TargetId: '000000000000', TargetType: 'AWS_ACCOUNT' as const, PrincipalType: 'USER' as const, PrincipalId };
    const created = await sso.send(new S.CreateAccountAssignmentCommand(a));
    check('CreateAccountAssignment', created);
    const creation = await sso.send(new S.DescribeAccountAssignmentCreationStatusCommand({ InstanceArn, AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus!.RequestId! }));
    check('DescribeAccountAssignmentCreationStatus', creation);
    assert.equal(creation.AccountAssignmentCreationStatus!.Status, 'SUCCEEDED', creation.AccountAssignmentCreationStatus!.FailureReason);
    check('ListAccountAssignmentCreationStatus', await sso.send(new S.ListAccountAssignmentCreationStatusCommand({ InstanceArn })));
    const listed = await sso.send(new S.ListAccountAssignmentsCommand({ InstanceArn, AccountId: '000000000000', PermissionSetArn }));
    check('ListAccountAssignments', listed);
    assert.deepEqual(listed.AccountAssignments, [{ AccountId: '000000000000', PermissionSetArn, PrincipalType: 'USER', PrincipalId }]);
    check('ListAccountAssignmentsForPrincipal', await sso.send(new S.ListAccountAssignmentsForPrincipalCommand({ InstanceArn, PrincipalType: 'USER', PrincipalId })));
    const provisioned = await sso.send(new S.ProvisionPermissionSetCommand({ InstanceArn, PermissionSetArn, TargetType: 'AWS_ACCOUNT', TargetId: '000000000000' }));
    check('ProvisionPermissionSet', provisioned);
    check('DescribePermissionSetProvisioningStatus', await sso.send(new S.DescribePermissionSetProvisioningStatusCommand({ InstanceArn, ProvisionPermissionSetRequestId: provisioned.PermissionSetProvisioningStatus!.RequestId! })));
    check('ListPermissionSetProvisioningStatus', await sso.send(new S.ListPermissionSetProvisioningStatusCommand({ InstanceArn })));
    const accounts = await sso.send(new S.ListAccountsForProvisionedPermissionSetCommand({ InstanceArn, PermissionSetArn }));
    check('ListAccountsForProvisionedPermissionSet', accounts);
    assert.deepEqual(accounts.AccountIds, ['000000000000']);
    check('ListPermissionSetsProvisionedToAccount', await sso.send(new S.ListPermissionSetsProvisionedToAccountCommand({ InstanceArn, AccountId: '000000000000' })));
    const deleted = await sso.send(new S.DeleteAccountAssignmentCommand(a));
    check('DeleteAccountAssignment', deleted);
    const deletion = await sso.send(new S.DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn, AccountAssignmentDeletionRequestId: deleted.AccountAssignmentDeletionStatus!.RequestId! }));
    check('DescribeAccountAssignmentDeletionStatus', deletion);
    assert.equal(deletion.AccountAssignmentDeletionStatus!.Status, 'SUCCEEDED');
    check('ListAccountAssignmentDeletionStatus', await sso.send(new S.ListAccountAssignmentDeletionStatusCommand({ InstanceArn })));
  });

  it('covers every implemented sso-admin operation', () => {
    const implemented = server.gatehouse.implementedOperations()['sso-admin'] ?? [];
    assert.ok(implemented.length > 0);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
