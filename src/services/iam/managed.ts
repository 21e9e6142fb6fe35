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

export async function managedDocument(tx: Tx, account: string, arn: string): Promise<ManagedDocument | undefined> {
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
