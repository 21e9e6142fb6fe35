/**
 * Users: CreateUser, DescribeUser, UpdateUser, DeleteUser, DisableUser, ListUsers,
 * SearchUsers.
 *
 * A new user is created in the customer's OU (`CN=<SAMAccountName>,OU=Users,OU=<NetBIOS>,...`),
 * with the UPN `<SAMAccountName>@<domain>` and the SID `<domain SID>-<next RID>`. It has
 * no password, so it is **disabled** until ResetUserPassword (Directory Service) sets one:
 * AD creates password-less accounts disabled, and AWS's DisableUser doc points to
 * ResetUserPassword for enabling an account.
 *
 * SAM account names are unique across the domain's users and groups, ignoring case
 * (ConflictException). Objects outside the customer's OU are read-only
 * (AccessDeniedException, reason DIRECTORY_AUTH: "the user, member, or group might be
 * outside of your organizational unit").
 */
import type { ServiceContext, Handler } from '../types.js';
import { allocateRid } from '../ds/records.js';
import { accessDenied, conflict, notFound, openDirectory, validation } from './access.js';
import { applyUpdate, attributesOut, matches, requestedAttributes, searchAttributes, writableAttributes } from './attributes.js';
import { idempotent } from './idempotency.js';
import { findGroup, findUser, groupsOf, insertUser, objectDn, removeUser, saveGroup, saveUser, userPrincipalName, usersOf, type AttributeValue, type UserRecord } from './objects.js';
import { pageOf } from './paging.js';
import type {
  CreateUserRequest,
  CreateUserResult,
  DescribeUserRequest,
  DescribeUserResult,
  ListUsersRequest,
  ListUsersResult,
  SearchRequest,
  SearchUsersResult,
  UpdateUserRequest,
  User,
  UserNameRequest,
} from './types.js';

/** The request members that stand for LDAP attributes, by lower-case LDAP name. */
const PARAMETERS = { givenname: 'GivenName', sn: 'Surname', mail: 'EmailAddress' } as const;

export const userNotFound = (sam: string, directoryId: string): Error => notFound(`User ${sam} does not exist in directory ${directoryId}.`);

/** A user the call may change: it exists and is in the customer's OU. */
async function writableUser(ctx: ServiceContext, directoryId: string, sam: string): Promise<UserRecord> {
  const u = await findUser(ctx.tx, ctx.caller.account, directoryId, sam);
  if (!u) throw userNotFound(sam, directoryId);
  if (u.Protected) throw accessDenied('DIRECTORY_AUTH', `User ${u.SAMAccountName} is outside of your organizational unit (OU).`);
  return u;
}

/** An attribute of a user by lower-case LDAP name, the stored and the computed ones. */
async function userAttribute(ctx: ServiceContext, u: UserRecord, key: string): Promise<AttributeValue | undefined> {
  switch (key) {
    case 'samaccountname':
      return { S: u.SAMAccountName };
    case 'givenname':
      return u.GivenName !== undefined ? { S: u.GivenName } : undefined;
    case 'sn':
      return u.Surname !== undefined ? { S: u.Surname } : undefined;
    case 'mail':
      return u.EmailAddress !== undefined ? { S: u.EmailAddress } : undefined;
    case 'distinguishedname':
      return { S: u.DistinguishedName };
    case 'objectsid':
      return { S: u.SID };
    case 'userprincipalname':
      return { S: u.UserPrincipalName };
    case 'memberof': {
      const groups = (await groupsOf(ctx.tx, ctx.caller.account, u.DirectoryId)).filter((g) => g.Members.some((m) => m.Type === 'USER' && m.Rid === u.Rid));
      return groups.length ? { SS: groups.map((g) => g.DistinguishedName) } : undefined;
    }
    default:
      return u.OtherAttributes[key];
  }
}

function userOut(u: UserRecord, other?: Record<string, AttributeValue>): User {
  return {
    SAMAccountName: u.SAMAccountName,
    SID: u.SID,
    DistinguishedName: u.DistinguishedName,
    UserPrincipalName: u.UserPrincipalName,
    Enabled: u.Enabled,
    ...(u.GivenName !== undefined ? { GivenName: u.GivenName } : {}),
    ...(u.Surname !== undefined ? { Surname: u.Surname } : {}),
    ...(u.EmailAddress !== undefined ? { EmailAddress: u.EmailAddress } : {}),
    ...(other && Object.keys(other).length ? { OtherAttributes: other } : {}),
  };
}

export const userHandlers: Record<string, Handler> = {
  async CreateUser(input: CreateUserRequest, ctx: ServiceContext): Promise<CreateUserResult> {
    const d = await openDirectory(ctx, 'CreateUser', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'CreateUser', input, async () => {
      const other = writableAttributes(input.OtherAttributes, 'user');
      const account = ctx.caller.account;
      const sam = input.SAMAccountName;
      if ((await findUser(ctx.tx, account, d.DirectoryId, sam)) || (await findGroup(ctx.tx, account, d.DirectoryId, sam))) {
        throw conflict(`An object with the SAMAccountName ${sam} already exists in directory ${d.DirectoryId}.`);
      }
      const rid = await allocateRid(ctx.tx, account, d);
      const user: UserRecord = {
        DirectoryId: d.DirectoryId,
        SAMAccountName: sam,
        Rid: rid,
        SID: `${d.DomainSid}-${rid}`,
        DistinguishedName: objectDn(d, sam),
        UserPrincipalName: userPrincipalName(d, sam),
        ...(input.GivenName !== undefined ? { GivenName: input.GivenName } : {}),
        ...(input.Surname !== undefined ? { Surname: input.Surname } : {}),
        ...(input.EmailAddress !== undefined ? { EmailAddress: input.EmailAddress } : {}),
        Enabled: false,
        OtherAttributes: other,
      };
      await insertUser(ctx.tx, account, user);
      return { DirectoryId: d.DirectoryId, SAMAccountName: sam, SID: user.SID };
    });
  },

  async DescribeUser(input: DescribeUserRequest, ctx: ServiceContext): Promise<DescribeUserResult> {
    const d = await openDirectory(ctx, 'DescribeUser', input.DirectoryId, { SAMAccountName: input.SAMAccountName, ...(input.Realm ? { Realm: input.Realm } : {}) });
    const wanted = requestedAttributes(input.OtherAttributes, 'user');
    const u = await findUser(ctx.tx, ctx.caller.account, d.DirectoryId, input.SAMAccountName);
    if (!u) throw userNotFound(input.SAMAccountName, d.DirectoryId);
    const other: Record<string, AttributeValue> = {};
    for (const key of wanted) {
      const v = await userAttribute(ctx, u, key);
      if (v !== undefined) Object.assign(other, attributesOut({ [key]: v }));
    }
    return { DirectoryId: d.DirectoryId, Realm: d.Name, ...userOut(u, other) };
  },

  async UpdateUser(input: UpdateUserRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'UpdateUser', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'UpdateUser', input, async () => {
      const u = await writableUser(ctx, d.DirectoryId, input.SAMAccountName);
      const changes = writableAttributes(input.OtherAttributes, 'user');
      for (const [key, member] of Object.entries(PARAMETERS)) {
        const v = input[member];
        if (v !== undefined) changes[key] = { S: v };
      }
      if (Object.keys(changes).length === 0) throw validation('MISSING_ATTRIBUTE', 'The request names no attribute to update.');
      const current: Record<string, AttributeValue> = { ...u.OtherAttributes };
      if (u.GivenName !== undefined) current.givenname = { S: u.GivenName };
      if (u.Surname !== undefined) current.sn = { S: u.Surname };
      if (u.EmailAddress !== undefined) current.mail = { S: u.EmailAddress };
      const { givenname, sn, mail, ...rest } = applyUpdate(current, changes, input.UpdateType);
      const { GivenName: _g, Surname: _s, EmailAddress: _e, ...base } = u;
      const next: UserRecord = {
        ...base,
        ...(givenname?.S !== undefined ? { GivenName: givenname.S } : {}),
        ...(sn?.S !== undefined ? { Surname: sn.S } : {}),
        ...(mail?.S !== undefined ? { EmailAddress: mail.S } : {}),
        OtherAttributes: rest,
      };
      await saveUser(ctx.tx, ctx.caller.account, next);
      return {};
    });
  },

  /** Deleting a user also removes it from its groups (AD keeps `member` consistent). */
  async DeleteUser(input: UserNameRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'DeleteUser', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'DeleteUser', input, async () => {
      const u = await writableUser(ctx, d.DirectoryId, input.SAMAccountName);
      for (const g of await groupsOf(ctx.tx, ctx.caller.account, d.DirectoryId)) {
        if (g.Members.some((m) => m.Type === 'USER' && m.Rid === u.Rid)) await saveGroup(ctx.tx, ctx.caller.account, { ...g, Members: g.Members.filter((m) => !(m.Type === 'USER' && m.Rid === u.Rid)) });
      }
      await removeUser(ctx.tx, ctx.caller.account, u);
      return {};
    });
  },

  /** Disabling a disabled user succeeds (a choice: AD sets the flag again). */
  async DisableUser(input: UserNameRequest, ctx: ServiceContext): Promise<object> {
    const d = await openDirectory(ctx, 'DisableUser', input.DirectoryId, { SAMAccountName: input.SAMAccountName });
    return idempotent(ctx, 'DisableUser', input, async () => {
      const u = await writableUser(ctx, d.DirectoryId, input.SAMAccountName);
      await saveUser(ctx.tx, ctx.caller.account, { ...u, Enabled: false });
      return {};
    });
  },

  async ListUsers(input: ListUsersRequest, ctx: ServiceContext): Promise<ListUsersResult> {
    const d = await openDirectory(ctx, 'ListUsers', input.DirectoryId, input.Realm ? { Realm: input.Realm } : {});
    const page = pageOf(await usersOf(ctx.tx, ctx.caller.account, d.DirectoryId), input, ['ListUsers', d.DirectoryId]);
    return {
      DirectoryId: d.DirectoryId,
      Realm: d.Name,
      Users: page.items.map((u) => ({
        SAMAccountName: u.SAMAccountName,
        SID: u.SID,
        Enabled: u.Enabled,
        ...(u.GivenName !== undefined ? { GivenName: u.GivenName } : {}),
        ...(u.Surname !== undefined ? { Surname: u.Surname } : {}),
      })),
      ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    };
  },

  /** Users any of whose SearchAttributes contains SearchString (case-insensitive). */
  async SearchUsers(input: SearchRequest, ctx: ServiceContext): Promise<SearchUsersResult> {
    const d = await openDirectory(ctx, 'SearchUsers', input.DirectoryId, input.Realm ? { Realm: input.Realm } : {});
    const attrs = searchAttributes(input.SearchAttributes, 'user');
    const found: { user: UserRecord; other: Record<string, AttributeValue> }[] = [];
    for (const u of await usersOf(ctx.tx, ctx.caller.account, d.DirectoryId)) {
      const values = await Promise.all(attrs.map((a) => userAttribute(ctx, u, a)));
      if (!matches(values, input.SearchString)) continue;
      // The searched attributes that live in OtherAttributes come back with the user.
      found.push({ user: u, other: attributesOut(u.OtherAttributes, attrs) });
    }
    const page = pageOf(found.map((f) => ({ ...f, SAMAccountName: f.user.SAMAccountName })), input, ['SearchUsers', d.DirectoryId, attrs, input.SearchString]);
    return {
      DirectoryId: d.DirectoryId,
      Realm: d.Name,
      Users: page.items.map((f) => userOut(f.user, f.other)),
      ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    };
  },
};
