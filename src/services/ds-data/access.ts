/**
 * What every Directory Service Data call does first, and the errors it shares.
 *
 * Authorization (Service Authorization Reference, Directory Service Data): each operation
 * needs its own `ds-data:<Operation>` **and** `ds:AccessDSData` on the directory's ARN,
 * with the condition keys `ds-data:SAMAccountName`, `ds-data:MemberName` (the request's
 * names, as given: the keys are documented as case-insensitive, to be used with
 * StringEqualsIgnoreCase), `ds-data:Identifier` (`SAMAccountName`, the kind of name the
 * request identifies objects by), `ds-data:Realm` and `ds-data:MemberRealm` (the request's
 * realms, or the directory's domain when omitted: a choice, the reference does not say).
 *
 * Then the directory (the order is Gatehouse's):
 * - missing (or another account's): AccessDeniedException, reason DIRECTORY_AUTH (the
 *   exception's doc: "It can also occur when the DirectoryId doesn't exist");
 * - not a Managed Microsoft AD: ValidationException, reason INVALID_DIRECTORY_TYPE
 *   ("Directory Service Data only supports the Managed Microsoft AD directory type");
 * - not Active: DirectoryUnavailableException, reason INVALID_DIRECTORY_STATE;
 * - Directory Service Data not enabled (EnableDirectoryDataAccess): AccessDeniedException,
 *   reason DATA_DISABLED.
 * The messages are Gatehouse's; AWS documents the reasons, not the wording.
 */
import { AwsError } from '../../models/errors.js';
import { dataAccessStatus, directoryArn, directoryAuthorization, findDirectory, stageOf, type DirectoryRecord } from '../ds/records.js';
import type { ServiceContext } from '../types.js';

export type ValidationReason =
  | 'INVALID_REALM'
  | 'INVALID_DIRECTORY_TYPE'
  | 'INVALID_SECONDARY_REGION'
  | 'INVALID_NEXT_TOKEN'
  | 'INVALID_ATTRIBUTE_VALUE'
  | 'INVALID_ATTRIBUTE_NAME'
  | 'INVALID_ATTRIBUTE_FOR_USER'
  | 'INVALID_ATTRIBUTE_FOR_GROUP'
  | 'INVALID_ATTRIBUTE_FOR_SEARCH'
  | 'INVALID_ATTRIBUTE_FOR_MODIFY'
  | 'DUPLICATE_ATTRIBUTE'
  | 'MISSING_ATTRIBUTE'
  | 'ATTRIBUTE_EXISTS'
  | 'LDAP_SIZE_LIMIT_EXCEEDED'
  | 'LDAP_UNSUPPORTED_OPERATION';

export const validation = (reason: ValidationReason, message: string): AwsError => new AwsError('ValidationException', message, { members: { Reason: reason } });
export const accessDenied = (reason: 'IAM_AUTH' | 'DIRECTORY_AUTH' | 'DATA_DISABLED', message: string): AwsError =>
  new AwsError('AccessDeniedException', message, { status: 403, members: { Reason: reason } });
export const notFound = (message: string): AwsError => new AwsError('ResourceNotFoundException', message);
export const conflict = (message: string): AwsError => new AwsError('ConflictException', message);
export const unavailable = (message: string): AwsError => new AwsError('DirectoryUnavailableException', message, { members: { Reason: 'INVALID_DIRECTORY_STATE' } });

/** The names a request carries, for the condition keys. */
export interface RequestNames {
  readonly SAMAccountName?: string;
  readonly MemberName?: string;
  readonly Realm?: string;
  readonly MemberRealm?: string;
}

/** `corp.example.com`, `CORP.EXAMPLE.COM.` and the like are the same realm. */
const sameRealm = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/**
 * A realm the request names must be the directory's own domain: Gatehouse's directories
 * have no trusts, so no other realm is reachable (AWS: ValidationException INVALID_REALM).
 */
export function checkRealm(d: DirectoryRecord, realm: string | undefined): void {
  if (realm !== undefined && !sameRealm(realm, d.Name)) {
    throw validation('INVALID_REALM', `Realm ${realm} is not the domain of directory ${d.DirectoryId} (${d.Name}) nor a domain it trusts.`);
  }
}

/** Authorize `ds-data:<operation>` and `ds:AccessDSData`, then check the directory can serve the call. */
export async function openDirectory(ctx: ServiceContext, operation: string, directoryId: string, names: RequestNames): Promise<DirectoryRecord> {
  const d = await findDirectory(ctx, directoryId);
  const keys: Record<string, string> = {};
  const realm = names.Realm ?? d?.Name;
  if (realm !== undefined) keys['ds-data:Realm'] = realm;
  if (names.SAMAccountName !== undefined) keys['ds-data:SAMAccountName'] = names.SAMAccountName;
  if (names.MemberName !== undefined) {
    keys['ds-data:MemberName'] = names.MemberName;
    const memberRealm = names.MemberRealm ?? realm;
    if (memberRealm !== undefined) keys['ds-data:MemberRealm'] = memberRealm;
  }
  if (names.SAMAccountName !== undefined || names.MemberName !== undefined) keys['ds-data:Identifier'] = 'SAMAccountName';
  const arn = directoryArn(ctx.region, ctx.caller.account, directoryId);
  const auth = directoryAuthorization(d, keys);
  await ctx.authorize(`ds-data:${operation}`, arn, auth);
  await ctx.authorize('ds:AccessDSData', arn, auth);
  if (!d || d.DeletedAt) throw accessDenied('DIRECTORY_AUTH', `You don't have access to directory ${directoryId}, or it does not exist.`);
  if (d.Type !== 'MicrosoftAD') throw validation('INVALID_DIRECTORY_TYPE', `Directory ${directoryId} is a ${d.Type} directory. Directory Service Data supports AWS Managed Microsoft AD directories only.`);
  const stage = stageOf(d, ctx.now);
  if (stage !== 'Active') throw unavailable(`Directory ${directoryId} is not available: its stage is ${stage}.`);
  if (dataAccessStatus(d, ctx.now) !== 'Enabled') {
    throw accessDenied('DATA_DISABLED', `Directory Service Data is not enabled for directory ${directoryId}. Enable it with EnableDirectoryDataAccess.`);
  }
  checkRealm(d, names.Realm);
  checkRealm(d, names.MemberRealm);
  return d;
}
