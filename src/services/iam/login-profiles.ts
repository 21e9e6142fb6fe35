/**
 * IAM login profiles: a user's console password. Passwords are hashed (scrypt) and never
 * returned or logged (`Password`, `OldPassword`, `NewPassword` are sensitive members);
 * new passwords must satisfy the account's password policy, or IAM's default one.
 */
import type {
  ChangePasswordCommandInput,
  CreateLoginProfileCommandInput,
  CreateLoginProfileCommandOutput,
  DeleteLoginProfileCommandInput,
  GetLoginProfileCommandInput,
  GetLoginProfileCommandOutput,
  LoginProfile,
  UpdateLoginProfileCommandInput,
} from '@aws-sdk/client-iam';
import { checkPassword, hashPassword } from '../../auth/secrets.js';
import { AwsError } from '../../models/errors.js';
import { KIND, entityAlreadyExists, getUser, noSuchEntity, type UserRecord } from './records.js';
import { targetUserName, userFor } from './users.js';
import { resourceTagContext } from './tags.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

interface LoginProfileRecord {
  readonly UserId: string;
  readonly PasswordHash: string;
  readonly CreateDate: string;
  readonly PasswordResetRequired: boolean;
  /** Earlier password hashes, newest first (the policy's PasswordReusePrevention). */
  readonly History: readonly string[];
}

/** The account password policy as stored (one per account, id {@link PASSWORD_POLICY_ID}). */
export interface PasswordPolicyRecord {
  readonly MinimumPasswordLength: number;
  readonly RequireSymbols: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireUppercaseCharacters: boolean;
  readonly RequireLowercaseCharacters: boolean;
  readonly AllowUsersToChangePassword: boolean;
  readonly MaxPasswordAge?: number;
  readonly PasswordReusePrevention?: number;
  readonly HardExpiry?: boolean;
}

export const PASSWORD_POLICY_ID = 'PasswordPolicy';

/** The symbols IAM counts ("! @ # $ % ^ & * ( ) _ + - = [ ] { } | '"). */
const SYMBOL = /[!@#$%^&*()_+\-=[\]{}|']/;

const violation = (message: string): AwsError => new AwsError('PasswordPolicyViolation', message, { status: 400 });

export async function passwordPolicy(ctx: ServiceContext): Promise<PasswordPolicyRecord | undefined> {
  return ctx.tx.get<PasswordPolicyRecord>(ctx.caller.account, KIND.passwordPolicy, PASSWORD_POLICY_ID);
}

/**
 * A new password against the account's policy; without one, IAM's default policy: at
 * least 8 characters and three of the four character types.
 */
function checkNewPassword(password: string, policy: PasswordPolicyRecord | undefined): void {
  const has = { upper: /[A-Z]/.test(password), lower: /[a-z]/.test(password), number: /[0-9]/.test(password), symbol: SYMBOL.test(password) };
  if (!policy) {
    if (password.length < 8) throw violation('Password should have a minimum length of 8');
    if (Object.values(has).filter(Boolean).length < 3) throw violation('Password should have at least three of the following: uppercase letters, lowercase letters, numbers, and symbols');
    return;
  }
  if (password.length < policy.MinimumPasswordLength) throw violation(`Password should have a minimum length of ${policy.MinimumPasswordLength}`);
  if (policy.RequireUppercaseCharacters && !has.upper) throw violation('Password should have at least one uppercase letter');
  if (policy.RequireLowercaseCharacters && !has.lower) throw violation('Password should have at least one lowercase letter');
  if (policy.RequireNumbers && !has.number) throw violation('Password should have at least one number');
  if (policy.RequireSymbols && !has.symbol) throw violation('Password should have at least one symbol');
}

const profileNotFound = (name: string): AwsError => noSuchEntity(`Login Profile for User ${name} cannot be found.`);

const output = (user: UserRecord, p: LoginProfileRecord): LoginProfile => ({ UserName: user.UserName, CreateDate: new Date(p.CreateDate), PasswordResetRequired: p.PasswordResetRequired });

/** Authorize `action` on the user (named, or the caller's own), then load it. */
async function subject(ctx: ServiceContext, name: string | undefined, action: string): Promise<UserRecord> {
  const userName = targetUserName(ctx, name);
  const { user, arn } = await userFor(ctx, userName);
  await ctx.authorize(action, arn, { context: resourceTagContext(user?.Tags, true) });
  return getUser(ctx.tx, ctx.caller.account, userName);
}

export const loginProfilesHandlers: Record<string, Handler> = {
  async CreateLoginProfile(input: CreateLoginProfileCommandInput, ctx: ServiceContext): Promise<Out<CreateLoginProfileCommandOutput>> {
    const account = ctx.caller.account;
    const user = await subject(ctx, input.UserName, 'iam:CreateLoginProfile');
    if (await ctx.tx.get(account, KIND.loginProfile, user.UserId)) throw entityAlreadyExists(`Login Profile for user ${user.UserName} already exists.`);
    if (input.Password === undefined) throw new AwsError('ValidationError', "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null", { status: 400 });
    checkNewPassword(input.Password, await passwordPolicy(ctx));
    const record: LoginProfileRecord = { UserId: user.UserId, PasswordHash: hashPassword(input.Password), CreateDate: ctx.now.toISOString(), PasswordResetRequired: input.PasswordResetRequired ?? false, History: [] };
    await ctx.tx.insert(account, KIND.loginProfile, user.UserId, record);
    ctx.recordResource('AWS::IAM::User', user.Arn);
    return { LoginProfile: output(user, record) };
  },

  async GetLoginProfile(input: GetLoginProfileCommandInput, ctx: ServiceContext): Promise<Out<GetLoginProfileCommandOutput>> {
    const user = await subject(ctx, input.UserName, 'iam:GetLoginProfile');
    const p = await ctx.tx.get<LoginProfileRecord>(ctx.caller.account, KIND.loginProfile, user.UserId);
    if (!p) throw profileNotFound(user.UserName);
    return { LoginProfile: output(user, p) };
  },

  async UpdateLoginProfile(input: UpdateLoginProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const user = await subject(ctx, input.UserName, 'iam:UpdateLoginProfile');
    const p = await ctx.tx.get<LoginProfileRecord>(account, KIND.loginProfile, user.UserId);
    if (!p) throw profileNotFound(user.UserName);
    let next: LoginProfileRecord = { ...p, ...(input.PasswordResetRequired !== undefined ? { PasswordResetRequired: input.PasswordResetRequired } : {}) };
    if (input.Password !== undefined) {
      checkNewPassword(input.Password, await passwordPolicy(ctx));
      next = { ...next, PasswordHash: hashPassword(input.Password), History: [p.PasswordHash, ...p.History].slice(0, 24) };
    }
    await ctx.tx.update(account, KIND.loginProfile, user.UserId, next);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async DeleteLoginProfile(input: DeleteLoginProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const user = await subject(ctx, input.UserName, 'iam:DeleteLoginProfile');
    if (!(await ctx.tx.delete(account, KIND.loginProfile, user.UserId))) throw profileNotFound(user.UserName);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async ChangePassword(input: ChangePasswordCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    if (ctx.caller.type !== 'User' || !ctx.caller.userName) {
      throw new AwsError('InvalidUserType', 'Only IAM users can change their own password with ChangePassword.', { status: 400 });
    }
    const policy = await passwordPolicy(ctx);
    const { user: found, arn: userArn } = await userFor(ctx, ctx.caller.userName);
    // "Allow users to change their own password" grants exactly this, without a policy.
    if (policy?.AllowUsersToChangePassword) ctx.noPermissionRequired('the account password policy allows users to change their own password');
    else await ctx.authorize('iam:ChangePassword', userArn, { context: resourceTagContext(found?.Tags, true) });
    const user = await getUser(ctx.tx, account, ctx.caller.userName);
    const p = await ctx.tx.get<LoginProfileRecord>(account, KIND.loginProfile, user.UserId);
    if (!p) throw profileNotFound(user.UserName);
    if (!checkPassword(input.OldPassword!, p.PasswordHash)) throw new AwsError('AccessDenied', 'The old password is incorrect.', { status: 403 });
    checkNewPassword(input.NewPassword!, policy);
    const reuse = policy?.PasswordReusePrevention ?? 0;
    if (reuse > 0 && [p.PasswordHash, ...p.History].slice(0, reuse).some((h) => checkPassword(input.NewPassword!, h))) {
      throw violation(`Password should not be one of your last ${reuse} passwords`);
    }
    await ctx.tx.update<LoginProfileRecord>(account, KIND.loginProfile, user.UserId, {
      ...p,
      PasswordHash: hashPassword(input.NewPassword!),
      PasswordResetRequired: false,
      History: [p.PasswordHash, ...p.History].slice(0, 24),
    });
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },
};
