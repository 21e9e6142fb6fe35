/**
 * AWSServiceRoleForSSO's life in a member account (shared/seeds 004):
 * - IAM refuses to delete it while Identity Center uses it: the deletion task fails,
 *   listing the permission sets provisioned to the account (roles that assignments or
 *   provisioning made there). Remove the assignments and delete the sets first.
 * - When the account leaves the organization, Identity Center cleans up after itself
 *   there, as the role: the provisioned roles, the account's assignments, the SAML
 *   provider, then the role itself.
 */
import { serviceLinkedRole } from '../../auth/service-calls.js';
import { AwsError } from '../../models/errors.js';
import { registerRoleUsageCheck } from '../iam/service-linked-roles.js';
import { onAccountLeaving } from '../organizations/state.js';
import { ASSIGNMENT_KIND, assignmentId, type AssignmentRecord } from './assignment-records.js';
import { samlProviderName } from './idp.js';
import { INSTANCE_KIND, SSO, type InstanceRecord } from './instances.js';
import { ACCOUNT_LINK_ID, ACCOUNT_LINK_KIND, deprovision, provisionedRecords, providerArn, PROVISIONED_KIND, SSO_ROLE, type AccountLink, type ProvisionedRecord } from './provisioning.js';

registerRoleUsageCheck(SSO, async (account, _roleArn, tx) => {
  const link = await tx.get<AccountLink>(account, ACCOUNT_LINK_KIND, ACCOUNT_LINK_ID);
  if (!link) return [];
  const instance = await tx.get<InstanceRecord>(link.OwnerAccountId, INSTANCE_KIND, link.InstanceArn);
  if (!instance) return [];
  const provisioned = await tx.list<ProvisionedRecord>(instance.OwnerAccountId, PROVISIONED_KIND, { parent: instance.InstanceArn });
  const sets = [...new Set(provisioned.filter((p) => p.AccountId === account).map((p) => p.PermissionSetArn))];
  return sets.length ? [{ region: instance.Region ?? 'us-east-1', resources: sets }] : [];
});

onAccountLeaving(async (ctx, s, account) => {
  const instance = (await ctx.tx.list<InstanceRecord>(s.ManagementAccountId, INSTANCE_KIND)).find((i) => i.Organization);
  const role = await serviceLinkedRole(ctx.tx, account, SSO, SSO_ROLE);
  if (!instance || !role) return;
  for (const p of await provisionedRecords(ctx, instance)) if (p.AccountId === account) await deprovision(ctx, instance, p);
  for (const a of await ctx.tx.list<AssignmentRecord>(instance.OwnerAccountId, ASSIGNMENT_KIND, { parent: instance.InstanceArn })) {
    if (a.AccountId === account) await ctx.tx.delete(instance.OwnerAccountId, ASSIGNMENT_KIND, assignmentId(a));
  }
  const iam = ctx.asServiceRole(role, SSO, 'AWS-SSO');
  try {
    await iam.call('iam', 'DeleteSAMLProvider', { SAMLProviderArn: providerArn(account, samlProviderName(instance.InstanceArn)) });
  } catch (e) {
    if (!(e instanceof AwsError && e.code === 'NoSuchEntity')) throw e;
  }
  await ctx.tx.delete(account, ACCOUNT_LINK_KIND, ACCOUNT_LINK_ID);
  await iam.call('iam', 'DeleteServiceLinkedRole', { RoleName: SSO_ROLE });
});
