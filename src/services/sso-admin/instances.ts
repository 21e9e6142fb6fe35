/**
 * IAM Identity Center instances. An **organization instance** is enabled from the
 * management account's console (AWS offers no API for it: `CreateInstance` refuses the
 * management account); Gatehouse's stand-in for the Enable button is the Gatehouse
 * operation `sso/EnableIdentityCenter`, signed by a principal of the management account.
 * It does what the console does, each step as the signed-in principal (recorded as theirs):
 * enables trusted access for `sso.amazonaws.com` in Organizations, creates the instance and
 * its identity store, and creates `AWSServiceRoleForSSO` in every member account (Identity
 * Center acting in the account it manages). In the management account no role is made:
 * Identity Center uses the signed-in principal's credentials there (shared/seeds 004).
 * Accounts that join the organization later get the role when they join.
 * An **account instance** (`CreateInstance`) is for standalone and member accounts.
 */
import { randomBytes } from 'node:crypto';
import type * as S from '@aws-sdk/client-sso-admin';
import { AwsError } from '../../models/errors.js';
import { serviceLinkedRole } from '../../auth/service-calls.js';
import { createIdentityStore } from '../identitystore/stores.js';
import { onAccountJoined } from '../organizations/state.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export const SSO = 'sso.amazonaws.com';
export const INSTANCE_KIND = 'sso:instance';

export interface InstanceRecord {
  readonly InstanceArn: string;
  readonly IdentityStoreId: string;
  readonly OwnerAccountId: string;
  readonly Name?: string;
  readonly CreatedDate: string;
  /** The organization's instance (not an account instance). */
  readonly Organization: boolean;
  /** Where it was enabled (records from before this field: us-east-1). */
  readonly Region?: string;
}

const validation = (message: string): AwsError => new AwsError('ValidationException', message);
const newInstanceArn = (): string => `arn:aws:sso:::instance/ssoins-${randomBytes(8).toString('hex')}`;

const metadata = (i: InstanceRecord): S.InstanceMetadata => ({
  InstanceArn: i.InstanceArn,
  IdentityStoreId: i.IdentityStoreId,
  OwnerAccountId: i.OwnerAccountId,
  ...(i.Name ? { Name: i.Name } : {}),
  CreatedDate: new Date(i.CreatedDate),
  Status: 'ACTIVE',
});

export async function instancesOf(ctx: ServiceContext, account = ctx.caller.account): Promise<InstanceRecord[]> {
  return ctx.tx.list<InstanceRecord>(account, INSTANCE_KIND);
}

/** AWSServiceRoleForSSO in a member account, made by Identity Center when missing. */
async function ensureRole(ctx: ServiceContext, account: string): Promise<void> {
  if (await serviceLinkedRole(ctx.tx, account, SSO, 'AWSServiceRoleForSSO')) return;
  await ctx.asAccount(account, SSO).call('iam', 'CreateServiceLinkedRole', { AWSServiceName: SSO });
}

// Accounts joining an organization whose Identity Center is enabled get the role.
onAccountJoined(async (ctx, s, accountId) => {
  const instances = await ctx.tx.list<InstanceRecord>(s.ManagementAccountId, INSTANCE_KIND);
  if (instances.some((i) => i.Organization)) await ensureRole(ctx, accountId);
});

interface Organization {
  readonly Id?: string;
  readonly MasterAccountId?: string;
}

/** A new instance in the caller's account and region, with its identity store. */
async function createInstance(ctx: ServiceContext, name: string | undefined, organization: boolean): Promise<InstanceRecord> {
  const instance: InstanceRecord = {
    InstanceArn: newInstanceArn(),
    IdentityStoreId: await createIdentityStore(ctx.tx, ctx.caller.account, ctx.region, ctx.now),
    OwnerAccountId: ctx.caller.account,
    ...(name ? { Name: name } : {}),
    CreatedDate: ctx.now.toISOString(),
    Organization: organization,
    Region: ctx.region,
  };
  await ctx.tx.insert(ctx.caller.account, INSTANCE_KIND, instance.InstanceArn, instance);
  return instance;
}

export const instanceGatehouseOperations: Record<string, Handler> = {
  async EnableIdentityCenter(input: { readonly Name?: string }, ctx: ServiceContext): Promise<S.InstanceMetadata & { readonly MemberAccountsWithRole: string[] }> {
    // The console's own permission check, then its calls as the signed-in principal.
    await ctx.authorize('sso:CreateInstance', '*');
    const console = ctx.asCaller();
    let org: Organization;
    try {
      org = (await console.call<{ Organization?: Organization }>('organizations', 'DescribeOrganization', {})).Organization ?? {};
    } catch (e) {
      if (e instanceof AwsError && e.code === 'AWSOrganizationsNotInUseException') throw validation('Enabling IAM Identity Center for an organization needs an organization: this account is not in one.');
      throw e;
    }
    if (org.MasterAccountId !== ctx.caller.account) throw validation('IAM Identity Center can be enabled for an organization only from its management account.');
    if ((await instancesOf(ctx)).some((i) => i.Organization)) throw new AwsError('ConflictException', 'IAM Identity Center is already enabled for this organization.');
    await console.call('organizations', 'EnableAWSServiceAccess', { ServicePrincipal: SSO });
    const members: string[] = [];
    let token: string | undefined;
    do {
      const page = await console.call<{ Accounts?: { Id?: string }[]; NextToken?: string }>('organizations', 'ListAccounts', token ? { NextToken: token } : {});
      for (const a of page.Accounts ?? []) if (a.Id && a.Id !== ctx.caller.account) members.push(a.Id);
      token = page.NextToken;
    } while (token);
    for (const account of members) await ensureRole(ctx, account);
    const instance = await createInstance(ctx, input.Name, true);
    return { ...metadata(instance), MemberAccountsWithRole: members };
  },
};

export const instanceHandlers: Record<string, Handler> = {
  async CreateInstance(input: S.CreateInstanceCommandInput, ctx: ServiceContext): Promise<Out<S.CreateInstanceCommandOutput>> {
    await ctx.authorize('sso:CreateInstance', '*');
    // AWS's rule: account instances are for standalone and member accounts.
    let org: Organization | undefined;
    try {
      org = (await ctx.asCaller().call<{ Organization?: Organization }>('organizations', 'DescribeOrganization', {})).Organization;
    } catch (e) {
      if (!(e instanceof AwsError && e.code === 'AWSOrganizationsNotInUseException')) throw e;
    }
    if (org?.MasterAccountId === ctx.caller.account) throw validation('An account instance of IAM Identity Center cannot be created in the management account of an organization.');
    if ((await instancesOf(ctx)).length > 0) throw new AwsError('ConflictException', 'This account already has an instance of IAM Identity Center.');
    const instance = await createInstance(ctx, input.Name, false);
    return { InstanceArn: instance.InstanceArn };
  },

  async ListInstances(_input: S.ListInstancesCommandInput, ctx: ServiceContext): Promise<Out<S.ListInstancesCommandOutput>> {
    await ctx.authorize('sso:ListInstances', '*');
    return { Instances: (await instancesOf(ctx)).map(metadata) };
  },

  async DescribeInstance(input: S.DescribeInstanceCommandInput, ctx: ServiceContext): Promise<Out<S.DescribeInstanceCommandOutput>> {
    await ctx.authorize('sso:DescribeInstance', input.InstanceArn!);
    const i = (await instancesOf(ctx)).find((x) => x.InstanceArn === input.InstanceArn);
    if (!i) throw new AwsError('ResourceNotFoundException', `Instance ${input.InstanceArn!} does not exist.`);
    return metadata(i);
  },
};
