/**
 * Groups: CreateGroup (DisplayName unique per store, regardless of case), DescribeGroup,
 * UpdateGroup, DeleteGroup (with its memberships), ListGroups (the deprecated
 * DisplayName filter), GetGroupId.
 */
import type {
  CreateGroupCommandInput,
  CreateGroupCommandOutput,
  DeleteGroupCommandInput,
  DeleteGroupCommandOutput,
  DescribeGroupCommandInput,
  DescribeGroupCommandOutput,
  GetGroupIdCommandInput,
  GetGroupIdCommandOutput,
  Group,
  ListGroupsCommandInput,
  ListGroupsCommandOutput,
} from '@aws-sdk/client-identitystore';
import { principalArn } from '../../auth/caller.js';
import type { Handler, ServiceContext } from '../types.js';
import { applyOperations, type AttributeOperation } from './attributes.js';
import { KIND, authorizeAll, conflict, groupArn, notFound, page, resourceId, storeArn, toDate, validation, type GroupRecord, type MembershipRecord } from './records.js';
import { requireStore } from './stores.js';
import { checkName } from './users.js';

type Out<T> = Omit<T, '$metadata'>;

const GROUP_ATTRIBUTES: readonly string[] = ['DisplayName', 'Description'];

export async function storeGroups(ctx: ServiceContext, storeId: string): Promise<GroupRecord[]> {
  return ctx.tx.list<GroupRecord>(ctx.caller.account, KIND.group, { parent: storeId });
}

/** The store's group with this id, or ResourceNotFoundException (GROUP). */
export async function requireGroup(ctx: ServiceContext, storeId: string, groupId: string): Promise<GroupRecord> {
  const group = await ctx.tx.get<GroupRecord>(ctx.caller.account, KIND.group, groupId);
  if (!group || group.IdentityStoreId !== storeId) throw notFound('GROUP', groupId);
  return group;
}

async function assertUniqueDisplayName(ctx: ServiceContext, storeId: string, name: string, except?: string): Promise<void> {
  const taken = (await storeGroups(ctx, storeId)).some((g) => g.GroupId !== except && String(g.Attributes.DisplayName).toLowerCase() === name.toLowerCase());
  if (taken) throw conflict('Duplicate GroupDisplayName');
}

function groupView(g: GroupRecord): Group {
  return {
    GroupId: g.GroupId,
    ...g.Attributes,
    CreatedAt: toDate(g.CreatedAt),
    CreatedBy: g.CreatedBy,
    UpdatedAt: toDate(g.UpdatedAt),
    UpdatedBy: g.UpdatedBy,
    IdentityStoreId: g.IdentityStoreId,
  };
}

export const groupHandlers: Record<string, Handler> = {
  async CreateGroup(input: CreateGroupCommandInput, ctx: ServiceContext): Promise<Out<CreateGroupCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'CreateGroup', [storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const name = checkName('DisplayName', input.DisplayName);
    await assertUniqueDisplayName(ctx, storeId, name);
    const id = resourceId(storeId);
    const by = principalArn(ctx.caller);
    const at = ctx.now.toISOString();
    const record: GroupRecord = {
      IdentityStoreId: storeId,
      GroupId: id,
      CreatedAt: at,
      CreatedBy: by,
      UpdatedAt: at,
      UpdatedBy: by,
      Attributes: { DisplayName: name, ...(input.Description !== undefined ? { Description: input.Description } : {}) },
    };
    await ctx.tx.insert(ctx.caller.account, KIND.group, id, record, { parent: storeId });
    return { GroupId: id, IdentityStoreId: storeId };
  },

  async DescribeGroup(input: DescribeGroupCommandInput, ctx: ServiceContext): Promise<Out<DescribeGroupCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'DescribeGroup', [groupArn(input.GroupId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    return groupView(await requireGroup(ctx, storeId, input.GroupId!));
  },

  async UpdateGroup(input: { IdentityStoreId: string; GroupId: string; Operations: AttributeOperation[] }, ctx: ServiceContext): Promise<object> {
    const storeId = input.IdentityStoreId;
    await authorizeAll(ctx, 'UpdateGroup', [groupArn(input.GroupId), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const group = await requireGroup(ctx, storeId, input.GroupId);
    const attributes = applyOperations(group.Attributes, input.Operations, GROUP_ATTRIBUTES);
    const name = checkName('DisplayName', attributes.DisplayName);
    if (name.toLowerCase() !== String(group.Attributes.DisplayName).toLowerCase()) await assertUniqueDisplayName(ctx, storeId, name, group.GroupId);
    await ctx.tx.update(ctx.caller.account, KIND.group, group.GroupId, { ...group, Attributes: attributes, UpdatedAt: ctx.now.toISOString(), UpdatedBy: principalArn(ctx.caller) });
    return {};
  },

  async DeleteGroup(input: DeleteGroupCommandInput, ctx: ServiceContext): Promise<Out<DeleteGroupCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'DeleteGroup', [groupArn(input.GroupId!), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const group = await requireGroup(ctx, storeId, input.GroupId!);
    // The group's memberships go with it.
    for (const m of await ctx.tx.list<MembershipRecord>(ctx.caller.account, KIND.membership, { parent: storeId })) {
      if (m.GroupId === group.GroupId) await ctx.tx.delete(ctx.caller.account, KIND.membership, m.MembershipId);
    }
    await ctx.tx.delete(ctx.caller.account, KIND.group, group.GroupId);
    return {};
  },

  async ListGroups(input: ListGroupsCommandInput, ctx: ServiceContext): Promise<Out<ListGroupsCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'ListGroups', [groupArn('*'), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    let groups = await storeGroups(ctx, storeId);
    const filter = input.Filters?.[0];
    if (filter) {
      if (filter.AttributePath !== 'DisplayName') throw validation(`Filtering by ${filter.AttributePath ?? ''} is not supported: the only attribute path ListGroups filters on is DisplayName.`);
      const value = (filter.AttributeValue ?? '').toLowerCase();
      groups = groups.filter((g) => String(g.Attributes.DisplayName).toLowerCase() === value);
    }
    const { items, NextToken } = page(groups, input);
    return { Groups: items.map(groupView), ...(NextToken ? { NextToken } : {}) };
  },

  async GetGroupId(input: GetGroupIdCommandInput, ctx: ServiceContext): Promise<Out<GetGroupIdCommandOutput>> {
    const storeId = input.IdentityStoreId!;
    await authorizeAll(ctx, 'GetGroupId', [groupArn('*'), storeArn(ctx.caller.account, storeId)]);
    await requireStore(ctx, storeId);
    const id = input.AlternateIdentifier!;
    let found: GroupRecord | undefined;
    if (id.UniqueAttribute) {
      const path = id.UniqueAttribute.AttributePath!;
      const value = id.UniqueAttribute.AttributeValue;
      if (typeof value !== 'string') throw validation('AttributeValue must be a string.');
      if (path.toLowerCase() !== 'displayname') throw validation(`${path} is not a unique attribute of a group: use displayName.`);
      found = (await storeGroups(ctx, storeId)).find((g) => String(g.Attributes.DisplayName).toLowerCase() === value.toLowerCase());
    } else if (id.ExternalId) {
      // Groups created through the API have no external ids (only SCIM provisioning sets them).
      found = undefined;
    } else throw validation('AlternateIdentifier must have exactly one member set.');
    if (!found) throw notFound('GROUP');
    return { GroupId: found.GroupId, IdentityStoreId: storeId };
  },
};
