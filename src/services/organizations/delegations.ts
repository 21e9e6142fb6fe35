/**
 * Delegated administrators as the rest of Organizations sees them: the registrations kept
 * in the organization record, who may read the organization (the management account, or a
 * member registered as a delegated administrator for any service), and the refusal to let
 * a registered account leave.
 */
import type { ServiceContext } from '../types.js';
import { err, requireOrg, type DelegationRecord, type OrgState } from './state.js';

/** The organization's registrations (records written before delegated administrators have none). */
export const delegationsOf = (s: OrgState): DelegationRecord[] => (s.DelegatedAdministrators ??= []);

export const isDelegatedAdministrator = (s: OrgState, account: string): boolean => delegationsOf(s).some((d) => d.AccountId === account);

/**
 * The caller's organization, when the caller may read it: its management account, or a
 * member account that is a delegated administrator for some service. The API reference
 * says of every Describe/List operation on the organization's structure and policies "You
 * can only call this operation from the management account or a member account that is a
 * delegated administrator", and of RegisterDelegatedAdministrator "It grants read-only
 * access to Organizations service data". AccessDeniedException otherwise, as for
 * management-only operations.
 */
export async function requireReader(ctx: ServiceContext): Promise<OrgState> {
  const s = await requireOrg(ctx);
  if (s.ManagementAccountId !== ctx.caller.account && !isDelegatedAdministrator(s, ctx.caller.account)) throw err.accessDenied();
  return s;
}

/**
 * RemoveAccountFromOrganization and LeaveOrganization: "The account that you want to leave
 * must not be a delegated administrator account for any Amazon Web Services service enabled
 * for your organization. If the account is a delegated administrator, you must first change
 * the delegated administrator account to another account that is remaining in the
 * organization." (API reference), with ConstraintViolationException's documented reason.
 */
export function assertNotDelegatedAdministrator(s: OrgState, account: string): void {
  if (isDelegatedAdministrator(s, account)) {
    throw err.constraint(
      'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG',
      'You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.',
    );
  }
}
