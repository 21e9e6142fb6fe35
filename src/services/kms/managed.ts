/**
 * AWS managed keys (`alias/aws/<service>`): one per account and region, created by AWS the
 * first time the service needs it (ACM: "The first time you request or import a
 * certificate in an AWS Region, ACM creates an AWS managed key with the alias aws/acm").
 * KeyManager `AWS`, the service's own key policy, never disabled or deleted; callers can
 * only use them through the service, read them, and revoke their grants, because that is
 * all their key policies allow.
 *
 * `ensureAwsManagedKey` is how another service (ACM, later Lambda...) makes sure its key
 * exists, inside the caller's transaction: it mirrors the service's own internal step, which
 * in AWS is not a call authorized against the caller, so it is not a KMS API call here.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../store/index.js';
import { acmManagedPolicy, genericManagedPolicy } from './policy.js';
import { KIND, aliasArn, aliasId, keyArn, type AliasRecord, type KeyRecord } from './records.js';

interface ManagedKeySpec {
  readonly description: string;
  readonly policy: (account: string, region: string) => string;
}

/**
 * The AWS managed keys Gatehouse knows. ListAliases shows their aliases before their keys
 * exist (without a TargetKeyId), as AWS lists its predefined aliases.
 */
const MANAGED: Readonly<Record<string, ManagedKeySpec>> = {
  'alias/aws/acm': { description: 'Default key that protects my ACM private keys when no other key is defined', policy: acmManagedPolicy },
  'alias/aws/ebs': { description: 'Default key that protects my EBS volumes when no other key is defined', policy: (a, r) => genericManagedPolicy(a, r, 'ebs', 'ec2') },
  'alias/aws/lambda': { description: 'Default key that protects my Lambda functions when no other key is defined', policy: (a, r) => genericManagedPolicy(a, r, 'lambda', 'lambda') },
  'alias/aws/s3': { description: 'Default key that protects my S3 objects when no other key is defined', policy: (a, r) => genericManagedPolicy(a, r, 's3', 's3') },
  'alias/aws/secretsmanager': { description: 'Default key that protects my Secrets Manager data when no other key is defined', policy: (a, r) => genericManagedPolicy(a, r, 'secretsmanager', 'secretsmanager') },
};

export const AWS_MANAGED_ALIASES: readonly string[] = Object.keys(MANAGED);

const normalize = (alias: string): string => (alias.startsWith('alias/') ? alias : `alias/${alias}`);

export const isAwsManagedAlias = (alias: string): boolean => normalize(alias) in MANAGED;

/**
 * The AWS managed key for `alias` (`aws/acm` or `alias/aws/acm`) in `account` and `region`,
 * created with its alias, description and key policy if it does not exist yet. Writes go
 * through `tx`: call it from a mutating operation (or a service that runs every operation
 * in a transaction).
 */
export async function ensureAwsManagedKey(tx: Tx, account: string, region: string, alias: string, now: Date = new Date()): Promise<KeyRecord> {
  const name = normalize(alias);
  const spec = MANAGED[name];
  if (!spec) throw new Error(`${name} is not an AWS managed key Gatehouse knows`);
  const existing = await tx.get<AliasRecord>(account, KIND.alias, aliasId(region, name));
  if (existing) {
    const key = await tx.get<KeyRecord>(account, KIND.key, existing.TargetKeyId);
    if (key) return key;
  }
  const keyId = randomUUID();
  const created = now.toISOString();
  const key: KeyRecord = {
    KeyId: keyId,
    Arn: keyArn(region, account, keyId),
    AWSAccountId: account,
    Region: region,
    CreationDate: created,
    Description: spec.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    Origin: 'AWS_KMS',
    KeyManager: 'AWS',
    KeyState: 'Enabled',
    MultiRegion: false,
    Policy: spec.policy(account, region),
    Tags: [],
  };
  await tx.insert(account, KIND.key, keyId, key);
  const record: AliasRecord = { AliasName: name, AliasArn: aliasArn(region, account, name), Region: region, TargetKeyId: keyId, CreationDate: created, LastUpdatedDate: created };
  if (existing) await tx.update(account, KIND.alias, aliasId(region, name), record);
  else await tx.insert(account, KIND.alias, aliasId(region, name), record);
  return key;
}
