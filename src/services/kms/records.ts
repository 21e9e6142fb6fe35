/**
 * KMS's stored keys, aliases and grants, how a key is named in a request (key id, key
 * ARN, alias name, alias ARN), the key states operations require, and KMS's errors.
 *
 * Messages are KMS's where they are known from real responses: "Key '<arn>' does not
 * exist", "Alias <arn> is not found.", "<arn> is disabled.", "<arn> is pending deletion.",
 * "An alias with the name <arn> already exists", "Invalid keyId <id>".
 */
import type { KeyMetadata } from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { Tx } from '../../store/index.js';

export const KIND = {
  key: 'kms:key',
  alias: 'kms:alias',
  grant: 'kms:grant',
} as const;

export interface KmsTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyRecord {
  readonly KeyId: string;
  readonly Arn: string;
  readonly AWSAccountId: string;
  readonly Region: string;
  readonly CreationDate: string;
  readonly Description: string;
  readonly KeyUsage: 'ENCRYPT_DECRYPT';
  readonly KeySpec: 'SYMMETRIC_DEFAULT';
  readonly Origin: 'AWS_KMS';
  readonly KeyManager: 'CUSTOMER' | 'AWS';
  readonly KeyState: KeyState;
  readonly DeletionDate?: string;
  readonly PendingDeletionWindowInDays?: number;
  readonly MultiRegion: boolean;
  /** The key policy, exactly as set (GetKeyPolicy returns it as stored). */
  readonly Policy: string;
  readonly Tags: readonly KmsTag[];
  /** The 256-bit key, sealed; created on the key's first cryptographic use when absent. */
  readonly Material?: string;
}

export interface AliasRecord {
  readonly AliasName: string;
  readonly AliasArn: string;
  readonly Region: string;
  readonly TargetKeyId: string;
  readonly CreationDate: string;
  readonly LastUpdatedDate: string;
}

export interface GrantRecord {
  readonly GrantId: string;
  readonly GrantToken: string;
  readonly KeyId: string;
  readonly KeyArn: string;
  readonly Name?: string;
  readonly CreationDate: string;
  readonly GranteePrincipal: string;
  readonly RetiringPrincipal?: string;
  readonly IssuingAccount: string;
  readonly Operations: readonly string[];
  readonly Constraints?: { readonly EncryptionContextSubset?: Record<string, string>; readonly EncryptionContextEquals?: Record<string, string> };
}

export const keyArn = (region: string, account: string, keyId: string): string => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (region: string, account: string, alias: string): string => `arn:aws:kms:${region}:${account}:${alias}`;
/** Aliases are stored per region (the same name may exist in every region). */
export const aliasId = (region: string, alias: string): string => `${region}:${alias}`;

export const notFoundKey = (arn: string): AwsError => new AwsError('NotFoundException', `Key '${arn}' does not exist`);
export const notFoundAlias = (arn: string): AwsError => new AwsError('NotFoundException', `Alias ${arn} is not found.`);
export const invalidKeyId = (id: string): AwsError => new AwsError('NotFoundException', `Invalid keyId ${id}`);
export const invalidState = (message: string): AwsError => new AwsError('KMSInvalidStateException', message);

export const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
export const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
export const ALIAS_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/** A key scheduled for deletion is gone once its deletion date passes. */
export const isDeleted = (k: KeyRecord, now: Date): boolean => k.KeyState === 'PendingDeletion' && k.DeletionDate !== undefined && new Date(k.DeletionDate) <= now;

/** The aliases that point at a key (`kms:ResourceAliases`), in the key's account and region. */
export async function aliasesOf(tx: Tx, key: KeyRecord): Promise<AliasRecord[]> {
  return (await tx.list<AliasRecord>(key.AWSAccountId, KIND.alias)).filter((a) => a.Region === key.Region && a.TargetKeyId === key.KeyId);
}

/** Cryptographic operations need an enabled key. */
export function assertUsable(key: KeyRecord): void {
  if (key.KeyState === 'Disabled') throw new AwsError('DisabledException', `${key.Arn} is disabled.`);
  if (key.KeyState === 'PendingDeletion') throw invalidState(`${key.Arn} is pending deletion.`);
}

/** Most management operations refuse a key that is pending deletion. */
export function assertNotPendingDeletion(key: KeyRecord): void {
  if (key.KeyState === 'PendingDeletion') throw invalidState(`${key.Arn} is pending deletion.`);
}

/** DescribeKey's KeyMetadata (and CreateKey's). */
export function keyMetadata(k: KeyRecord): KeyMetadata {
  return {
    AWSAccountId: k.AWSAccountId,
    KeyId: k.KeyId,
    Arn: k.Arn,
    CreationDate: new Date(k.CreationDate),
    Enabled: k.KeyState === 'Enabled',
    Description: k.Description,
    KeyUsage: k.KeyUsage,
    KeyState: k.KeyState,
    ...(k.DeletionDate ? { DeletionDate: new Date(k.DeletionDate) } : {}),
    Origin: k.Origin,
    KeyManager: k.KeyManager,
    CustomerMasterKeySpec: k.KeySpec,
    KeySpec: k.KeySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: k.MultiRegion,
    ...(k.MultiRegion ? { MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: k.Arn, Region: k.Region }, ReplicaKeys: [] } } : {}),
    ...(k.PendingDeletionWindowInDays ? { PendingDeletionWindowInDays: k.PendingDeletionWindowInDays } : {}),
  };
}

/** KMS list paging: Limit (1-1000, a default per operation) and an opaque Marker. */
export function pageOf<T>(items: readonly T[], input: { Limit?: number; Marker?: string }, defaultLimit: number): { items: T[]; Truncated: boolean; NextMarker?: string } {
  let start = 0;
  if (input.Marker) {
    const raw = Buffer.from(input.Marker, 'base64url').toString('utf8');
    start = raw.startsWith('m:') ? Number(raw.slice(2)) : NaN;
    if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidMarkerException', 'Invalid marker');
  }
  const limit = input.Limit ?? defaultLimit;
  const page = items.slice(start, start + limit);
  if (start + limit >= items.length) return { items: page, Truncated: false };
  return { items: page, Truncated: true, NextMarker: Buffer.from(`m:${start + limit}`).toString('base64url') };
}
