/**
 * Groups: CreateGroup, DescribeGroup, UpdateGroup, DeleteGroup, ListGroups, SearchGroups.
 *
 * A new group is created in the customer's OU with the SID `<domain SID>-<next RID>`;
 * GroupScope defaults to Global and GroupType to Security (Active Directory's defaults for
 * a new group; the API Reference names none). BuiltinLocal groups are the system's own:
 * they cannot be created or made.
 *
 * Scope changes follow Active Directory's rules ("Group type and group scope" in the
 * admin guide, after Microsoft's): Global → Universal unless the group is a member of a
 * Global group; DomainLocal → Universal unless it contains a DomainLocal group; Universal
 * → Global unless it contains a Universal group; Universal → DomainLocal; never Global ↔
 * DomainLocal directly. A refused change is ValidationException, reason
 * LDAP_UNSUPPORTED_OPERATION.
 */
import type { Handler, ServiceContext } from '../types.js';
import { allocateRid } from '../ds/records.js';
import { accessDenied, conflict, notFound, openDirectory, validation } from './access.js';
import { applyUpdate, attributesOut, matches, requestedAttributes, searchAttributes, writableAttributes } from './attributes.js';
import { idempotent } from './idempotency.js';
import { findGroup, findUser, groupsOf, insertGroup, objectDn, removeGroup, saveGroup, usersOf, type AttributeValue, type GroupRecord, type GroupScope } from './objects.js';
import { pageOf } from './paging.js';
import type {
  CreateGroupRequest,
  CreateGroupResult,
  DescribeGroupRequest,
  DescribeGroupResult,
  Group,
  GroupNameRequest,
  ListGroupsRequest,
  ListGroupsResult,
  SearchGroupsResult,
  SearchRequest,
  UpdateGroupRequest,
} from './types.js';

export const groupNotFound = (sam: string, directoryId: string): Error => notFound(`Group ${sam} does not exist in directory ${directoryId}.`);

/** A group the call may change: it exists and is in the customer's OU. */
export async function writableGroup(ctx: ServiceContext, directoryId: string, sam: string): Promise<GroupRecord> {
  const g = await findGroup(ctx.tx, ctx.caller.account, directoryId, sam);
  if (!g) throw groupNotFound(sam, directoryId);
  if (g.Protected) throw accessDenied('DIRECTORY_AUTH', `Group ${g.SAMAccountName} is outside of your organizational unit (OU).`);
  return g;
}

/** An attribute of a group by lower-case LDAP name, the stored and the computed ones. */
async function groupAttribute(ctx: ServiceContext, g: GroupRecord, key: string): Promise<AttributeValue | undefined> {
  switch (key) {
    case 'samaccountname':
      return { S: g.SAMAccountName };
    case 'distinguishedname':
      return { S: g.DistinguishedName };
    case 'objectsid':
      return { S: g.SID };
    case 'groupscope':
      return { S: g.GroupScope };
    case 'grouptype':
      return { S: g.GroupType };
    case 'memberof': {
      const parents = (await groupsOf(ctx.tx, ctx.caller.account, g.DirectoryId)).filter((p) => p.Members.some((m) => m.Type === 'GROUP' && m.Rid === g.Rid));
      return parents.length ? { SS: parents.map((p) => p.DistinguishedName) } : undefined;
    }
    case 'member': {
      if (g.Members.length === 0) return undefined;
      const users = await usersOf(ctx.tx, ctx.caller.account, g.DirectoryId);
      const groups = await groupsOf(ctx.tx, ctx.caller.account, g.DirectoryId);
      const dn = (m: GroupRecord['Members'][number]): string | undefined => (m.Type === 'USER' ? users : groups).find((o) => o.Rid === m.Rid)?.DistinguishedName;
      return { SS: g.Members.map(dn).filter((x): x is string => x !== undefined) };
    }
    default:
      return g.OtherAttributes[key];
  }
}

function groupOut(g: GroupRecord, other?: Record<string, AttributeValue>): Group {
  return {
    SAMAccountName: g.SAMAccountName,
    SID: g.SID,
    DistinguishedName: g.DistinguishedName,
    GroupScope: g.GroupScope,
    GroupType: g.GroupType,
    ...(other && Object.keys(other).length ? { OtherAttributes: other } : {}),
  };
}

/** Whether Active Directory lets `g` change to `scope` (see the header). */
async function checkScopeChange(ctx: ServiceContext, g: GroupRecord, scope: GroupScope): Promise<void> {
  if (scope === g.GroupScope) return;
  const refuse = (why: string): never => {
    throw validation('LDAP_UNSUPPORTED_OPERATION', `Group ${g.SAMAccountName} cannot change scope from ${g.GroupScope} to ${scope}: ${why}.`);
  };
  if (scope === 'BuiltinLocal' || g.GroupScope === 'BuiltinLocal') refuse('built-in local groups are the system\'s');
  const groups = await groupsOf(ctx.tx, ctx.caller.account, g.DirectoryId);
  const memberGroups = groups.filter((x) => g.Members.some((m) => m.Type === 'GROUP' && m.Rid === x.Rid));
  const parents = groups.filter((p) => p.Members.some((m) => m.Type === 'GROUP' && m.Rid === g.Rid));
  if ((g.GroupScope === 'Global' && scope === 'DomainLocal') || (g.GroupScope === 'DomainLocal' && scope === 'Global')) refuse('change it to Universal first');
  if (g.GroupScope === 'Global' && scope === 'Universal' && parents.some((p) => p.GroupScope === 'Global')) refuse('it is a member of a Global group');
  if (g.GroupScope === 'DomainLocal' && scope === 'Universal' && memberGroups.some((x) => x.GroupScope === 'DomainLocal')) refuse('it contains a DomainLocal group');
  if (g.GroupScope === 'Universal' && scope === 'Global' && memberGroups.some((x) => x.GroupScope === 'Universal')) refuse('it contains a Universal group');
}

export const groupHandlers: Record<string, Handler> = {
  async CreateGroup(input: CreateGroupRequest, ctx: ServiceContext): Promise<CreateGroupResult> {
    const d = await openDirectory(ctx, 'CreateGroup', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'CreateGroup', input, async () => {
      if (input.GroupScope === 'BuiltinLocal') throw validation('INVALID_ATTRIBUTE_VALUE', 'GroupScope BuiltinLocal is reserved for the system\'s built-in groups.');
      const other = writableAttributes(input.OtherAttributes, 'group');
      const account = ctx.caller.account;
      const sam = input.SAMAccountName;
      if ((await findGroup(ctx.tx, account, d.DirectoryId, sam)) || (await findUser(ctx.tx, account, d.DirectoryId, sam))) {
        throw conflict(`An object with the SAMAccountName ${sam} already exists in directory ${d.DirectoryId}.`);
      }
      const rid = await allocateRid(ctx.tx, account, d);
      const group: GroupRecord = {
        DirectoryId: d.DirectoryId,
        SAMAccountName: sam,
        Rid: rid,
        SID: `${d.DomainSid}-${rid}`,
        DistinguishedName: objectDn(d, sam),
        GroupScope: input.GroupScope ?? 'Global',
        GroupType: input.GroupType ?? 'Security',
        Members: [],
        OtherAttributes: other,
      };
      await insertGroup(ctx.tx, account, group);
      return { DirectoryId: d.DirectoryId, SAMAccountName: sam, SID: group.SID };
    });
  },

  async DescribeGroup(input: DescribeGroupRequest, ctx: ServiceContext): Promise<DescribeGroupResult> {
    const d = await openDirectory(ctx, 'DescribeGroup', input.DirectoryId, { SAMAccountName: input.SAMAccountName, ...(input.Realm ? { Realm: input.Realm } : {}) });
    const wanted = requestedAttributes(input.OtherAttributes, 'group');
    const g = await findGroup(ctx.tx, ctx.caller.account, d.DirectoryId, input.SAMAccountName);
    if (!g) throw groupNotFound(input.SAMAccountName, d.DirectoryId);
    const other: Record<string, AttributeValue> = {};
    for (const key of wanted) {
      const v = await groupAttribute(ctx, g, key);
      if (v !== undefined) Object.assign(other, attributesOut({ [key]: v }));
    }
    return { DirectoryId: d.DirectoryId, Realm: d.Name, ...groupOut(g, other) };
  },

  /** GroupScope and GroupType can be set (not added or removed); OtherAttributes follow UpdateType. */
  async UpdateGroup(input: UpdateGroupRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'UpdateGroup', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'UpdateGroup', input, async () => {
      const g = await writableGroup(ctx, d.DirectoryId, input.SAMAccountName);
      const changes = writableAttributes(input.OtherAttributes, 'group');
      if (!input.GroupScope && !input.GroupType && Object.keys(changes).length === 0) throw validation('MISSING_ATTRIBUTE', 'The request names no attribute to update.');
      if ((input.GroupScope || input.GroupType) && (input.UpdateType === 'REMOVE' || input.UpdateType === 'ADD')) {
        throw validation('INVALID_ATTRIBUTE_FOR_MODIFY', `GroupScope and GroupType always have a value: they can only be replaced, not ${input.UpdateType === 'ADD' ? 'added' : 'removed'}.`);
      }
      if (input.GroupScope) await checkScopeChange(ctx, g, input.GroupScope);
      const next: GroupRecord = {
        ...g,
        ...(input.GroupScope ? { GroupScope: input.GroupScope } : {}),
        ...(input.GroupType ? { GroupType: input.GroupType } : {}),
        OtherAttributes: Object.keys(changes).length ? applyUpdate(g.OtherAttributes, changes, input.UpdateType) : g.OtherAttributes,
      };
      await saveGroup(ctx.tx, ctx.caller.account, next);
      return {};
    });
  },

  /** Deleting a group removes it from the groups it belonged to; its own members are simply no longer in it. */
  async DeleteGroup(input: GroupNameRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'DeleteGroup', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'DeleteGroup', input, async () => {
      const g = await writableGroup(ctx, d.DirectoryId, input.SAMAccountName);
      for (const p of await groupsOf(ctx.tx, ctx.caller.account, d.DirectoryId)) {
        if (p.Members.some((m) => m.Type === 'GROUP' && m.Rid === g.Rid)) await saveGroup(ctx.tx, ctx.caller.account, { ...p, Members: p.Members.filter((m) => !(m.Type === 'GROUP' && m.Rid === g.Rid)) });
      }
      await removeGroup(ctx.tx, ctx.caller.account, g);
      return {};
    });
  },

  async ListGroups(input: ListGroupsRequest, ctx: ServiceContext): Promise<ListGroupsResult> {
    const d = await openDirectory(ctx, 'ListGroups', input.DirectoryId, input.Realm ? { Realm: input.Realm } : {});
    const page = pageOf(await groupsOf(ctx.tx, ctx.caller.account, d.DirectoryId), input, ['ListGroups', d.DirectoryId]);
    return {
      DirectoryId: d.DirectoryId,
      Realm: d.Name,
      Groups: page.items.map((g) => ({ SAMAccountName: g.SAMAccountName, SID: g.SID, GroupScope: g.GroupScope, GroupType: g.GroupType })),
      ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    };
  },

  /** Groups any of whose SearchAttributes contains SearchString (case-insensitive). */
  async SearchGroups(input: SearchRequest, ctx: ServiceContext): Promise<SearchGroupsResult> {
    const d = await openDirectory(ctx, 'SearchGroups', input.DirectoryId, input.Realm ? { Realm: input.Realm } : {});
    const attrs = searchAttributes(input.SearchAttributes, 'group');
    const found: GroupRecord[] = [];
    for (const g of await groupsOf(ctx.tx, ctx.caller.account, d.DirectoryId)) {
      if (matches(await Promise.all(attrs.map((a) => groupAttribute(ctx, g, a))), input.SearchString)) found.push(g);
    }
    const page = pageOf(found, input, ['SearchGroups', d.DirectoryId, attrs, input.SearchString]);
    return {
      DirectoryId: d.DirectoryId,
      Realm: d.Name,
      Groups: page.items.map((g) => groupOut(g, attributesOut(g.OtherAttributes, attrs))),
      ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    };
  },
};
