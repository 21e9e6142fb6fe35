/**
 * Access keys, from the key id a request is signed with to the caller it stands for:
 * an account's root keys, an IAM user's access keys, or an STS session's temporary
 * credentials. Secrets are sealed at rest (secrets.ts); session credentials carry their
 * token and expire.
 */
import { randomBytes } from 'node:crypto';
import { AwsError, COMMON_ERRORS } from '../models/errors.js';
import type { SecretBox } from './secrets.js';
import type { Caller } from './caller.js';
import type { Store, Tx } from '../store/index.js';

/** Credentials are looked up across accounts: they live under this pseudo-account. */
export const GLOBAL = '*';
export const CREDENTIAL = 'credential';

export interface CredentialRecord {
  readonly accessKeyId: string;
  readonly account: string;
  readonly kind: 'root' | 'user' | 'session';
  readonly secretSealed: string;
  readonly status: 'Active' | 'Inactive';
  /** The caller these credentials stand for (without accessKeyId). */
  readonly caller: Omit<Caller, 'accessKeyId'>;
  /** Sessions: the token that must accompany the key, and when it stops working. */
  readonly sessionToken?: string;
  readonly expiration?: string;
  /** IAM user keys: the owning user's id. */
  readonly userId?: string;
  readonly lastUsed?: { readonly date: string; readonly region: string; readonly service: string };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** An id in AWS's form: a four-letter prefix (AKIA, ASIA, AIDA, AROA...) and 16 characters. */
export function awsId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let s = prefix;
  for (let i = 0; i < length; i++) s += ALPHABET[bytes[i]! & 31];
  return s;
}

export function newSecret(): string {
  return randomBytes(30).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? 'k' : c === '/' ? 'Q' : 'z')).slice(0, 40);
}

export class Credentials {
  /** Opened secrets by their sealed form: one AES-GCM decryption per key, not per request. */
  private opened = new Map<string, string>();

  constructor(private readonly box: SecretBox) {}

  private open(sealed: string): string {
    let secret = this.opened.get(sealed);
    if (secret === undefined) {
      secret = this.box.open(sealed);
      if (this.opened.size >= 10_000) this.opened = new Map();
      this.opened.set(sealed, secret);
    }
    return secret;
  }

  /** A credential's secret in clear (root keys of accounts Organizations created: `gatehouse accounts list`). */
  openSecret(record: CredentialRecord): string {
    return this.open(record.secretSealed);
  }

  seal(secret: string): string {
    return this.box.seal(secret);
  }

  async put(tx: Tx, record: Omit<CredentialRecord, 'secretSealed'> & { secret: string }): Promise<void> {
    const { secret, ...rest } = record;
    await tx.insert<CredentialRecord>(GLOBAL, CREDENTIAL, record.accessKeyId, { ...rest, secretSealed: this.box.seal(secret) });
  }

  async get(tx: Tx, accessKeyId: string): Promise<CredentialRecord | undefined> {
    return tx.get<CredentialRecord>(GLOBAL, CREDENTIAL, accessKeyId);
  }

  /**
   * Note a long-term key's use (GetAccessKeyLastUsed): at most once a minute per key, in
   * its own small transaction outside the request's, re-reading the record so a status
   * change made meanwhile is kept.
   */
  async touch(store: Store, record: CredentialRecord, use: { readonly date: Date; readonly region: string; readonly service: string }): Promise<void> {
    if (record.kind === 'session') return;
    if (record.lastUsed && use.date.getTime() - Date.parse(record.lastUsed.date) < 60_000) return;
    await store.transaction(async (tx) => {
      const fresh = await this.get(tx, record.accessKeyId);
      if (fresh) await tx.update<CredentialRecord>(GLOBAL, CREDENTIAL, record.accessKeyId, { ...fresh, lastUsed: { date: use.date.toISOString(), region: use.region, service: use.service } });
    });
  }

  /**
   * The caller and secret behind a key, with AWS's errors: an unknown or inactive key
   * is `InvalidClientTokenId`; a session key without its token, or with another, too;
   * an expired session is `ExpiredToken`.
   */
  async resolve(tx: Tx, accessKeyId: string, sessionToken: string | undefined, now: Date): Promise<{ caller: Caller; secret: string; record: CredentialRecord }> {
    const record = await this.get(tx, accessKeyId);
    if (!record || record.status !== 'Active') throw COMMON_ERRORS.invalidClientTokenId();
    if (record.kind === 'session') {
      if (!sessionToken || sessionToken !== record.sessionToken) throw COMMON_ERRORS.invalidClientTokenId();
      if (record.expiration && Date.parse(record.expiration) <= now.getTime()) throw COMMON_ERRORS.expiredToken();
    } else if (sessionToken) {
      // A long-term key presented with a session token: AWS rejects the token.
      throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', { status: 403 });
    }
    return { caller: { ...record.caller, accessKeyId }, secret: this.open(record.secretSealed), record };
  }
}
