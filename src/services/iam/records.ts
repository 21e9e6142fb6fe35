/**
 * IAM's stored records and the lookups every IAM operation shares. Records hold dates
 * as ISO strings (they are JSON); `toDate` turns them back into Dates for output.
 * Names are unique per account regardless of case, as IAM's are.
 */
import { AwsError } from '../../models/errors.js';
import { DuplicateError, type Tx } from '../../store/index.js';
import type { ServiceContext } from '../types.js';

export const KIND = {
  user: 'iam:user',
  group: 'iam:group',
  role: 'iam:role',
  policy: 'iam:policy',
  policyVersion: 'iam:policy-version',
  userPolicy: 'iam:user-policy',
  groupPolicy: 'iam:group-policy',
  rolePolicy: 'iam:role-policy',
  accessKey: 'iam:access-key',
  loginProfile: 'iam:login-profile',
  instanceProfile: 'iam:instance-profile',
  samlProvider: 'iam:saml-provider',
  oidcProvider: 'iam:oidc-provider',
  accountAlias: 'iam:account-alias',
  awsPolicyUsage: 'iam:aws-policy-usage',
  slrDeletion: 'iam:slr-deletion',
  passwordPolicy: 'iam:password-policy',
} as const;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface AttachedPolicy {
  readonly PolicyName: string;
  readonly PolicyArn: string;
}

export interface Boundary {
  readonly PermissionsBoundaryType: 'PermissionsBoundaryPolicy';
  readonly PermissionsBoundaryArn: string;
}

export interface UserRecord {
  readonly UserName: string;
  readonly UserId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  readonly PasswordLastUsed?: string;
  readonly PermissionsBoundary?: Boundary;
  readonly Tags: readonly Tag[];
  readonly AttachedPolicies: readonly AttachedPolicy[];
  /** Group ids, in the order the user was added. */
  readonly Groups: readonly string[];
}

export interface GroupRecord {
  readonly GroupName: string;
  readonly GroupId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  readonly AttachedPolicies: readonly AttachedPolicy[];
}

export interface RoleRecord {
  readonly RoleName: string;
  readonly RoleId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  /** The trust policy as the caller wrote it (IAM returns it URL-encoded). */
  readonly AssumeRolePolicyDocument: string;
  readonly Description?: string;
  readonly MaxSessionDuration: number;
  readonly PermissionsBoundary?: Boundary;
  readonly Tags: readonly Tag[];
  readonly RoleLastUsed?: { readonly LastUsedDate?: string; readonly Region?: string };
  readonly AttachedPolicies: readonly AttachedPolicy[];
  /** A service-linked role: its service principal. */
  readonly ServiceLinked?: string;
}

export interface InlinePolicyRecord {
  readonly PolicyName: string;
  readonly PolicyDocument: string;
}

export interface ManagedPolicyRecord {
  readonly PolicyName: string;
  readonly PolicyId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly DefaultVersionId: string;
  readonly AttachmentCount: number;
  readonly PermissionsBoundaryUsageCount: number;
  readonly IsAttachable: boolean;
  readonly Description?: string;
  readonly CreateDate: string;
  readonly UpdateDate: string;
  readonly Tags: readonly Tag[];
  /** The next version number to assign (IAM never reuses one). */
  readonly NextVersion: number;
}

export interface PolicyVersionRecord {
  readonly Document: string;
  readonly VersionId: string;
  readonly IsDefaultVersion: boolean;
  readonly CreateDate: string;
}

export interface AccessKeyRecord {
  readonly UserName: string;
  readonly UserId: string;
  readonly AccessKeyId: string;
  readonly Status: 'Active' | 'Inactive';
  readonly CreateDate: string;
}

export const toDate = (s: string | undefined): Date | undefined => (s === undefined ? undefined : new Date(s));

export function noSuchEntity(message: string): AwsError {
  return new AwsError('NoSuchEntity', message, { status: 404 });
}

export function entityAlreadyExists(message: string): AwsError {
  return new AwsError('EntityAlreadyExists', message, { status: 409 });
}

export function invalidInput(message: string): AwsError {
  return new AwsError('InvalidInput', message, { status: 400 });
}

export function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message, { status: 409 });
}

export function deleteConflict(message: string): AwsError {
  return new AwsError('DeleteConflict', message, { status: 409 });
}

export function unmodifiable(message: string): AwsError {
  return new AwsError('UnmodifiableEntity', message, { status: 400 });
}

export async function getUser(tx: Tx, account: string, name: string): Promise<UserRecord> {
  const u = await tx.getByName<UserRecord>(account, KIND.user, name);
  if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return u;
}

export async function getRole(tx: Tx, account: string, name: string): Promise<RoleRecord> {
  const r = await tx.getByName<RoleRecord>(account, KIND.role, name);
  if (!r) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return r;
}

export async function getGroup(tx: Tx, account: string, name: string): Promise<GroupRecord> {
  const g = await tx.getByName<GroupRecord>(account, KIND.group, name);
  if (!g) throw noSuchEntity(`The group with name ${name} cannot be found.`);
  return g;
}

/** Paths start and end with `/` (IAM: "The specified value for path is invalid..."). */
export function checkPath(path: string | undefined, member = 'path'): string {
  const p = path ?? '/';
  if (!p.startsWith('/') || !p.endsWith('/')) throw new AwsError('ValidationError', `The specified value for ${member} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
  return p;
}

export const arn = (account: string, type: string, path: string, name: string): string => `arn:aws:iam::${account}:${type}${path}${name}`;

/** IAM's list paging: Marker is the index to start from; MaxItems 1-1000 (default 100). */
export function page<T>(items: readonly T[], marker: string | undefined, maxItems: number | undefined): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const start = marker ? Number(Buffer.from(marker, 'base64').toString('utf8')) : 0;
  if (marker && (!Number.isInteger(start) || start < 0)) throw invalidInput('Invalid Marker.');
  const max = maxItems ?? 100;
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, IsTruncated: more, ...(more ? { Marker: Buffer.from(String(start + max)).toString('base64') } : {}) };
}

/**
 * IAM's list paging over names, for the lists IAM returns in name order (ListRoles,
 * ListUsers...): reads only as many rows as a page needs, so a list call costs the same
 * with 10 or 10,000 entities. The Marker is the last name returned (opaque to clients);
 * `keep` filters (a path prefix) as pages are read.
 */
export async function pageByName<T>(
  tx: Tx,
  account: string,
  kind: string,
  input: { readonly Marker?: string; readonly MaxItems?: number },
  nameOf: (r: T) => string,
  keep: (r: T) => boolean = () => true,
): Promise<{ items: T[]; IsTruncated: boolean; Marker?: string }> {
  const max = input.MaxItems ?? 100;
  let after: string | undefined;
  if (input.Marker) {
    const raw = Buffer.from(input.Marker, 'base64').toString('utf8');
    if (!raw.startsWith('n:')) throw invalidInput('Invalid Marker.');
    after = raw.slice(2);
  }
  const items: T[] = [];
  const batch = Math.max(max + 1, 50);
  while (items.length <= max) {
    const rows = await tx.listByName<T>(account, kind, { ...(after !== undefined ? { after } : {}), limit: batch });
    for (const r of rows) {
      after = nameOf(r).toLowerCase();
      if (keep(r)) items.push(r);
      if (items.length > max) break;
    }
    if (rows.length < batch) break;
  }
  if (items.length <= max) return { items, IsTruncated: false };
  const shown = items.slice(0, max);
  return { items: shown, IsTruncated: true, Marker: Buffer.from(`n:${nameOf(shown[max - 1]!).toLowerCase()}`).toString('base64') };
}

/** IAM returns policy documents URL-encoded (RFC 3986), as AWS does. */
export const encodeDocument = (doc: string): string => encodeURIComponent(doc);

export function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.Key] = t.Value;
  return out;
}

/**
 * Service-linked roles and roles under /aws-reserved/ (Identity Center's) are only
 * modifiable by their service: every mutation but a description change is refused with
 * UnmodifiableEntity (iam.md §12.2). A role under `/aws-reserved/<service>/` is
 * modifiable by that service: as its service-linked role (Identity Center in a member
 * account), or on a caller's behalf (Identity Center in the management account, with the
 * signed-in principal's credentials).
 */
export function assertModifiable(role: RoleRecord, ctx: Pick<ServiceContext, 'caller' | 'via'>): void {
  const reserved = /^\/aws-reserved\/([^/]+)\//.exec(role.Path)?.[1];
  if (reserved && !role.ServiceLinked) {
    if (ctx.via?.calledVia.includes(reserved)) return;
    if (ctx.caller.roleArn?.startsWith(`arn:aws:iam::${ctx.caller.account}:role/aws-service-role/${reserved}/`)) return;
  }
  if (role.ServiceLinked || reserved !== undefined) {
    throw unmodifiable(`Cannot perform the operation on the protected role '${role.RoleName}' - this role is only modifiable by AWS`);
  }
}

/**
 * Insert a record under a name that must be unique in the account whatever its case, as
 * IAM's names are; `taken` words the error when it is not (EntityAlreadyExists, or
 * InvalidInput for a service-linked role).
 */
export async function insertNamed<T>(tx: Tx, account: string, kind: string, id: string, record: T, name: string, taken: () => AwsError): Promise<void> {
  try {
    await tx.insert(account, kind, id, record, { name });
  } catch (e) {
    if (e instanceof DuplicateError) throw taken();
    throw e;
  }
}
