/**
 * IAM users: create, read, list, rename, delete; their tags, inline policies,
 * permissions boundary and group memberships. Every handler authorizes first
 * (`iam:<Action>` on the user's ARN, with its path when the user exists), then
 * validates against state. Also the helpers the other identity families share:
 * which user a call is about, and inline policies (users' and groups').
 */
import type {
  CreateUserCommandInput,
  CreateUserCommandOutput,
  DeleteUserCommandInput,
  DeleteUserPermissionsBoundaryCommandInput,
  DeleteUserPolicyCommandInput,
  GetUserCommandInput,
  GetUserCommandOutput,
  GetUserPolicyCommandInput,
  GetUserPolicyCommandOutput,
  Group,
  ListGroupsForUserCommandInput,
  ListGroupsForUserCommandOutput,
  ListUserPoliciesCommandInput,
  ListUserPoliciesCommandOutput,
  ListUserTagsCommandInput,
  ListUserTagsCommandOutput,
  ListUsersCommandInput,
  ListUsersCommandOutput,
  PutUserPermissionsBoundaryCommandInput,
  PutUserPolicyCommandInput,
  TagUserCommandInput,
  UntagUserCommandInput,
  UpdateUserCommandInput,
  User,
} from '@aws-sdk/client-iam';
import { parsePolicy, policySize, type SizeLimit } from '../../policy/index.js';
import { awsId, GLOBAL } from '../../auth/credentials.js';
import type { Tx } from '../../store/index.js';
import { AwsError } from '../../models/errors.js';
import {
  KIND,
  insertNamed,
  arn,
  checkPath,
  deleteConflict,
  encodeDocument,
  entityAlreadyExists,
  getUser,
  limitExceeded,
  noSuchEntity,
  page,
  pageByName,
  toDate,
  type GroupRecord,
  type InlinePolicyRecord,
  type UserRecord,
} from './records.js';
import { boundaryFor } from './roles.js';
import { checkTags, mergeTags, resourceTagContext, tagContext } from './tags.js';
import { renameKeyOwner } from './access-keys.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const USER_QUOTA = 5000;
/**
 * MFA devices are another family's (none yet): DeleteUser refuses while a user has one,
 * counted under this kind with the user's id as parent.
 */
export const MFA_DEVICE = 'iam:mfa-device';
/** Aggregate inline policy quotas (IAM and STS quotas): users 2,048, groups 5,120. */
export const INLINE_USER: SizeLimit = { max: 2048, countsWhitespace: false, quota: 'UserPolicySize' };
export const INLINE_GROUP: SizeLimit = { max: 5120, countsWhitespace: false, quota: 'GroupPolicySize' };

/** A user as IAM returns it; ListUsers leaves out the boundary and tags. */
export function userOutput(u: UserRecord, full = true): User {
  return {
    Path: u.Path,
    UserName: u.UserName,
    UserId: u.UserId,
    Arn: u.Arn,
    CreateDate: toDate(u.CreateDate)!,
    ...(u.PasswordLastUsed ? { PasswordLastUsed: toDate(u.PasswordLastUsed)! } : {}),
    ...(full && u.PermissionsBoundary ? { PermissionsBoundary: u.PermissionsBoundary } : {}),
    ...(full && u.Tags.length ? { Tags: [...u.Tags] } : {}),
  };
}

export function groupOutput(g: GroupRecord): Group {
  return { Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: toDate(g.CreateDate)! };
}

/** IAM's answer when an operation about "your own user" is called by something else. */
export const nonUserCaller = (): AwsError => new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', { status: 400 });

/**
 * The user an operation is about: the named one, else the caller's own user (an IAM
 * user's credentials only; roles and federated sessions must name one).
 */
export function targetUserName(ctx: ServiceContext, name: string | undefined): string {
  if (name !== undefined) return name;
  if (ctx.caller.type === 'User' && ctx.caller.userName) return ctx.caller.userName;
  throw nonUserCaller();
}

/** The user's ARN for authorization: with its path when it exists, else under `/`. */
export async function userFor(ctx: ServiceContext, name: string): Promise<{ user: UserRecord | undefined; arn: string }> {
  const user = await ctx.tx.getByName<UserRecord>(ctx.caller.account, KIND.user, name);
  return { user, arn: user?.Arn ?? arn(ctx.caller.account, 'user', '/', name) };
}

const boundaryContext = (u: UserRecord | undefined): Record<string, string> =>
  u?.PermissionsBoundary ? { 'iam:PermissionsBoundary': u.PermissionsBoundary.PermissionsBoundaryArn } : {};

const byName = <T>(key: (x: T) => string) => (a: T, b: T): number => {
  const x = key(a).toLowerCase();
  const y = key(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};
export const byUserName = byName<UserRecord>((u) => u.UserName);

// ---- inline policies (users and groups) ----

export interface InlineTarget {
  /** KIND.userPolicy or KIND.groupPolicy. */
  readonly kind: string;
  /** The owner's id (the records' parent). */
  readonly parent: string;
  /** `user` or `group`, as IAM's messages name them. */
  readonly label: 'user' | 'group';
  readonly name: string;
  readonly limit: SizeLimit;
}

const inlineId = (parent: string, policyName: string): string => `${parent}/${policyName}`;

/** Validate and store (or replace) an inline policy, within the owner's aggregate quota. */
export async function putInline(tx: Tx, account: string, t: InlineTarget, policyName: string, document: string): Promise<void> {
  const parsed = parsePolicy(document, 'identity');
  if (!parsed.document) throw new AwsError('MalformedPolicyDocument', parsed.errors[0]?.message ?? 'Syntax errors in policy.', { status: 400 });
  const existing = await tx.list<InlinePolicyRecord>(account, t.kind, { parent: t.parent });
  let total = policySize(document, t.limit.countsWhitespace);
  for (const p of existing) if (p.PolicyName !== policyName) total += policySize(p.PolicyDocument, t.limit.countsWhitespace);
  if (total > t.limit.max) throw limitExceeded(`Maximum policy size of ${t.limit.max} bytes exceeded for ${t.label} ${t.name}`);
  const record: InlinePolicyRecord = { PolicyName: policyName, PolicyDocument: document };
  const id = inlineId(t.parent, policyName);
  if (existing.some((p) => p.PolicyName === policyName)) await tx.update(account, t.kind, id, record);
  else await tx.insert(account, t.kind, id, record, { parent: t.parent });
}

export async function getInline(tx: Tx, account: string, t: InlineTarget, policyName: string): Promise<InlinePolicyRecord> {
  const p = await tx.get<InlinePolicyRecord>(account, t.kind, inlineId(t.parent, policyName));
  if (!p) throw noSuchEntity(`The ${t.label} policy with name ${policyName} cannot be found.`);
  return p;
}

export async function deleteInline(tx: Tx, account: string, t: InlineTarget, policyName: string): Promise<void> {
  if (!(await tx.delete(account, t.kind, inlineId(t.parent, policyName)))) throw noSuchEntity(`The ${t.label} policy with name ${policyName} cannot be found.`);
}

export async function listInline(tx: Tx, account: string, t: InlineTarget, marker: string | undefined, maxItems: number | undefined): Promise<{ PolicyNames: string[]; IsTruncated: boolean; Marker?: string }> {
  const names = (await tx.list<InlinePolicyRecord>(account, t.kind, { parent: t.parent })).map((p) => p.PolicyName).sort();
  const p = page(names, marker, maxItems);
  return { PolicyNames: p.items, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
}

const userInline = (u: UserRecord): InlineTarget => ({ kind: KIND.userPolicy, parent: u.UserId, label: 'user', name: u.UserName, limit: INLINE_USER });

/** The account root as GetUser describes it (no name or path: the account's own identity). */
async function rootUser(ctx: ServiceContext): Promise<User> {
  const account = await ctx.tx.get<{ createdAt?: string }>(GLOBAL, 'account', ctx.caller.account);
  return { UserId: ctx.caller.account, Arn: `arn:aws:iam::${ctx.caller.account}:root`, CreateDate: new Date(account?.createdAt ?? 0) } as User;
}

export const usersHandlers: Record<string, Handler> = {
  async CreateUser(input: CreateUserCommandInput, ctx: ServiceContext): Promise<Out<CreateUserCommandOutput>> {
    const account = ctx.caller.account;
    const path = checkPath(input.Path);
    const userArn = arn(account, 'user', path, input.UserName!);
    await ctx.authorize('iam:CreateUser', userArn, {
      context: { ...tagContext(input.Tags), ...(input.PermissionsBoundary ? { 'iam:PermissionsBoundary': input.PermissionsBoundary } : {}) },
    });
    // Tagging on create and setting a boundary on create need their own permissions too.
    if (input.Tags?.length) await ctx.authorize('iam:TagUser', userArn, { context: tagContext(input.Tags) });
    if (input.PermissionsBoundary) await ctx.authorize('iam:PutUserPermissionsBoundary', userArn, { context: { 'iam:PermissionsBoundary': input.PermissionsBoundary } });
    checkTags(input.Tags);
    if ((await ctx.tx.count(account, KIND.user)) >= USER_QUOTA) throw limitExceeded(`Cannot exceed quota for UsersPerAccount: ${USER_QUOTA}`);
    const record: UserRecord = {
      UserName: input.UserName!,
      UserId: awsId('AIDA', 17),
      Arn: userArn,
      Path: path,
      CreateDate: ctx.now.toISOString(),
      ...(input.PermissionsBoundary ? { PermissionsBoundary: await boundaryFor(ctx, input.PermissionsBoundary) } : {}),
      Tags: input.Tags?.map((t) => ({ Key: t.Key!, Value: t.Value! })) ?? [],
      AttachedPolicies: [],
      Groups: [],
    };
    await insertNamed(ctx.tx, account, KIND.user, record.UserId, record, record.UserName, () => entityAlreadyExists(`User with name ${input.UserName!} already exists.`));
    ctx.recordResource('AWS::IAM::User', userArn);
    return { User: userOutput(record) };
  },

  async GetUser(input: GetUserCommandInput, ctx: ServiceContext): Promise<Out<GetUserCommandOutput>> {
    // Without a name: the caller itself; the root user gets its own description.
    if (input.UserName === undefined && ctx.caller.type === 'Account') {
      await ctx.authorize('iam:GetUser', ctx.caller.arn);
      return { User: await rootUser(ctx) };
    }
    const name = targetUserName(ctx, input.UserName);
    const { user, arn: userArn } = await userFor(ctx, name);
    await ctx.authorize('iam:GetUser', userArn, { context: resourceTagContext(user?.Tags, true) });
    if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return { User: userOutput(user) };
  },

  async ListUsers(input: ListUsersCommandInput, ctx: ServiceContext): Promise<Out<ListUsersCommandOutput>> {
    const account = ctx.caller.account;
    const prefix = input.PathPrefix ?? '/';
    await ctx.authorize('iam:ListUsers', arn(account, 'user', prefix, ''));
    const p = await pageByName<UserRecord>(ctx.tx, account, KIND.user, input, (u) => u.UserName, (u) => u.Path.startsWith(prefix));
    return { Users: p.items.map((u) => userOutput(u, false)), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async UpdateUser(input: UpdateUserCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: oldArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:UpdateUser', oldArn, { context: resourceTagContext(found?.Tags, true) });
    const user = await getUser(ctx.tx, account, input.UserName!);
    const newPath = input.NewPath !== undefined ? checkPath(input.NewPath, 'newPath') : user.Path;
    const newName = input.NewUserName ?? user.UserName;
    const newArn = arn(account, 'user', newPath, newName);
    // Renaming needs permission on the target name too (IAM API reference, UpdateUser).
    if (newArn !== oldArn) await ctx.authorize('iam:UpdateUser', newArn, { context: resourceTagContext(user.Tags, true) });
    const updated: UserRecord = { ...user, UserName: newName, Path: newPath, Arn: newArn };
    if (newName !== user.UserName) {
      const clash = await ctx.tx.getByName<UserRecord>(account, KIND.user, newName);
      if (clash && clash.UserId !== user.UserId) throw entityAlreadyExists(`User with name ${newName} already exists.`);
      // The name index is written on insert: a rename re-inserts the record under its id.
      await ctx.tx.delete(account, KIND.user, user.UserId);
      await ctx.tx.insert(account, KIND.user, user.UserId, updated, { name: newName });
    } else {
      await ctx.tx.update(account, KIND.user, user.UserId, updated);
    }
    // Access keys carry a snapshot of the caller they stand for: it follows the user.
    await renameKeyOwner(ctx.tx, account, updated);
    ctx.recordResource('AWS::IAM::User', newArn);
  },

  async DeleteUser(input: DeleteUserCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:DeleteUser', userArn, { context: { ...resourceTagContext(found?.Tags, true), ...boundaryContext(found) } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    // The subordinate entities IAM requires gone first, in the order IAM reports them.
    if (await ctx.tx.get(account, KIND.loginProfile, user.UserId)) throw deleteConflict('Cannot delete entity, must delete login profile first.');
    if ((await ctx.tx.count(account, KIND.accessKey, { parent: user.UserId })) > 0) throw deleteConflict('Cannot delete entity, must delete access keys first.');
    if ((await ctx.tx.count(account, MFA_DEVICE, { parent: user.UserId })) > 0) throw deleteConflict('Cannot delete entity, must delete MFA device first.');
    if (user.Groups.length > 0) throw deleteConflict('Cannot delete entity, must remove user from all groups first.');
    if (user.AttachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    if ((await ctx.tx.count(account, KIND.userPolicy, { parent: user.UserId })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
    await ctx.tx.delete(account, KIND.user, user.UserId);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async TagUser(input: TagUserCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:TagUser', userArn, { context: { ...resourceTagContext(found?.Tags, true), ...tagContext(input.Tags) } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    checkTags(input.Tags);
    const tags = mergeTags(user.Tags, input.Tags ?? []);
    if (tags.length > 50) throw limitExceeded('The number of tags has reached the maximum limit.');
    await ctx.tx.update(account, KIND.user, user.UserId, { ...user, Tags: tags });
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async UntagUser(input: UntagUserCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const keys = input.TagKeys ?? [];
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:UntagUser', userArn, { context: { ...resourceTagContext(found?.Tags, true), ...(keys.length ? { 'aws:TagKeys': keys } : {}) } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    const drop = new Set(keys.map((k) => k.toLowerCase()));
    await ctx.tx.update(account, KIND.user, user.UserId, { ...user, Tags: user.Tags.filter((t) => !drop.has(t.Key.toLowerCase())) });
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async ListUserTags(input: ListUserTagsCommandInput, ctx: ServiceContext): Promise<Out<ListUserTagsCommandOutput>> {
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:ListUserTags', userArn, { context: resourceTagContext(found?.Tags, true) });
    const user = await getUser(ctx.tx, ctx.caller.account, input.UserName!);
    const p = page(user.Tags, input.Marker, input.MaxItems);
    return { Tags: p.items, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async PutUserPolicy(input: PutUserPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:PutUserPolicy', userArn, { context: { ...resourceTagContext(found?.Tags, true), ...boundaryContext(found) } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    await putInline(ctx.tx, account, userInline(user), input.PolicyName!, input.PolicyDocument!);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async GetUserPolicy(input: GetUserPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetUserPolicyCommandOutput>> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:GetUserPolicy', userArn, { context: resourceTagContext(found?.Tags, true) });
    const user = await getUser(ctx.tx, account, input.UserName!);
    const p = await getInline(ctx.tx, account, userInline(user), input.PolicyName!);
    return { UserName: user.UserName, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.PolicyDocument) };
  },

  async DeleteUserPolicy(input: DeleteUserPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:DeleteUserPolicy', userArn, { context: { ...resourceTagContext(found?.Tags, true), ...boundaryContext(found) } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    await deleteInline(ctx.tx, account, userInline(user), input.PolicyName!);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async ListUserPolicies(input: ListUserPoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListUserPoliciesCommandOutput>> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:ListUserPolicies', userArn, { context: resourceTagContext(found?.Tags, true) });
    const user = await getUser(ctx.tx, account, input.UserName!);
    return listInline(ctx.tx, account, userInline(user), input.Marker, input.MaxItems);
  },

  async PutUserPermissionsBoundary(input: PutUserPermissionsBoundaryCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:PutUserPermissionsBoundary', userArn, { context: { ...resourceTagContext(found?.Tags, true), 'iam:PermissionsBoundary': input.PermissionsBoundary! } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    const boundary = await boundaryFor(ctx, input.PermissionsBoundary!);
    await ctx.tx.update(account, KIND.user, user.UserId, { ...user, PermissionsBoundary: boundary });
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async DeleteUserPermissionsBoundary(input: DeleteUserPermissionsBoundaryCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:DeleteUserPermissionsBoundary', userArn, { context: { ...resourceTagContext(found?.Tags, true), ...boundaryContext(found) } });
    const user = await getUser(ctx.tx, account, input.UserName!);
    const { PermissionsBoundary: _dropped, ...rest } = user;
    await ctx.tx.update(account, KIND.user, user.UserId, rest);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async ListGroupsForUser(input: ListGroupsForUserCommandInput, ctx: ServiceContext): Promise<Out<ListGroupsForUserCommandOutput>> {
    const account = ctx.caller.account;
    const { user: found, arn: userArn } = await userFor(ctx, input.UserName!);
    await ctx.authorize('iam:ListGroupsForUser', userArn, { context: resourceTagContext(found?.Tags, true) });
    const user = await getUser(ctx.tx, account, input.UserName!);
    const groups: GroupRecord[] = [];
    for (const id of user.Groups) {
      const g = await ctx.tx.get<GroupRecord>(account, KIND.group, id);
      if (g) groups.push(g);
    }
    const p = page(groups, input.Marker, input.MaxItems);
    return { Groups: p.items.map(groupOutput), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },
};
