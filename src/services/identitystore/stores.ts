/**
 * Identity stores. IAM Identity Center creates one with its instance (sso-admin calls
 * `createIdentityStore`); the Identity Store API has no operation that creates one.
 */
import { randomBytes } from 'node:crypto';
import type { Tx } from '../../store/index.js';
import type { ServiceContext } from '../types.js';
import { KIND, notFound, type StoreRecord } from './records.js';

/**
 * Create an identity store in `account` and `region`: its id is `d-` + 10 hex digits, as
 * AWS's are. Writes the store record through `tx` (the caller's transaction) and returns
 * the id. For IAM Identity Center's CreateInstance (and tests).
 */
export async function createIdentityStore(tx: Tx, account: string, region: string, now: Date): Promise<string> {
  for (;;) {
    const id = `d-${randomBytes(5).toString('hex')}`;
    if (await tx.get(account, KIND.store, id)) continue;
    const record: StoreRecord = { IdentityStoreId: id, Region: region, CreatedAt: now.toISOString() };
    await tx.insert(account, KIND.store, id, record);
    return id;
  }
}

/** The caller's identity store in the request's region, or ResourceNotFoundException (IDENTITY_STORE). */
export async function requireStore(ctx: ServiceContext, id: string): Promise<StoreRecord> {
  const store = await ctx.tx.get<StoreRecord>(ctx.caller.account, KIND.store, id);
  if (!store || store.Region !== ctx.region) throw notFound('IDENTITY_STORE', id);
  return store;
}

/**
 * Delete an identity store with its users, groups and memberships (IAM Identity Center's
 * DeleteInstance). Returns false when there was no such store.
 */
export async function deleteIdentityStore(tx: Tx, account: string, id: string): Promise<boolean> {
  for (const kind of [KIND.membership, KIND.group, KIND.user]) await tx.deleteChildren(account, kind, id);
  return tx.delete(account, KIND.store, id);
}
