/**
 * A directory's Active Directory objects: users and groups with their security
 * identifiers, distinguished names and group memberships. Directory Service creates them
 * with the directory (the built-in accounts below); Directory Service Data reads and
 * writes them; ResetUserPassword sets a user's password.
 *
 * SIDs: the directory's domain SID (`S-1-5-21-a-b-c`, random) and a relative id (RID).
 * Well-known accounts keep Windows' fixed RIDs (Domain Admins 512, Domain Users 513);
 * accounts and groups created through the API take RIDs from 1104 up (the directory's
 * `NextRid`): AWS's own objects use the RIDs below that.
 *
 * Built-in objects (a choice: AWS does not document the full set its directories hold):
 * - Managed Microsoft AD: the `Admin` user in the customer's OU (`OU=Users,OU=<NetBIOS>`),
 *   with RID 500 as the brief for this emulator fixes it (in AWS, RID 500 is the built-in
 *   Administrator that AWS keeps, and Admin is a separate account: a real Admin's SID ends
 *   otherwise); the `Domain Admins` and `Domain Users` groups in `CN=Users`, outside the
 *   customer's OU and so read-only to Directory Service Data. Admin is a member of Domain Admins.
 * - Simple AD: the `Administrator` user (RID 500, `CN=Users`) and the same two groups.
 *
 * Membership is stored on the group (AD's `member` attribute) by RID. A user's primary
 * group (Domain Users) is implicit in AD and not listed in `member`, so new users are not
 * shown as members of Domain Users, as an LDAP query of `member`/`memberOf` would not.
 */
import type { Tx } from '../../store/index.js';
import type { DirectoryRecord } from '../ds/records.js';

export const OBJECT_KIND = {
  user: 'ds-data:user',
  group: 'ds-data:group',
  /** ClientToken records (idempotency.ts), kept under their directory. */
  token: 'ds-data:client-token',
} as const;

/** An attribute value: exactly one of the union's members (the model's AttributeValue). */
export interface AttributeValue {
  readonly S?: string;
  readonly N?: number;
  readonly BOOL?: boolean;
  readonly SS?: readonly string[];
}

export type GroupScope = 'DomainLocal' | 'Global' | 'Universal' | 'BuiltinLocal';
export type GroupType = 'Distribution' | 'Security';
export type MemberType = 'USER' | 'GROUP' | 'COMPUTER';

interface ObjectBase {
  readonly DirectoryId: string;
  readonly SAMAccountName: string;
  readonly Rid: number;
  readonly SID: string;
  readonly DistinguishedName: string;
  /** Other attributes by LDAP display name, in lower case. */
  readonly OtherAttributes: Readonly<Record<string, AttributeValue>>;
  /** Outside the customer's OU: Directory Service Data may read it, not change it. */
  readonly Protected?: boolean;
}

export interface UserRecord extends ObjectBase {
  readonly UserPrincipalName: string;
  readonly GivenName?: string;
  readonly Surname?: string;
  readonly EmailAddress?: string;
  readonly Enabled: boolean;
  /** scrypt (src/auth/secrets.ts); never returned. */
  readonly PasswordHash?: string;
}

export interface GroupRecord extends ObjectBase {
  readonly GroupScope: GroupScope;
  readonly GroupType: GroupType;
  readonly Members: readonly { readonly Rid: number; readonly Type: MemberType }[];
}

export type ObjectRecord = UserRecord | GroupRecord;

export const FIRST_RID = 1104;

/** `corp.example.com` → `DC=corp,DC=example,DC=com`. */
export const domainDn = (name: string): string =>
  name
    .replace(/\.$/, '')
    .split('.')
    .map((p) => `DC=${p}`)
    .join(',');

/** The customer's OU for users and groups: `OU=Users,OU=<NetBIOS name>,DC=...`. */
export const customerOu = (d: DirectoryRecord): string => `OU=Users,OU=${d.ShortName},${domainDn(d.Name)}`;

/** A user's or group's DN in the customer's OU (the CN is the SAM account name: the API has no display name). */
export const objectDn = (d: DirectoryRecord, sam: string): string => `CN=${sam.replace(/([,+"\\<>;=#])/g, '\\$1')},${customerOu(d)}`;

export const userPrincipalName = (d: DirectoryRecord, sam: string): string => `${sam}@${d.Name}`;

const objectId = (directoryId: string, rid: number): string => `${directoryId}/${rid}`;
const nameKey = (directoryId: string, sam: string): string => `${directoryId}/${sam}`;

export async function insertUser(tx: Tx, account: string, u: UserRecord): Promise<void> {
  await tx.insert(account, OBJECT_KIND.user, objectId(u.DirectoryId, u.Rid), u, { name: nameKey(u.DirectoryId, u.SAMAccountName), parent: u.DirectoryId });
}

export async function insertGroup(tx: Tx, account: string, g: GroupRecord): Promise<void> {
  await tx.insert(account, OBJECT_KIND.group, objectId(g.DirectoryId, g.Rid), g, { name: nameKey(g.DirectoryId, g.SAMAccountName), parent: g.DirectoryId });
}

export async function saveUser(tx: Tx, account: string, u: UserRecord): Promise<void> {
  await tx.update(account, OBJECT_KIND.user, objectId(u.DirectoryId, u.Rid), u);
}

export async function saveGroup(tx: Tx, account: string, g: GroupRecord): Promise<void> {
  await tx.update(account, OBJECT_KIND.group, objectId(g.DirectoryId, g.Rid), g);
}

export async function removeUser(tx: Tx, account: string, u: UserRecord): Promise<void> {
  await tx.delete(account, OBJECT_KIND.user, objectId(u.DirectoryId, u.Rid));
}

export async function removeGroup(tx: Tx, account: string, g: GroupRecord): Promise<void> {
  await tx.delete(account, OBJECT_KIND.group, objectId(g.DirectoryId, g.Rid));
}

/** SAM account names are unique in a domain regardless of case. */
export const findUser = (tx: Tx, account: string, directoryId: string, sam: string): Promise<UserRecord | undefined> =>
  tx.getByName<UserRecord>(account, OBJECT_KIND.user, nameKey(directoryId, sam));

export const findGroup = (tx: Tx, account: string, directoryId: string, sam: string): Promise<GroupRecord | undefined> =>
  tx.getByName<GroupRecord>(account, OBJECT_KIND.group, nameKey(directoryId, sam));

export const usersOf = (tx: Tx, account: string, directoryId: string): Promise<UserRecord[]> => tx.list<UserRecord>(account, OBJECT_KIND.user, { parent: directoryId });
export const groupsOf = (tx: Tx, account: string, directoryId: string): Promise<GroupRecord[]> => tx.list<GroupRecord>(account, OBJECT_KIND.group, { parent: directoryId });

/** Everything a deleted directory held. */
export async function removeDirectoryObjects(tx: Tx, account: string, directoryId: string): Promise<void> {
  await tx.deleteChildren(account, OBJECT_KIND.user, directoryId);
  await tx.deleteChildren(account, OBJECT_KIND.group, directoryId);
  await tx.deleteChildren(account, OBJECT_KIND.token, directoryId);
}

/** The built-in objects a new directory holds (see the header); `passwordHash` is the administrator's. */
export async function seedDirectoryObjects(tx: Tx, account: string, d: DirectoryRecord, passwordHash: string): Promise<void> {
  const builtinDn = (cn: string): string => `CN=${cn},CN=Users,${domainDn(d.Name)}`;
  const adminName = d.Type === 'MicrosoftAD' ? 'Admin' : 'Administrator';
  await insertUser(tx, account, {
    DirectoryId: d.DirectoryId,
    SAMAccountName: adminName,
    Rid: 500,
    SID: `${d.DomainSid}-500`,
    DistinguishedName: d.Type === 'MicrosoftAD' ? objectDn(d, adminName) : builtinDn(adminName),
    UserPrincipalName: userPrincipalName(d, adminName),
    Enabled: true,
    PasswordHash: passwordHash,
    OtherAttributes: {},
    ...(d.Type === 'SimpleAD' ? { Protected: true } : {}),
  });
  const group = (name: string, rid: number, members: GroupRecord['Members']): GroupRecord => ({
    DirectoryId: d.DirectoryId,
    SAMAccountName: name,
    Rid: rid,
    SID: `${d.DomainSid}-${rid}`,
    DistinguishedName: builtinDn(name),
    GroupScope: 'Global',
    GroupType: 'Security',
    Members: members,
    OtherAttributes: {},
    Protected: true,
  });
  await insertGroup(tx, account, group('Domain Admins', 512, [{ Rid: 500, Type: 'USER' }]));
  await insertGroup(tx, account, group('Domain Users', 513, []));
}
