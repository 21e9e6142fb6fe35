/**
 * Group memberships: CreateGroupMembership (a user once per group), DescribeGroupMembership,
 * DeleteGroupMembership, GetGroupMembershipId, ListGroupMemberships (a group's),
 * ListGroupMembershipsForMember (a user's), IsMemberInGroups.
 */
import type {
  CreateGroupMembershipCommandInput,
  CreateGroupMembershipCommandOutput,
  DeleteGroupMembershipCommandInput,
  DeleteGroupMembershipCommandOutput,
  DescribeGroupMembershipCommandInput,
  DescribeGroupMembershipCommandOutput,
  GetGroupMembershipIdCommandInput,
  GetGroupMembershipIdCommandOutput,
  GroupMembership,
  IsMemberInGroupsCommandInput,
  IsMemberInGroupsCommandOutput,
  ListGroupMembershipsCommandInput,
  ListGroupMembershipsCommandOutput,
  ListGroupMembershipsForMemberCommandInput,
  ListGroupMembershipsForMemberCommandOutput,
  MemberId,
} from '@aws-sdk/client-identitystore';
import { principalArn } from '../../auth/caller.js';
import type { Handler, ServiceContext } from '../types.js';
import { requireGroup } from './groups.js';
import { KIND, authorizeAll, conflict, groupArn, membershipArn, notFound, page, resourceId, storeArn, toDate, userArn, validation, type MembershipRecord } from './records.js';
import { requireStore } from './stores.js';
import { requireUser } from './users.js';

type Out<T> = Omit<T, '$metadata'>;

/** MemberId is a union with one member today: UserId. */
function memberUserId(member: MemberId | undefined): string {
  const userId = (member as { UserId?: string } | undefined)?.UserId;
  if (!userId) throw validation('MemberId must have exactly one member set: UserId.');
  return userId;
}

async function storeMemberships(ctx: ServiceContext, storeId: string): Promise<MembershipRecord[]> {
  return ctx.tx.list<MembershipRecord>(ctx.caller.account, KIND.membership, { parent: storeId });
}

async function requireMembership(ctx: ServiceContext, storeId: string, id: string): Promise<MembershipRecord> {
  const m = await ctx.tx.get<MembershipRecord>(ctx.caller.account, KIND.membership, id);
  if (!m || m.IdentityStoreId !== storeId) throw notFound('GROUP_MEMBERSHIP', id);
  return m;
}

function membershipView(m: MembershipRecord): GroupMembership {
  return {
    IdentityStoreId: m.IdentityStoreId,
    MembershipId: m.MembershipId,
    GroupId: m.GroupId,
    MemberId: { UserId: m.UserId },
    CreatedAt: toDate(m.CreatedAt),
    CreatedBy: m.CreatedBy,
    UpdatedAt: toDate(m.CreatedAt),
    UpdatedBy: m.CreatedBy,
  };
}

export const membershipHandlers: Record<string, Handler> = {
  async CreateGroupMembership(input: CreateGroupMembershipCommandInput, ctx: ServiceContext): Promise<Out<CreateGroupMembershipCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    const userId = memberUserId(input.MemberId);
    await authorizeAll(ctx, 'CreateGroupMembership', [groupArn(input.GroupId!), userArn(userId), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const group = await requireGroup(ctx, storeId, input.GroupId!);
    const user = await requireUser(ctx, storeId, userId);
    if ((await storeMemberships(ctx, storeId)).some((m) => m.GroupId === group.GroupId && m.UserId === user.UserId)) throw conflict('Member and Group relationship already exists.');
    const id = resourceId(storeId);
    const record: MembershipRecord = { IdentityStoreId: storeId, MembershipId: id, GroupId: group.GroupId, UserId: user.UserId, CreatedAt: ctx.now.toISOString(), CreatedBy: principalArn(ctx.caller) };
    await ctx.tx.insert(ctx.caller.account, KIND.membership, id, record, { parent: storeId });
    return { MembershipId: id, IdentityStoreId: storeId };
  },

  async DescribeGroupMembership(input: DescribeGroupMembershipCommandInput, ctx: ServiceContext): Promise<Out<DescribeGroupMembershipCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'DescribeGroupMembership', [membershipArn(input.MembershipId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const m = await requireMembership(ctx, storeId, input.MembershipId!);
    await authorizeAll(ctx, 'DescribeGroupMembership', [groupArn(m.GroupId), userArn(m.UserId)]);
    return membershipView(m) as Out<DescribeGroupMembershipCommandOutput>;
  },

  async DeleteGroupMembership(input: DeleteGroupMembershipCommandInput, ctx: ServiceContext): Promise<Out<DeleteGroupMembershipCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'DeleteGroupMembership', [membershipArn(input.MembershipId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const m = await requireMembership(ctx, storeId, input.MembershipId!);
    await authorizeAll(ctx, 'DeleteGroupMembership', [groupArn(m.GroupId), userArn(m.UserId)]);
    await ctx.tx.delete(ctx.caller.account, KIND.membership, m.MembershipId);
    return {};
  },

  async GetGroupMembershipId(input: GetGroupMembershipIdCommandInput, ctx: ServiceContext): Promise<Out<GetGroupMembershipIdCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    const userId = memberUserId(input.MemberId);
    await authorizeAll(ctx, 'GetGroupMembershipId', [membershipArn('*'), groupArn(input.GroupId!), userArn(userId), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const m = (await storeMemberships(ctx, storeId)).find((x) => x.GroupId === input.GroupId && x.UserId === userId);
    if (!m) throw notFound('GROUP_MEMBERSHIP');
    return { MembershipId: m.MembershipId, IdentityStoreId: storeId };
  },

  async ListGroupMemberships(input: ListGroupMembershipsCommandInput, ctx: ServiceContext): Promise<Out<ListGroupMembershipsCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'ListGroupMemberships', [membershipArn('*'), groupArn(input.GroupId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    await requireGroup(ctx, storeId, input.GroupId!);
    const { items, NextToken } = page((await storeMemberships(ctx, storeId)).filter((m) => m.GroupId === input.GroupId), input);
    return { GroupMemberships: items.map(membershipView), ...(NextToken ? { NextToken } : {}) };
  },

  async ListGroupMembershipsForMember(input: ListGroupMembershipsForMemberCommandInput, ctx: ServiceContext): Promise<Out<ListGroupMembershipsForMemberCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    const userId = memberUserId(input.MemberId);
    await authorizeAll(ctx, 'ListGroupMembershipsForMember', [membershipArn('*'), userArn(userId), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    await requireUser(ctx, storeId, userId);
    const { items, NextToken } = page((await storeMemberships(ctx, storeId)).filter((m) => m.UserId === userId), input);
    return { GroupMemberships: items.map(membershipView), ...(NextToken ? { NextToken } : {}) };
  },

  async IsMemberInGroups(input: IsMemberInGroupsCommandInput, ctx: ServiceContext): Promise<Out<IsMemberInGroupsCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    const userId = memberUserId(input.MemberId);
    const groupIds = input.GroupIds ?? [];
    await authorizeAll(ctx, 'IsMemberInGroups', [membershipArn('*'), ...groupIds.map(groupArn), userArn(userId), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    await requireUser(ctx, storeId, userId);
    const memberships = (await storeMemberships(ctx, storeId)).filter((m) => m.UserId === userId);
    return { Results: groupIds.map((g) => ({ GroupId: g, MemberId: { UserId: userId }, MembershipExists: memberships.some((m) => m.GroupId === g) })) };
  },
};
