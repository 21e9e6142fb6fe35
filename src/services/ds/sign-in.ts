/**
 * A user signing in to the directory: what an application that authenticates against
 * Active Directory (Client VPN with directory-service authentication) does with an LDAP
 * bind. AWS exposes no API for it and IAM has no action for it (the directory checks the
 * password), so it is a handler outside the model: reachable only through another
 * service's call (`ctx.asServiceRole(...).call('ds', 'AuthenticateUser', ...)`), never from
 * the wire. Answers the user's SID and the SIDs of every group it belongs to, directly or
 * through nested groups (what AD puts in a token; Client VPN's rules name these SIDs).
 */
import { checkPassword } from '../../auth/secrets.js';
import { findUser, groupsOf } from '../ds-data/objects.js';
import type { Handler, ServiceContext } from '../types.js';
import { dsError, findDirectory, stageOf } from './records.js';

export interface AuthenticateUserInput {
  readonly DirectoryId: string;
  readonly UserName: string;
  readonly Password: string;
}

export interface AuthenticateUserOutput {
  readonly Authenticated: boolean;
  readonly UserSid?: string;
  readonly GroupSids?: readonly string[];
  /** Why a sign-in failed: `unknown-user`, `disabled`, `bad-password`. */
  readonly Reason?: string;
}

export const signInHandlers: Record<string, Handler> = {
  async AuthenticateUser(input: AuthenticateUserInput, ctx: ServiceContext): Promise<AuthenticateUserOutput> {
    ctx.noPermissionRequired('An LDAP bind is checked by the directory (the password), not by IAM.');
    const d = await findDirectory(ctx, input.DirectoryId);
    if (!d || d.DeletedAt || stageOf(d, ctx.now) !== 'Active') throw dsError(ctx, 'DirectoryUnavailableException', `Directory ${input.DirectoryId} is not available.`);
    const account = ctx.caller.account;
    const user = await findUser(ctx.tx, account, d.DirectoryId, input.UserName);
    if (!user) return { Authenticated: false, Reason: 'unknown-user' };
    if (!user.Enabled) return { Authenticated: false, Reason: 'disabled' };
    if (!user.PasswordHash || !checkPassword(input.Password, user.PasswordHash)) return { Authenticated: false, Reason: 'bad-password' };
    // Memberships, transitively: groups of the user, then groups of those groups.
    const groups = await groupsOf(ctx.tx, account, d.DirectoryId);
    const found = new Set<number>();
    let frontier = [{ Rid: user.Rid, Type: 'USER' as string }];
    while (frontier.length > 0) {
      const next: { Rid: number; Type: string }[] = [];
      for (const member of frontier) {
        for (const g of groups) {
          if (!found.has(g.Rid) && g.Members.some((m) => m.Rid === member.Rid && m.Type === member.Type)) {
            found.add(g.Rid);
            next.push({ Rid: g.Rid, Type: 'GROUP' });
          }
        }
      }
      frontier = next;
    }
    return { Authenticated: true, UserSid: user.SID, GroupSids: groups.filter((g) => found.has(g.Rid)).map((g) => g.SID) };
  },
};
