/**
 * Directory Service's stored directories: their record, ARN, stage (computed from the
 * time, as AWS's asynchronous creation and deletion), lookups, and the errors every
 * operation shares. Directory Service Data (src/services/ds-data) is the same service's
 * data-plane API over the same directories (AWS: "an extension of Directory Service"),
 * so it reads these records through the functions here.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { DataAccessStatus, DirectoryStage } from '@aws-sdk/client-directory-service';
import { AwsError } from '../../models/errors.js';
import type { Tx } from '../../store/index.js';
import type { ServiceContext } from '../types.js';
import { settled, settlesAt } from './timing.js';

export const KIND = {
  directory: 'ds:directory',
} as const;

export interface DsTag {
  readonly Key: string;
  readonly Value: string;
}

/** An AWS application authorized on a directory (ds:AuthorizeApplication; see applications.ts). */
export interface AuthorizedApplication {
  readonly ApplicationType: string;
  /** The application's resource using the directory (a Client VPN endpoint's ARN...). */
  readonly ResourceArn?: string;
  readonly AuthorizedAt: string;
}

export type DirectoryType = 'SimpleAD' | 'MicrosoftAD';

export interface DirectoryRecord {
  readonly DirectoryId: string;
  readonly Region: string;
  readonly Type: DirectoryType;
  readonly Name: string;
  readonly ShortName: string;
  readonly Description?: string;
  /** Simple AD only. */
  readonly Size?: 'Small' | 'Large';
  /** Managed Microsoft AD only. */
  readonly Edition?: 'Standard' | 'Enterprise';
  readonly NetworkType: 'IPv4';
  readonly VpcId: string;
  readonly SubnetIds: readonly string[];
  readonly AvailabilityZones: readonly string[];
  /** The `<id>_controllers` group Directory Service creates in the VPC. */
  readonly SecurityGroupId: string;
  /** One domain controller interface per subnet; their addresses are the DNS servers. */
  readonly NetworkInterfaceIds: readonly string[];
  readonly DnsIpAddrs: readonly string[];
  readonly LaunchTime: string;
  /** Set by DeleteDirectory: `Deleting` until the delete delay passes, then gone. */
  readonly DeletedAt?: string;
  /** `S-1-5-21-a-b-c`: the domain's SID, prefix of every account's SID. */
  readonly DomainSid: string;
  /** The next relative id (RID) for an account or group the directory's users create. */
  readonly NextRid: number;
  /** Directory Service Data access (Managed Microsoft AD): off until enabled. */
  readonly DataAccess?: { readonly Enabled: boolean; readonly Since: string };
  readonly Applications: readonly AuthorizedApplication[];
  readonly Tags: readonly DsTag[];
}

export const directoryArn = (region: string, account: string, id: string): string => `arn:aws:ds:${region}:${account}:directory/${id}`;

/** `d-` and ten hex digits, as AWS's directory ids. */
export const newDirectoryId = (): string => `d-${randomBytes(5).toString('hex')}`;

/** A domain SID: `S-1-5-21-` and three random 32-bit sub-authorities, as Windows picks them for a new domain. */
export const newDomainSid = (): string => `S-1-5-21-${randomInt(1, 2 ** 32)}-${randomInt(1, 2 ** 32)}-${randomInt(1, 2 ** 32)}`;

/**
 * A Directory Service error: AWS's JSON body carries `Message` and `RequestId` as modelled
 * members of every Directory Service exception.
 */
export function dsError(ctx: Pick<ServiceContext, 'requestId'>, code: string, message: string): AwsError {
  return new AwsError(code, message, { members: { Message: message, RequestId: ctx.requestId } });
}

/**
 * Not found. AWS's wording is not documented; Gatehouse says `Directory <id> does not
 * exist.` (as AWS's console and the error's description: "The specified entity could not
 * be found").
 */
export const directoryNotFound = (ctx: Pick<ServiceContext, 'requestId'>, id: string, code = 'EntityDoesNotExistException'): AwsError =>
  dsError(ctx, code, `Directory ${id} does not exist.`);

/** Past its deletion delay, a deleted directory no longer exists. */
export const isGone = (d: DirectoryRecord, now: Date): boolean => d.DeletedAt !== undefined && settled('delete', d.DeletedAt, now);

export function stageOf(d: DirectoryRecord, now: Date): DirectoryStage {
  if (d.DeletedAt !== undefined) return isGone(d, now) ? 'Deleted' : 'Deleting';
  return settled('create', d.LaunchTime, now) ? 'Active' : 'Creating';
}

/** When the current stage began. */
export function stageSince(d: DirectoryRecord, now: Date): Date {
  if (d.DeletedAt !== undefined) return new Date(d.DeletedAt);
  return stageOf(d, now) === 'Active' ? settlesAt('create', d.LaunchTime) : new Date(d.LaunchTime);
}

/** Directory Service Data's status (DescribeDirectoryDataAccess). */
export function dataAccessStatus(d: DirectoryRecord, now: Date): DataAccessStatus {
  const a = d.DataAccess;
  if (!a) return 'Disabled';
  const done = settled('dataAccess', a.Since, now);
  if (a.Enabled) return done ? 'Enabled' : 'Enabling';
  return done ? 'Disabled' : 'Disabling';
}

/** The caller's directories in the request's region that still exist, in creation order. */
export async function directoriesIn(ctx: ServiceContext): Promise<DirectoryRecord[]> {
  return (await ctx.tx.list<DirectoryRecord>(ctx.caller.account, KIND.directory)).filter((d) => d.Region === ctx.region && !isGone(d, ctx.now));
}

/** A directory of the caller's account in the request's region, or undefined. */
export async function findDirectory(ctx: ServiceContext, id: string): Promise<DirectoryRecord | undefined> {
  const d = await ctx.tx.get<DirectoryRecord>(ctx.caller.account, KIND.directory, id);
  return d && d.Region === ctx.region && !isGone(d, ctx.now) ? d : undefined;
}

/** Authorization on a directory's ARN: its tags as `aws:ResourceTag/*`, and any request keys. */
export function directoryAuthorization(d: DirectoryRecord | undefined, context: Record<string, string | string[]> = {}): { context: Record<string, string | string[]> } {
  const tags: Record<string, string> = {};
  for (const t of d?.Tags ?? []) tags[`aws:ResourceTag/${t.Key}`] = t.Value;
  return { context: { ...tags, ...context } };
}

/** Take the directory's next RID (Directory Service Data creating an account or group). */
export async function allocateRid(tx: Tx, account: string, d: DirectoryRecord): Promise<number> {
  const fresh = (await tx.get<DirectoryRecord>(account, KIND.directory, d.DirectoryId)) ?? d;
  await tx.update<DirectoryRecord>(account, KIND.directory, d.DirectoryId, { ...fresh, NextRid: fresh.NextRid + 1 });
  return fresh.NextRid;
}

/** Remove deleted directories whose deletion has completed (done by later writes). */
export async function sweepDeleted(ctx: ServiceContext): Promise<void> {
  for (const d of await ctx.tx.list<DirectoryRecord>(ctx.caller.account, KIND.directory)) {
    if (isGone(d, ctx.now)) await ctx.tx.delete(ctx.caller.account, KIND.directory, d.DirectoryId);
  }
}
