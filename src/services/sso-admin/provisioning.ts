/**
 * Provisioning: what a permission set becomes in an account. IAM Identity Center makes,
 * in the target account, the IAM SAML provider for its IdP (`AWSSSO_<16 hex>_DO_NOT_DELETE`)
 * and a role `AWSReservedSSO_<set name>_<16 hex>` under `/aws-reserved/sso.amazonaws.com/`
 * (plus `<region>/` for instances outside us-east-1) that trusts the provider, with the
 * set's AWS managed and customer managed policies attached, its inline policy as
 * `AwsSSOInlinePolicy`, its permissions boundary, and its session duration as the role's
 * maximum. Re-provisioning brings an existing role in line with the set.
 *
 * Every change is an IAM call with its own policy decision and CloudTrail event:
 * - in a member account, **as AWSServiceRoleForSSO** (its AWSSSOServiceRolePolicy allows
 *   role and provider creation only where `aws:PrincipalOrgMasterAccountId` is not the
 *   account itself: never in the management account);
 * - in the management account (and for an account instance, its own account), **with the
 *   caller's credentials** (forward access: recorded as the caller, invoked by
 *   sso.amazonaws.com), whose own IAM permissions must allow it (shared/seeds 004: this
 *   prevents privilege escalation and shows who made each change).
 * A failure (no service-linked role, a customer managed policy missing in the account, a
 * denial) fails the task with IAM's message; the caller of the task's operation sees it in
 * the task's status, and nothing the task wrote stays (src/store savepoint).
 */
import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../../auth/secrets.js';
import { serviceLinkedRole } from '../../auth/service-calls.js';
import { AwsError } from '../../models/errors.js';
import type { ServiceCaller, ServiceContext } from '../types.js';
import { idpMetadata, instanceIdp } from './idp.js';
import { SSO, type InstanceRecord } from './instances.js';
import type { PermissionSetRecord } from './permission-sets.js';

export const PROVISIONED_KIND = 'sso:provisioned';
/** In each account Identity Center provisions into: the instance that manages it (id `instance`). */
export const ACCOUNT_LINK_KIND = 'sso:account-link';
export const ACCOUNT_LINK_ID = 'instance';

export interface AccountLink {
  readonly InstanceArn: string;
  readonly OwnerAccountId: string;
}
export const SSO_ROLE = 'AWSServiceRoleForSSO';
export const INLINE_POLICY_NAME = 'AwsSSOInlinePolicy';

/** A permission set provisioned to an account (kept in the instance's account, parent the instance). */
export interface ProvisionedRecord {
  readonly InstanceArn: string;
  readonly PermissionSetArn: string;
  readonly AccountId: string;
  readonly RoleName: string;
  /** The permission set's revision the role reflects. */
  readonly Revision: number;
  readonly ProvisionedDate: string;
}

export const provisionedId = (permissionSetArn: string, account: string): string => `${permissionSetArn}|${account}`;

export const rolePath = (instance: InstanceRecord): string => {
  const region = instance.Region ?? 'us-east-1';
  return region === 'us-east-1' ? '/aws-reserved/sso.amazonaws.com/' : `/aws-reserved/sso.amazonaws.com/${region}/`;
};

export const providerArn = (account: string, name: string): string => `arn:aws:iam::${account}:saml-provider/${name}`;

/** The trust policy of every provisioned role: the instance's SAML provider, AWS sign-in's audience. */
export const trustPolicy = (account: string, provider: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(account, provider) },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    ],
  });

/** ISO 8601 `PT<h>H<m>M` to minutes; NaN for any other form. */
export function durationMinutes(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(iso);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
}

/** A permission set's session duration (validated when set) in seconds. */
export const durationSeconds = (iso: string): number => durationMinutes(iso) * 60;

const customerPolicyArn = (account: string, ref: { readonly Name: string; readonly Path: string }): string => `arn:aws:iam::${account}:policy${ref.Path}${ref.Name}`;

/** How Identity Center reaches IAM in `account`: as its service-linked role, or as the caller in its own account. */
async function iamIn(ctx: ServiceContext, instance: InstanceRecord, account: string): Promise<ServiceCaller> {
  if (account === instance.OwnerAccountId) return ctx.onBehalfOf(SSO);
  const role = await serviceLinkedRole(ctx.tx, account, SSO, SSO_ROLE);
  // Undocumented — choice: the failure reason's wording.
  if (!role) throw new AwsError('ValidationException', `The service-linked role ${SSO_ROLE} does not exist in account ${account}.`);
  return ctx.asServiceRole(role, SSO, 'AWS-SSO');
}

const isNoSuchEntity = (e: unknown): boolean => e instanceof AwsError && e.code === 'NoSuchEntity';

async function exists(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (e) {
    if (isNoSuchEntity(e)) return false;
    throw e;
  }
}

interface RoleView {
  readonly Role?: { readonly PermissionsBoundary?: { readonly PermissionsBoundaryArn?: string } };
}

/** Make or update the set's role in `account`; returns the record to keep. */
export async function provision(ctx: ServiceContext, box: SecretBox, instance: InstanceRecord, set: PermissionSetRecord, account: string, existing?: ProvisionedRecord): Promise<ProvisionedRecord> {
  const iam = await iamIn(ctx, instance, account);
  const idp = await instanceIdp(ctx, box, instance);
  const provider = providerArn(account, idp.providerName);
  if (!(await exists(() => iam.call('iam', 'GetSAMLProvider', { SAMLProviderArn: provider })))) {
    await iam.call('iam', 'CreateSAMLProvider', { Name: idp.providerName, SAMLMetadataDocument: idpMetadata(idp) });
  }

  // AWS's names: the set's name and 16 hex digits (15 + 32 + 1 + 16 = IAM's 64 at most).
  const RoleName = existing?.RoleName ?? `AWSReservedSSO_${set.Name}_${randomBytes(8).toString('hex')}`;
  const maxSession = durationSeconds(set.SessionDuration);
  let role: RoleView | undefined;
  try {
    role = await iam.call<RoleView>('iam', 'GetRole', { RoleName });
  } catch (e) {
    if (!isNoSuchEntity(e)) throw e;
  }
  if (!role) {
    await iam.call('iam', 'CreateRole', { RoleName, Path: rolePath(instance), AssumeRolePolicyDocument: trustPolicy(account, idp.providerName), MaxSessionDuration: maxSession });
  } else {
    await iam.call('iam', 'UpdateRole', { RoleName, MaxSessionDuration: maxSession });
    await iam.call('iam', 'UpdateAssumeRolePolicy', { RoleName, PolicyDocument: trustPolicy(account, idp.providerName) });
  }

  const wanted = [...set.ManagedPolicies, ...set.CustomerManagedPolicies.map((r) => customerPolicyArn(account, r))];
  const attached = role ? ((await iam.call<{ AttachedPolicies?: { PolicyArn?: string }[] }>('iam', 'ListAttachedRolePolicies', { RoleName })).AttachedPolicies ?? []).map((p) => p.PolicyArn!) : [];
  for (const arn of attached) if (!wanted.includes(arn)) await iam.call('iam', 'DetachRolePolicy', { RoleName, PolicyArn: arn });
  for (const arn of wanted) if (!attached.includes(arn)) await iam.call('iam', 'AttachRolePolicy', { RoleName, PolicyArn: arn });

  const inline = role ? ((await iam.call<{ PolicyNames?: string[] }>('iam', 'ListRolePolicies', { RoleName })).PolicyNames ?? []) : [];
  if (set.InlinePolicy) await iam.call('iam', 'PutRolePolicy', { RoleName, PolicyName: INLINE_POLICY_NAME, PolicyDocument: set.InlinePolicy });
  else if (inline.includes(INLINE_POLICY_NAME)) await iam.call('iam', 'DeleteRolePolicy', { RoleName, PolicyName: INLINE_POLICY_NAME });

  const boundary = set.PermissionsBoundary?.ManagedPolicyArn ?? (set.PermissionsBoundary?.CustomerManagedPolicyReference ? customerPolicyArn(account, set.PermissionsBoundary.CustomerManagedPolicyReference) : undefined);
  const current = role?.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  if (boundary && boundary !== current) await iam.call('iam', 'PutRolePermissionsBoundary', { RoleName, PermissionsBoundary: boundary });
  else if (!boundary && current) await iam.call('iam', 'DeleteRolePermissionsBoundary', { RoleName });

  const record: ProvisionedRecord = { InstanceArn: instance.InstanceArn, PermissionSetArn: set.PermissionSetArn, AccountId: account, RoleName, Revision: set.Revision ?? 0, ProvisionedDate: ctx.now.toISOString() };
  if (!(await ctx.tx.get(account, ACCOUNT_LINK_KIND, ACCOUNT_LINK_ID))) {
    await ctx.tx.insert<AccountLink>(account, ACCOUNT_LINK_KIND, ACCOUNT_LINK_ID, { InstanceArn: instance.InstanceArn, OwnerAccountId: instance.OwnerAccountId });
  }
  const id = provisionedId(set.PermissionSetArn, account);
  if (existing) await ctx.tx.update(instance.OwnerAccountId, PROVISIONED_KIND, id, record);
  else await ctx.tx.insert(instance.OwnerAccountId, PROVISIONED_KIND, id, record, { parent: instance.InstanceArn });
  return record;
}

/** Remove the set's role from the account (its policies first, as IAM requires). */
export async function deprovision(ctx: ServiceContext, instance: InstanceRecord, record: ProvisionedRecord): Promise<void> {
  const iam = await iamIn(ctx, instance, record.AccountId);
  const RoleName = record.RoleName;
  if (await exists(() => iam.call('iam', 'GetRole', { RoleName }))) {
    for (const p of (await iam.call<{ AttachedPolicies?: { PolicyArn?: string }[] }>('iam', 'ListAttachedRolePolicies', { RoleName })).AttachedPolicies ?? []) {
      await iam.call('iam', 'DetachRolePolicy', { RoleName, PolicyArn: p.PolicyArn! });
    }
    for (const name of (await iam.call<{ PolicyNames?: string[] }>('iam', 'ListRolePolicies', { RoleName })).PolicyNames ?? []) {
      await iam.call('iam', 'DeleteRolePolicy', { RoleName, PolicyName: name });
    }
    await iam.call('iam', 'DeleteRole', { RoleName });
  }
  await ctx.tx.delete(instance.OwnerAccountId, PROVISIONED_KIND, provisionedId(record.PermissionSetArn, record.AccountId));
}

export async function provisionedRecords(ctx: ServiceContext, instance: InstanceRecord): Promise<ProvisionedRecord[]> {
  return ctx.tx.list<ProvisionedRecord>(instance.OwnerAccountId, PROVISIONED_KIND, { parent: instance.InstanceArn });
}
