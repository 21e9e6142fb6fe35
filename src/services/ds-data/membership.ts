/**
 * Group memberships: AddGroupMember, RemoveGroupMember, ListGroupMembers,
 * ListGroupsForMember. A member is a user or a group (the model's COMPUTER members do not
 * exist here: Directory Service Data cannot create computers), named by SAM account name.
 *
 * ListGroupsForMember is how an application finds a user's groups and their SIDs (Client
 * VPN's authorization rules name AD groups by SID). It lists direct memberships, as AD's
 * `memberOf` does; nested groups are found by asking again for each group.
 *
 * Nesting follows Active Directory's scope rules: a Global group holds users and Global
 * groups; a Universal group also Universal groups; a DomainLocal group also DomainLocal
 * groups. A group cannot contain itself. Refusals are ValidationException, reason
 * LDAP_UNSUPPORTED_OPERATION; adding a member twice is ConflictException ("It can also
 * occur when adding a member to a group that the member is already in"); removing one that
 * is not there is ResourceNotFoundException (a choice).
 */
import type { Handler, ServiceContext } from '../types.js';
import { conflict, notFound, openDirectory, validation } from './access.js';
import { groupNotFound, writableGroup } from './groups.js';
import { idempotent } from './idempotency.js';
import { findGroup, findUser, groupsOf, saveGroup, usersOf, type GroupRecord, type GroupScope, type MemberType, type UserRecord } from './objects.js';
import { pageOf } from './paging.js';
import type { GroupMemberRequest, ListGroupMembersRequest, ListGroupMembersResult, ListGroupsForMemberRequest, ListGroupsForMemberResult } from './types.js';

/** The group scopes each scope may contain (single domain). */
const NESTING: Readonly<Record<GroupScope, readonly GroupScope[]>> = {
  Global: ['Global'],
  Universal: ['Global', 'Universal'],
  DomainLocal: ['Global', 'Universal', 'DomainLocal'],
  BuiltinLocal: ['Global', 'Universal', 'DomainLocal'],
};

type Resolved = { readonly type: 'USER'; readonly object: UserRecord } | { readonly type: 'GROUP'; readonly object: GroupRecord };

/** A user or group by SAM account name (unique across both in a domain). */
async function resolveMember(ctx: ServiceContext, directoryId: string, sam: string): Promise<Resolved> {
  const u = await findUser(ctx.tx, ctx.caller.account, directoryId, sam);
  if (u) return { type: 'USER', object: u };
  const g = await findGroup(ctx.tx, ctx.caller.account, directoryId, sam);
  if (g) return { type: 'GROUP', object: g };
  throw notFound(`Member ${sam} does not exist in directory ${directoryId}.`);
}

const isMember = (g: GroupRecord, m: Resolved): boolean => g.Members.some((x) => x.Type === m.type && x.Rid === m.object.Rid);

export const membershipHandlers: Record<string, Handler> = {
  async AddGroupMember(input: GroupMemberRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'AddGroupMember', input.DirectoryId, { SAMAccountName: input.GroupName, MemberName: input.MemberName, ...(input.MemberRealm ? { MemberRealm: input.MemberRealm } : {}) });
    return idempotent(ctx, 'AddGroupMember', input, async () => {
      const g = await writableGroup(ctx, d.DirectoryId, input.GroupName);
      const m = await resolveMember(ctx, d.DirectoryId, input.MemberName);
      if (m.type === 'GROUP') {
        if (m.object.Rid === g.Rid) throw validation('LDAP_UNSUPPORTED_OPERATION', `Group ${g.SAMAccountName} cannot be a member of itself.`);
        if (!NESTING[g.GroupScope].includes(m.object.GroupScope)) {
          throw validation('LDAP_UNSUPPORTED_OPERATION', `A ${m.object.GroupScope} group (${m.object.SAMAccountName}) cannot be a member of a ${g.GroupScope} group (${g.SAMAccountName}).`);
        }
      }
      if (isMember(g, m)) throw conflict(`${m.object.SAMAccountName} is already a member of group ${g.SAMAccountName}.`);
      await saveGroup(ctx.tx, ctx.caller.account, { ...g, Members: [...g.Members, { Rid: m.object.Rid, Type: m.type }] });
      return {};
    });
  },

  async RemoveGroupMember(input: GroupMemberRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'RemoveGroupMember', input.DirectoryId, { SAMAccountName: input.GroupName, MemberName: input.MemberName, ...(input.MemberRealm ? { MemberRealm: input.MemberRealm } : {}) });
    return idempotent(ctx, 'RemoveGroupMember', input, async () => {
      const g = await writableGroup(ctx, d.DirectoryId, input.GroupName);
      const m = await resolveMember(ctx, d.DirectoryId, input.MemberName);
      if (!isMember(g, m)) throw notFound(`${m.object.SAMAccountName} is not a member of group ${g.SAMAccountName}.`);
      await saveGroup(ctx.tx, ctx.caller.account, { ...g, Members: g.Members.filter((x) => !(x.Type === m.type && x.Rid === m.object.Rid)) });
      return {};
    });
  },

  async ListGroupMembers(input: ListGroupMembersRequest, ctx: ServiceContext): Promise<ListGroupMembersResult> {
    const d = await openDirectory(ctx, 'ListGroupMembers', input.DirectoryId, {
      SAMAccountName: input.SAMAccountName,
      ...(input.Realm ? { Realm: input.Realm } : {}),
      ...(input.MemberRealm ? { MemberRealm: input.MemberRealm } : {}),
    });
    const g = await findGroup(ctx.tx, ctx.caller.account, d.DirectoryId, input.SAMAccountName);
    if (!g) throw groupNotFound(input.SAMAccountName, d.DirectoryId);
    const users = await usersOf(ctx.tx, ctx.caller.account, d.DirectoryId);
    const groups = await groupsOf(ctx.tx, ctx.caller.account, d.DirectoryId);
    const members: { MemberType: MemberType; SAMAccountName: string; SID: string }[] = [];
    for (const m of g.Members) {
      const o = (m.Type === 'USER' ? users : groups).find((x) => x.Rid === m.Rid);
      if (o) members.push({ MemberType: m.Type, SAMAccountName: o.SAMAccountName, SID: o.SID });
    }
    const page = pageOf(members, input, ['ListGroupMembers', d.DirectoryId, g.Rid]);
    return { DirectoryId: d.DirectoryId, Realm: d.Name, MemberRealm: d.Name, Members: page.items, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async ListGroupsForMember(input: ListGroupsForMemberRequest, ctx: ServiceContext): Promise<ListGroupsForMemberResult> {
    const d = await openDirectory(ctx, 'ListGroupsForMember', input.DirectoryId, {
      SAMAccountName: input.SAMAccountName,
      ...(input.Realm ? { Realm: input.Realm } : {}),
      ...(input.MemberRealm ? { MemberRealm: input.MemberRealm } : {}),
    });
    const m = await resolveMember(ctx, d.DirectoryId, input.SAMAccountName);
    const groups = (await groupsOf(ctx.tx, ctx.caller.account, d.DirectoryId)).filter((g) => isMember(g, m));
    const page = pageOf(groups, input, ['ListGroupsForMember', d.DirectoryId, m.type, m.object.Rid]);
    return {
      DirectoryId: d.DirectoryId,
      Realm: d.Name,
      MemberRealm: d.Name,
      Groups: page.items.map((g) => ({ SAMAccountName: g.SAMAccountName, SID: g.SID, GroupScope: g.GroupScope, GroupType: g.GroupType })),
      ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    };
  },
};
