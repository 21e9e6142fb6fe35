/**
 * IAM groups: create, read (with members), list, rename, delete; membership; inline
 * policies. A user's memberships live on the user (`UserRecord.Groups`, group ids), which
 * is what the policy source reads: a member gets the group's policies, and loses them as
 * soon as it is removed.
 */
import type {
  AddUserToGroupCommandInput,
  CreateGroupCommandInput,
  CreateGroupCommandOutput,
  DeleteGroupCommandInput,
  DeleteGroupPolicyCommandInput,
  GetGroupCommandInput,
  GetGroupCommandOutput,
  GetGroupPolicyCommandInput,
  GetGroupPolicyCommandOutput,
  ListGroupPoliciesCommandInput,
  ListGroupPoliciesCommandOutput,
  ListGroupsCommandInput,
  ListGroupsCommandOutput,
  PutGroupPolicyCommandInput,
  RemoveUserFromGroupCommandInput,
  UpdateGroupCommandInput,
} from '@aws-sdk/client-iam';
import { awsId } from '../../auth/credentials.js';
import {
  KIND,
  insertNamed,
  arn,
  checkPath,
  deleteConflict,
  encodeDocument,
  entityAlreadyExists,
  getGroup,
  getUser,
  limitExceeded,
  noSuchEntity,
  page,
  type GroupRecord,
  type UserRecord,
} from './records.js';
import { INLINE_GROUP, deleteInline, getInline, groupOutput, listInline, putInline, userOutput, type InlineTarget } from './users.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const GROUP_QUOTA = 300;
const GROUPS_PER_USER = 10;

/** The group's ARN for authorization: with its path when it exists, else under `/`. */
async function groupFor(ctx: ServiceContext, name: string): Promise<{ group: GroupRecord | undefined; arn: string }> {
  const group = await ctx.tx.getByName<GroupRecord>(ctx.caller.account, KIND.group, name);
  return { group, arn: group?.Arn ?? arn(ctx.caller.account, 'group', '/', name) };
}

const groupInline = (g: GroupRecord): InlineTarget => ({ kind: KIND.groupPolicy, parent: g.GroupId, label: 'group', name: g.GroupName, limit: INLINE_GROUP });

/** The group's members, in the order they were created. */
export async function membersOf(ctx: ServiceContext, groupId: string): Promise<UserRecord[]> {
  return (await ctx.tx.list<UserRecord>(ctx.caller.account, KIND.user)).filter((u) => u.Groups.includes(groupId));
}

export const groupsHandlers: Record<string, Handler> = {
  async CreateGroup(input: CreateGroupCommandInput, ctx: ServiceContext): Promise<Out<CreateGroupCommandOutput>> {
    const account = ctx.caller.account;
    const path = checkPath(input.Path);
    const groupArn = arn(account, 'group', path, input.GroupName!);
    await ctx.authorize('iam:CreateGroup', groupArn);
    if ((await ctx.tx.count(account, KIND.group)) >= GROUP_QUOTA) throw limitExceeded(`Cannot exceed quota for GroupsPerAccount: ${GROUP_QUOTA}`);
    const record: GroupRecord = { GroupName: input.GroupName!, GroupId: awsId('AGPA', 17), Arn: groupArn, Path: path, CreateDate: ctx.now.toISOString(), AttachedPolicies: [] };
    await insertNamed(ctx.tx, account, KIND.group, record.GroupId, record, record.GroupName, () => entityAlreadyExists(`Group with name ${input.GroupName!} already exists.`));
    ctx.recordResource('AWS::IAM::Group', groupArn);
    return { Group: groupOutput(record) };
  },

  async GetGroup(input: GetGroupCommandInput, ctx: ServiceContext): Promise<Out<GetGroupCommandOutput>> {
    const { group, arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:GetGroup', groupArn);
    if (!group) throw noSuchEntity(`The group with name ${input.GroupName!} cannot be found.`);
    const p = page(await membersOf(ctx, group.GroupId), input.Marker, input.MaxItems);
    return { Group: groupOutput(group), Users: p.items.map((u) => userOutput(u, false)), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async ListGroups(input: ListGroupsCommandInput, ctx: ServiceContext): Promise<Out<ListGroupsCommandOutput>> {
    const account = ctx.caller.account;
    const prefix = input.PathPrefix ?? '/';
    await ctx.authorize('iam:ListGroups', arn(account, 'group', prefix, ''));
    const groups = (await ctx.tx.list<GroupRecord>(account, KIND.group))
      .filter((g) => g.Path.startsWith(prefix))
      .sort((a, b) => (a.GroupName.toLowerCase() < b.GroupName.toLowerCase() ? -1 : a.GroupName.toLowerCase() > b.GroupName.toLowerCase() ? 1 : 0));
    const p = page(groups, input.Marker, input.MaxItems);
    return { Groups: p.items.map(groupOutput), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async UpdateGroup(input: UpdateGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { arn: oldArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:UpdateGroup', oldArn);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    const newPath = input.NewPath !== undefined ? checkPath(input.NewPath, 'newPath') : group.Path;
    const newName = input.NewGroupName ?? group.GroupName;
    const newArn = arn(account, 'group', newPath, newName);
    // Renaming needs permission on the target name too (IAM API reference, UpdateGroup).
    if (newArn !== oldArn) await ctx.authorize('iam:UpdateGroup', newArn);
    const updated: GroupRecord = { ...group, GroupName: newName, Path: newPath, Arn: newArn };
    if (newName !== group.GroupName) {
      const clash = await ctx.tx.getByName<GroupRecord>(account, KIND.group, newName);
      if (clash && clash.GroupId !== group.GroupId) throw entityAlreadyExists(`Group with name ${newName} already exists.`);
      await ctx.tx.delete(account, KIND.group, group.GroupId);
      await ctx.tx.insert(account, KIND.group, group.GroupId, updated, { name: newName });
    } else {
      await ctx.tx.update(account, KIND.group, group.GroupId, updated);
    }
    ctx.recordResource('AWS::IAM::Group', newArn);
  },

  async DeleteGroup(input: DeleteGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:DeleteGroup', groupArn);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    if ((await membersOf(ctx, group.GroupId)).length > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
    if (group.AttachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    if ((await ctx.tx.count(account, KIND.groupPolicy, { parent: group.GroupId })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
    await ctx.tx.delete(account, KIND.group, group.GroupId);
    ctx.recordResource('AWS::IAM::Group', group.Arn);
  },

  async AddUserToGroup(input: AddUserToGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:AddUserToGroup', groupArn);
    // IAM looks the user up before the group.
    const user = await getUser(ctx.tx, account, input.UserName!);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    if (user.Groups.includes(group.GroupId)) return;
    if (user.Groups.length >= GROUPS_PER_USER) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
    await ctx.tx.update<UserRecord>(account, KIND.user, user.UserId, { ...user, Groups: [...user.Groups, group.GroupId] });
    ctx.recordResource('AWS::IAM::Group', group.Arn);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async RemoveUserFromGroup(input: RemoveUserFromGroupCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:RemoveUserFromGroup', groupArn);
    const user = await getUser(ctx.tx, account, input.UserName!);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    // Removing a user that is not a member succeeds (as IAM does).
    if (user.Groups.includes(group.GroupId)) {
      await ctx.tx.update<UserRecord>(account, KIND.user, user.UserId, { ...user, Groups: user.Groups.filter((id) => id !== group.GroupId) });
    }
    ctx.recordResource('AWS::IAM::Group', group.Arn);
    ctx.recordResource('AWS::IAM::User', user.Arn);
  },

  async PutGroupPolicy(input: PutGroupPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:PutGroupPolicy', groupArn);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    await putInline(ctx.tx, account, groupInline(group), input.PolicyName!, input.PolicyDocument!);
    ctx.recordResource('AWS::IAM::Group', group.Arn);
  },

  async GetGroupPolicy(input: GetGroupPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetGroupPolicyCommandOutput>> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:GetGroupPolicy', groupArn);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    const p = await getInline(ctx.tx, account, groupInline(group), input.PolicyName!);
    return { GroupName: group.GroupName, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.PolicyDocument) };
  },

  async DeleteGroupPolicy(input: DeleteGroupPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:DeleteGroupPolicy', groupArn);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    await deleteInline(ctx.tx, account, groupInline(group), input.PolicyName!);
    ctx.recordResource('AWS::IAM::Group', group.Arn);
  },

  async ListGroupPolicies(input: ListGroupPoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListGroupPoliciesCommandOutput>> {
    const account = ctx.caller.account;
    const { arn: groupArn } = await groupFor(ctx, input.GroupName!);
    await ctx.authorize('iam:ListGroupPolicies', groupArn);
    const group = await getGroup(ctx.tx, account, input.GroupName!);
    return listInline(ctx.tx, account, groupInline(group), input.Marker, input.MaxItems);
  },
};
