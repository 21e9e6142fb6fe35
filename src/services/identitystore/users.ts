/**
 * Users: CreateUser, DescribeUser, UpdateUser, DeleteUser (with the user's memberships),
 * ListUsers (the deprecated UserName filter), GetUserId.
 */
import type {
  CreateUserCommandInput,
  CreateUserCommandOutput,
  DeleteUserCommandInput,
  DeleteUserCommandOutput,
  DescribeUserCommandInput,
  DescribeUserCommandOutput,
  GetUserIdCommandInput,
  GetUserIdCommandOutput,
  ListUsersCommandInput,
  ListUsersCommandOutput,
  User,
} from '@aws-sdk/client-identitystore';
import { principalArn } from '../../auth/caller.js';
import type { Handler, ServiceContext } from '../types.js';
import { applyOperations, type AttributeOperation } from './attributes.js';
import { KIND, authorizeAll, conflict, notFound, page, resourceId, storeArn, toDate, userArn, validation, type MembershipRecord, type UserRecord } from './records.js';
import { requireStore } from './stores.js';

type Out<T> = Omit<T, '$metadata'>;

/** CreateUser's attributes (all but IdentityStoreId), as the model names them. */
export const USER_ATTRIBUTES: readonly string[] = [
  'UserName', 'Name', 'DisplayName', 'NickName', 'ProfileUrl', 'Emails', 'Addresses', 'PhoneNumbers', 'UserType', 'Title',
  'PreferredLanguage', 'Locale', 'Timezone', 'Photos', 'Website', 'Birthdate', 'Roles', 'Extensions',
];

/** IAM Identity Center User Guide: these names are reserved for users and groups. */
const RESERVED = ['administrator', 'awsadministrators'];

export function checkName(kind: 'UserName' | 'DisplayName', name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw validation(`${kind} is a required attribute.`);
  if (RESERVED.includes(name.toLowerCase())) throw validation(`${kind} ${name} is reserved.`);
  return name;
}

export async function storeUsers(ctx: ServiceContext, storeId: string): Promise<UserRecord[]> {
  return ctx.tx.list<UserRecord>(ctx.caller.account, KIND.user, { parent: storeId });
}

/** The store's user with this id, or ResourceNotFoundException (USER). */
export async function requireUser(ctx: ServiceContext, storeId: string, userId: string): Promise<UserRecord> {
  const user = await ctx.tx.get<UserRecord>(ctx.caller.account, KIND.user, userId);
  if (!user || user.IdentityStoreId !== storeId) throw notFound('USER', userId);
  return user;
}

async function assertUniqueUserName(ctx: ServiceContext, storeId: string, name: string, except?: string): Promise<void> {
  const taken = (await storeUsers(ctx, storeId)).some((u) => u.UserId !== except && String(u.Attributes.UserName).toLowerCase() === name.toLowerCase());
  if (taken) throw conflict(`Duplicate UserName`);
}

/** DescribeUser's and ListUsers' view; extensions only when asked for by name. */
function userView(u: UserRecord, extensions?: readonly string[]): User {
  const { Extensions, ...attributes } = u.Attributes as { Extensions?: Record<string, unknown> };
  const wanted = extensions && Extensions ? Object.fromEntries(Object.entries(Extensions).filter(([k]) => extensions.includes(k))) : undefined;
  return {
    IdentityStoreId: u.IdentityStoreId,
    UserId: u.UserId,
    ...attributes,
    UserStatus: 'ENABLED',
    CreatedAt: toDate(u.CreatedAt),
    CreatedBy: u.CreatedBy,
    UpdatedAt: toDate(u.UpdatedAt),
    UpdatedBy: u.UpdatedBy,
    ...(wanted && Object.keys(wanted).length ? { Extensions: wanted as User['Extensions'] } : {}),
  };
}

export const userHandlers: Record<string, Handler> = {
  async CreateUser(input: CreateUserCommandInput, ctx: ServiceContext): Promise<Out<CreateUserCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'CreateUser', [storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const name = checkName('UserName', input.UserName);
    await assertUniqueUserName(ctx, storeId, name);
    const attributes: Record<string, unknown> = {};
    for (const key of USER_ATTRIBUTES) {
      const value = (input as unknown as Record<string, unknown>)[key];
      if (value !== undefined) attributes[key] = value;
    }
    const id = resourceId(storeId);
    const by = principalArn(ctx.caller);
    const at = ctx.now.toISOString();
    const record: UserRecord = { IdentityStoreId: storeId, UserId: id, CreatedAt: at, CreatedBy: by, UpdatedAt: at, UpdatedBy: by, Attributes: attributes };
    await ctx.tx.insert(ctx.caller.account, KIND.user, id, record, { parent: storeId });
    return { IdentityStoreId: storeId, UserId: id };
  },

  async DescribeUser(input: DescribeUserCommandInput, ctx: ServiceContext): Promise<Out<DescribeUserCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'DescribeUser', [userArn(input.UserId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    return userView(await requireUser(ctx, storeId, input.UserId!), input.Extensions);
  },

  async UpdateUser(input: { IdentityStoreId: string; UserId: string; Operations: AttributeOperation[] }, ctx: ServiceContext): Promise<object> {
    const storeId = input.IdentityStoreId;
    await authorizeAll(ctx, 'UpdateUser', [userArn(input.UserId), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const user = await requireUser(ctx, storeId, input.UserId);
    const attributes = applyOperations(user.Attributes, input.Operations, USER_ATTRIBUTES);
    const name = checkName('UserName', attributes.UserName);
    if (name.toLowerCase() !== String(user.Attributes.UserName).toLowerCase()) await assertUniqueUserName(ctx, storeId, name, user.UserId);
    await ctx.tx.update(ctx.caller.account, KIND.user, user.UserId, { ...user, Attributes: attributes, UpdatedAt: ctx.now.toISOString(), UpdatedBy: principalArn(ctx.caller) });
    return {};
  },

  async DeleteUser(input: DeleteUserCommandInput, ctx: ServiceContext): Promise<Out<DeleteUserCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'DeleteUser', [userArn(input.UserId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const user = await requireUser(ctx, storeId, input.UserId!);
    // The user's group memberships go with it.
    for (const m of await ctx.tx.list<MembershipRecord>(ctx.caller.account, KIND.membership, { parent: storeId })) {
      if (m.UserId === user.UserId) await ctx.tx.delete(ctx.caller.account, KIND.membership, m.MembershipId);
    }
    await ctx.tx.delete(ctx.caller.account, KIND.user, user.UserId);
    return {};
  },

  async ListUsers(input: ListUsersCommandInput, ctx: ServiceContext): Promise<Out<ListUsersCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'ListUsers', [userArn('*'), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    let users = await storeUsers(ctx, storeId);
    const filter = input.Filters?.[0];
    if (filter) {
      if (filter.AttributePath !== 'UserName') throw validation(`Filtering by ${filter.AttributePath ?? ''} is not supported: the only attribute path ListUsers filters on is UserName.`);
      const value = (filter.AttributeValue ?? '').toLowerCase();
      users = users.filter((u) => String(u.Attributes.UserName).toLowerCase() === value);
    }
    const { items, NextToken } = page(users, input);
    return { Users: items.map((u) => userView(u, input.Extensions)), ...(NextToken ? { NextToken } : {}) };
  },

  async GetUserId(input: GetUserIdCommandInput, ctx: ServiceContext): Promise<Out<GetUserIdCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'GetUserId', [userArn('*'), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const id = input.AlternateIdentifier!;
    const users = await storeUsers(ctx, storeId);
    let found: UserRecord | undefined;
    if (id.UniqueAttribute) {
      const path = id.UniqueAttribute.AttributePath!;
      const value = id.UniqueAttribute.AttributeValue;
      if (typeof value !== 'string') throw validation('AttributeValue must be a string.');
      if (path.toLowerCase() === 'username') found = users.find((u) => String(u.Attributes.UserName).toLowerCase() === value.toLowerCase());
      else if (path.toLowerCase() === 'emails.value') found = users.find((u) => ((u.Attributes.Emails as { Value?: string }[] | undefined) ?? []).some((e) => e.Value?.toLowerCase() === value.toLowerCase()));
      else throw validation(`${path} is not a unique attribute of a user: use userName or emails.value.`);
    } else if (id.ExternalId) {
      // Users created through the API have no external ids (only SCIM provisioning sets them).
      found = undefined;
    } else throw validation('AlternateIdentifier must have exactly one member set.');
    if (!found) throw notFound('USER');
    return { IdentityStoreId: storeId, UserId: found.UserId };
  },
};
