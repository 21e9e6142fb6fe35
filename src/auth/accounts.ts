/**
 * Accounts and their root credentials. The default account is 000000000000 with root
 * keys test/test; `--accounts` (or a config file) declares others. Root keys are
 * (re)written at every start so the configured secret is always the one in force.
 * Organizations' CreateAccount makes new ones at run time (`createAccount`); their root
 * keys are readable by the user (`gatehouse accounts list`), as tests need to act as them.
 */
import { randomInt } from 'node:crypto';
import { GLOBAL, CREDENTIAL, awsId, newSecret, type Credentials, type CredentialRecord } from './credentials.js';
import type { Store, Tx } from '../store/index.js';

export interface AccountSpec {
  readonly id: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly alias?: string;
}

export const ACCOUNT_KIND = 'account';

export interface AccountRecord {
  readonly id: string;
  readonly rootAccessKeyId: string;
  readonly createdAt: string;
  /** Made by Organizations' CreateAccount (not configured). */
  readonly createdBy?: string;
}

const rootCredential = (id: string, accessKeyId: string, secret: string) =>
  ({ accessKeyId, account: id, kind: 'root', status: 'Active', secret, caller: { account: id, type: 'Account', arn: `arn:aws:iam::${id}:root`, userId: id } }) as const;

export async function ensureAccounts(store: Store, credentials: Credentials, accounts: readonly AccountSpec[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const a of accounts) {
      if (!/^\d{12}$/.test(a.id)) throw new Error(`account id must be 12 digits: ${a.id}`);
      if (!(await tx.get(GLOBAL, ACCOUNT_KIND, a.id))) {
        await tx.insert<AccountRecord>(GLOBAL, ACCOUNT_KIND, a.id, { id: a.id, rootAccessKeyId: a.accessKeyId, createdAt: new Date().toISOString() });
      }
      const existing = await tx.get<CredentialRecord>(GLOBAL, CREDENTIAL, a.accessKeyId);
      if (existing && existing.account !== a.id) throw new Error(`access key ${a.accessKeyId} already belongs to account ${existing.account}`);
      if (existing) await tx.delete(GLOBAL, CREDENTIAL, a.accessKeyId);
      await credentials.put(tx, rootCredential(a.id, a.accessKeyId, a.secretAccessKey));
    }
  });
}

/** Whether Gatehouse serves this account (configured, or created by Organizations). */
export async function accountExists(tx: Tx, id: string): Promise<boolean> {
  return (await tx.get(GLOBAL, ACCOUNT_KIND, id)) !== undefined;
}

/**
 * A new account with fresh root keys, in the caller's transaction (Organizations'
 * CreateAccount): a random 12-digit id no account has.
 */
export async function createAccount(tx: Tx, credentials: Credentials, createdBy: string, now: Date): Promise<AccountSpec> {
  let id = '';
  do id = String(randomInt(100_000_000_000, 1_000_000_000_000)).padStart(12, '0');
  while (await accountExists(tx, id));
  const accessKeyId = awsId('AKIA');
  const secretAccessKey = newSecret();
  await tx.insert<AccountRecord>(GLOBAL, ACCOUNT_KIND, id, { id, rootAccessKeyId: accessKeyId, createdAt: now.toISOString(), createdBy });
  await credentials.put(tx, rootCredential(id, accessKeyId, secretAccessKey));
  return { id, accessKeyId, secretAccessKey };
}

/** Every account with its root keys (the secret opened): `gatehouse accounts list`. */
export async function listAccounts(store: Store, credentials: Credentials): Promise<(AccountSpec & { readonly createdBy?: string })[]> {
  const out: (AccountSpec & { readonly createdBy?: string })[] = [];
  for (const a of await store.list<AccountRecord>(GLOBAL, ACCOUNT_KIND)) {
    const record = await credentials.get(store, a.rootAccessKeyId);
    if (!record) continue;
    out.push({ id: a.id, accessKeyId: a.rootAccessKeyId, secretAccessKey: credentials.openSecret(record), ...(a.createdBy ? { createdBy: a.createdBy } : {}) });
  }
  return out;
}
