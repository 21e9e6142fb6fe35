/**
 * Accounts and their root credentials. The default account is 000000000000 with root
 * keys test/test; `--accounts` (or a config file) declares others. Root keys are
 * (re)written at every start so the configured secret is always the one in force.
 */
import { GLOBAL, CREDENTIAL, type Credentials, type CredentialRecord } from '../auth/credentials.js';
import type { Store } from '../store/index.js';

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
}

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
      await credentials.put(tx, {
        accessKeyId: a.accessKeyId,
        account: a.id,
        kind: 'root',
        status: 'Active',
        secret: a.secretAccessKey,
        caller: { account: a.id, type: 'Account', arn: `arn:aws:iam::${a.id}:root`, userId: a.id },
      });
    }
  });
}
