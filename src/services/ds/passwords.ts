/**
 * ResetUserPassword: sets a user's password and enables the user ("Disabled users will
 * become enabled and can be authenticated following the API call"). It is how a user that
 * Directory Service Data created (disabled, without a password) becomes usable, as AWS's
 * DisableUser doc points to it for enabling an account. The password is stored as a
 * scrypt hash only.
 *
 * Exceptions from the API Reference: for Managed Microsoft AD only users in the customer's
 * OU (not the built-in objects AWS keeps); for Simple AD, not members of Domain Admins
 * except the administrator.
 *
 * Password rules (a choice where AWS defers to "the password complexity requirements
 * defined in your directory"): Active Directory's default domain policy, at least 7
 * characters, 3 of the 4 character classes, and not containing the account name.
 */
import type { ResetUserPasswordCommandInput, ResetUserPasswordCommandOutput } from '@aws-sdk/client-directory-service';
import { hashPassword } from '../../auth/secrets.js';
import { findUser, groupsOf, saveUser, type UserRecord } from '../ds-data/objects.js';
import type { Handler, ServiceContext } from '../types.js';
import { directoryArn, directoryAuthorization, directoryNotFound, dsError, findDirectory, stageOf } from './records.js';

type Out<T> = Omit<T, '$metadata'>;

export function meetsComplexity(password: string, sam: string): boolean {
  if ([...password].length < 7) return false;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 3) return false;
  return !(sam.length > 2 && password.toLowerCase().includes(sam.toLowerCase()));
}

export const passwordHandlers: Record<string, Handler> = {
  async ResetUserPassword(input: ResetUserPasswordCommandInput, ctx: ServiceContext): Promise<Out<ResetUserPasswordCommandOutput>> {
    const id = input.DirectoryId!;
    const d = await findDirectory(ctx, id);
    await ctx.authorize('ds:ResetUserPassword', directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d));
    if (!d || d.DeletedAt) throw directoryNotFound(ctx, id);
    const stage = stageOf(d, ctx.now);
    if (stage !== 'Active') throw dsError(ctx, 'DirectoryUnavailableException', `Directory ${id} is not Active (stage ${stage}).`);
    const user = await findUser(ctx.tx, ctx.caller.account, id, input.UserName!);
    const noUser = (): never => {
      throw dsError(ctx, 'UserDoesNotExistException', `User ${input.UserName!} does not exist in directory ${id}.`);
    };
    if (!user) return noUser();
    const administrator = user.Rid === 500;
    if (d.Type === 'SimpleAD' && !administrator) {
      const admins = (await groupsOf(ctx.tx, ctx.caller.account, id)).find((g) => g.Rid === 512);
      if (admins?.Members.some((m) => m.Rid === user.Rid)) throw dsError(ctx, 'UnsupportedOperationException', 'The password of a member of Domain Admins cannot be reset, except the administrator\'s.');
    }
    if (d.Type === 'MicrosoftAD' && user.Protected) throw dsError(ctx, 'UnsupportedOperationException', `User ${user.SAMAccountName} is outside your organizational unit.`);
    if (!meetsComplexity(input.NewPassword!, user.SAMAccountName)) {
      throw dsError(ctx, 'InvalidPasswordException', 'The new password provided by the user does not meet the password complexity requirements defined in your directory.');
    }
    const next: UserRecord = { ...user, Enabled: true, PasswordHash: hashPassword(input.NewPassword!) };
    await saveUser(ctx.tx, ctx.caller.account, next);
    return {};
  },
};
