/**
 * What IAM Identity Center reads of its own identity store: whether a principal exists,
 * a user by name, and the groups a user belongs to. The identity store is part of the
 * same service (one instance, one store), so Identity Center reads it directly rather
 * than through the Identity Store API and its permissions.
 */
import type { Tx } from '../../store/index.js';
import { KIND, type GroupRecord, type MembershipRecord, type UserRecord } from './records.js';

export type PrincipalType = 'USER' | 'GROUP';

export async function principalExists(tx: Tx, account: string, storeId: string, type: PrincipalType, id: string): Promise<boolean> {
  const record = await tx.get<UserRecord | GroupRecord>(account, type === 'USER' ? KIND.user : KIND.group, id);
  return record !== undefined && record.IdentityStoreId === storeId;
}

export async function userByName(tx: Tx, account: string, storeId: string, userName: string): Promise<UserRecord | undefined> {
  const users = await tx.list<UserRecord>(account, KIND.user, { parent: storeId });
  return users.find((u) => String(u.Attributes.UserName).toLowerCase() === userName.toLowerCase());
}

export async function groupIdsOfUser(tx: Tx, account: string, storeId: string, userId: string): Promise<string[]> {
  const memberships = await tx.list<MembershipRecord>(account, KIND.membership, { parent: storeId });
  return memberships.filter((m) => m.UserId === userId).map((m) => m.GroupId);
}
