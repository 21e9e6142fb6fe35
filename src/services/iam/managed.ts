/**
 * Managed policies by ARN: customer managed ones from the store, AWS managed ones
 * (`arn:aws:iam::aws:policy/...`) from the catalog with their real documents.
 */
import { managedPolicyByArn } from '../../catalog/managed-policies.js';
import { KIND, type ManagedPolicyRecord, type PolicyVersionRecord } from './records.js';
import type { Tx } from '../../store/index.js';

export interface ManagedDocument {
  readonly arn: string;
  readonly name: string;
  readonly document: string;
  /** The Simulate APIs' source type. */
  readonly sourceType: 'aws-managed' | 'user-managed';
}

export const isAwsManaged = (arn: string): boolean => arn.startsWith('arn:aws:iam::aws:policy/');

/**
 * Managed documents by ARN, kept until a managed policy's content changes (a new or
 * deleted policy or version, a new default version). Attaching, detaching or writing an
 * inline policy leaves them valid, so rebuilding a caller's policy set after such a write
 * does not read every attached policy again.
 */
let generation = 0;
let cache = new Map<string, { generation: number; value: ManagedDocument | undefined }>();

/** Called after any write that may change a managed policy's default document. */
export function managedPoliciesChanged(): void {
  generation++;
}

export async function managedDocument(tx: Tx, account: string, arn: string): Promise<ManagedDocument | undefined> {
  const key = `${account}|${arn}`;
  const hit = cache.get(key);
  if (hit && hit.generation === generation) return hit.value;
  const seen = generation;
  const value = await loadManagedDocument(tx, account, arn);
  if (cache.size >= 20_000) cache = new Map();
  cache.set(key, { generation: seen, value });
  return value;
}

async function loadManagedDocument(tx: Tx, account: string, arn: string): Promise<ManagedDocument | undefined> {
  if (isAwsManaged(arn)) {
    const p = managedPolicyByArn(arn);
    if (!p) return undefined;
    const v = p.versions.find((x) => x.versionId === p.defaultVersionId);
    return v ? { arn, name: p.name, document: JSON.stringify(v.document), sourceType: 'aws-managed' } : undefined;
  }
  const owner = /^arn:aws:iam::(\d{12}):policy\//.exec(arn)?.[1];
  if (owner !== account) return undefined;
  const p = await tx.get<ManagedPolicyRecord>(account, KIND.policy, arn);
  if (!p) return undefined;
  const v = await tx.get<PolicyVersionRecord>(account, KIND.policyVersion, `${arn}#${p.DefaultVersionId}`);
  return v ? { arn, name: p.PolicyName, document: v.Document, sourceType: 'user-managed' } : undefined;
}
