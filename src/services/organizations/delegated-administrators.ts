/**
 * Delegated administrators: RegisterDelegatedAdministrator, DeregisterDelegatedAdministrator
 * (management account only), ListDelegatedAdministrators and ListDelegatedServicesForAccount
 * (the management account or a delegated administrator).
 *
 * Rules, from the Organizations API reference:
 * - only a member account can be registered: the management account is refused with
 *   ConstraintViolationException `CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR`; an
 *   account outside the organization is AccountNotFoundException;
 * - a repeat is AccountAlreadyRegisteredException; deregistering (or listing the services
 *   of) an account that is not registered is AccountNotRegisteredException;
 * - the service must have trusted access (EnableAWSServiceAccess) first: the
 *   ConstraintViolationException reason `SERVICE_ACCESS_NOT_ENABLED` (documented without
 *   a description; the wording is Gatehouse's);
 * - a registered account cannot leave or be removed (delegations.ts).
 *
 * Gatehouse's choices where AWS is silent: any service principal with trusted access may
 * have delegated administrators (AWS accepts only the services its "Supports Delegated
 * Administrator" column lists, and Gatehouse keeps no such list), with no limit per service;
 * the checks run in the order management account, membership, trusted access, repeat;
 * ListDelegatedAdministrators gives one entry per account, in the order accounts were first
 * registered, its DelegationEnabledDate the earliest of the account's registrations (the
 * date for that service when filtered by ServicePrincipal).
 *
 * Authorization, from the Service Authorization Reference: Register, Deregister and
 * ListDelegatedServicesForAccount on the `account` resource (its aws:ResourceTag keys),
 * ListDelegatedAdministrators on `*`; `organizations:ServicePrincipal` where the action has it.
 */
import type * as O from '@aws-sdk/client-organizations';
import type { Handler, ServiceContext } from '../types.js';
import { accountView } from './organization.js';
import { delegationsOf, requireReader } from './delegations.js';
import { accountArn, arnOr, err, loadFor, orgError, page, requireManagement, resourceTagContext, save, type DelegationRecord, type MemberRecord, type OrgState } from './state.js';

type Out<T> = Omit<T, '$metadata'>;

const notRegistered = () => orgError('AccountNotRegisteredException', 'The specified account is not a delegated administrator for this Amazon Web Services service.');
const alreadyRegistered = () => orgError('AccountAlreadyRegisteredException', 'The specified account is already a delegated administrator for this Amazon Web Services service.');

function memberOf(s: OrgState, id: string): MemberRecord {
  const a = s.Accounts.find((x) => x.Id === id);
  if (!a) throw err.accountNotFound();
  return a;
}

/** Authorize an action on the account resource (with its tags), before anything is checked. */
async function authorizeOnAccount(ctx: ServiceContext, action: string, accountId: string, servicePrincipal?: string): Promise<void> {
  const s = await loadFor(ctx);
  const found = s?.Accounts.find((a) => a.Id === accountId);
  await ctx.authorize(action, arnOr(s, (x) => accountArn(x, accountId)), {
    context: { ...resourceTagContext(found?.Tags ?? []), ...(servicePrincipal !== undefined ? { 'organizations:ServicePrincipal': servicePrincipal } : {}) },
  });
}

export const delegatedAdministratorHandlers: Record<string, Handler> = {
  async RegisterDelegatedAdministrator(input: O.RegisterDelegatedAdministratorCommandInput, ctx: ServiceContext): Promise<void> {
    const account = input.AccountId!;
    const principal = input.ServicePrincipal!;
    await authorizeOnAccount(ctx, 'organizations:RegisterDelegatedAdministrator', account, principal);
    const org = await requireManagement(ctx);
    if (account === org.ManagementAccountId) {
      throw err.constraint(
        'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR',
        'You attempted to register the management account of the organization as a delegated administrator for an Amazon Web Services service integrated with Organizations. You can designate only a member account as a delegated administrator.',
      );
    }
    memberOf(org, account);
    if (!org.ServiceAccess.some((x) => x.ServicePrincipal === principal)) {
      throw err.constraint('SERVICE_ACCESS_NOT_ENABLED', `You attempted to register a delegated administrator for ${principal}, which does not have trusted access to your organization. Enable trusted access for the service first.`);
    }
    const all = delegationsOf(org);
    if (all.some((d) => d.AccountId === account && d.ServicePrincipal === principal)) throw alreadyRegistered();
    all.push({ AccountId: account, ServicePrincipal: principal, DelegationEnabledDate: ctx.now.toISOString() });
    await save(ctx, org);
  },

  async DeregisterDelegatedAdministrator(input: O.DeregisterDelegatedAdministratorCommandInput, ctx: ServiceContext): Promise<void> {
    const account = input.AccountId!;
    const principal = input.ServicePrincipal!;
    await authorizeOnAccount(ctx, 'organizations:DeregisterDelegatedAdministrator', account, principal);
    const org = await requireManagement(ctx);
    memberOf(org, account);
    const all = delegationsOf(org);
    const i = all.findIndex((d) => d.AccountId === account && d.ServicePrincipal === principal);
    if (i < 0) throw notRegistered();
    all.splice(i, 1);
    await save(ctx, org);
  },

  async ListDelegatedAdministrators(input: O.ListDelegatedAdministratorsCommandInput, ctx: ServiceContext): Promise<Out<O.ListDelegatedAdministratorsCommandOutput>> {
    await ctx.authorize('organizations:ListDelegatedAdministrators', '*', { context: input.ServicePrincipal !== undefined ? { 'organizations:ServicePrincipal': input.ServicePrincipal } : {} });
    const org = await requireReader(ctx);
    const chosen = delegationsOf(org).filter((d) => input.ServicePrincipal === undefined || d.ServicePrincipal === input.ServicePrincipal);
    // One entry per account, in first-registration order, with its earliest date.
    const byAccount = new Map<string, DelegationRecord>();
    for (const d of chosen) {
      const seen = byAccount.get(d.AccountId);
      if (!seen || d.DelegationEnabledDate < seen.DelegationEnabledDate) byAccount.set(d.AccountId, d);
    }
    const admins: O.DelegatedAdministrator[] = [];
    for (const [id, d] of byAccount) {
      const member = org.Accounts.find((a) => a.Id === id);
      if (member) admins.push({ ...accountView(org, member), DelegationEnabledDate: new Date(d.DelegationEnabledDate) });
    }
    const p = page(admins, input);
    return { DelegatedAdministrators: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async ListDelegatedServicesForAccount(input: O.ListDelegatedServicesForAccountCommandInput, ctx: ServiceContext): Promise<Out<O.ListDelegatedServicesForAccountCommandOutput>> {
    const account = input.AccountId!;
    await authorizeOnAccount(ctx, 'organizations:ListDelegatedServicesForAccount', account);
    const org = await requireReader(ctx);
    memberOf(org, account);
    const services = delegationsOf(org).filter((d) => d.AccountId === account);
    if (services.length === 0) throw notRegistered();
    const p = page(
      services.map((d) => ({ ServicePrincipal: d.ServicePrincipal, DelegationEnabledDate: new Date(d.DelegationEnabledDate) })),
      input,
    );
    return { DelegatedServices: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },
};
