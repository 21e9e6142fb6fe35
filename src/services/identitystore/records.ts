/**
 * The Identity Store's records (stores, users, groups, memberships), their ids and ARNs,
 * errors in AWS's words, paging, and authorization against several resources at once.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../models/errors.js';
import type { ServiceContext } from '../types.js';

export const KIND = {
  /** An identity store, by its id (`d-` + 10 hex). */
  store: 'identitystore:store',
  /** Users, groups and memberships: id → record, parent the store's id. */
  user: 'identitystore:user',
  group: 'identitystore:group',
  membership: 'identitystore:membership',
} as const;

export interface StoreRecord {
  readonly IdentityStoreId: string;
  readonly Region: string;
  readonly CreatedAt: string;
}

/** A user as DescribeUser shows it (dates as ISO strings), plus its store. */
export interface UserRecord {
  readonly IdentityStoreId: string;
  readonly UserId: string;
  readonly CreatedAt: string;
  readonly CreatedBy: string;
  readonly UpdatedAt: string;
  readonly UpdatedBy: string;
  /** Every other attribute (UserName, Name, DisplayName, Emails...), as given. */
  readonly Attributes: Record<string, unknown>;
}

export interface GroupRecord {
  readonly IdentityStoreId: string;
  readonly GroupId: string;
  readonly CreatedAt: string;
  readonly CreatedBy: string;
  readonly UpdatedAt: string;
  readonly UpdatedBy: string;
  /** DisplayName, Description. */
  readonly Attributes: Record<string, unknown>;
}

export interface MembershipRecord {
  readonly IdentityStoreId: string;
  readonly MembershipId: string;
  readonly GroupId: string;
  readonly UserId: string;
  readonly CreatedAt: string;
  readonly CreatedBy: string;
}

export type ResourceType = 'GROUP' | 'USER' | 'IDENTITY_STORE' | 'GROUP_MEMBERSHIP';

export const storeArn = (account: string, id: string): string => `arn:aws:identitystore::${account}:identitystore/${id}`;
export const userArn = (id: string): string => `arn:aws:identitystore:::user/${id}`;
export const groupArn = (id: string): string => `arn:aws:identitystore:::group/${id}`;
export const membershipArn = (id: string): string => `arn:aws:identitystore:::membership/${id}`;

/**
 * Users, groups and memberships are named `<the store's 10 hex>-<UUID>` (the form the
 * Identity Store API Reference's examples show, and ResourceId's pattern allows).
 */
export const resourceId = (storeId: string): string => `${storeId.slice(2)}-${randomUUID()}`;

export const notFound = (type: ResourceType, id?: string): AwsError =>
  new AwsError('ResourceNotFoundException', `${type} not found.`, { members: { ResourceType: type, ...(id !== undefined ? { ResourceId: id } : {}) } });

export const conflict = (message: string): AwsError => new AwsError('ConflictException', message, { members: { Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION' } });

export const validation = (message: string): AwsError => new AwsError('ValidationException', message);

/**
 * Authorize one action against every resource AWS checks for it (the Service
 * Authorization Reference lists several: the user and the identity store...). AWS names
 * each denied resource in one message, joined by ", " (as its AccessDeniedException shows).
 */
export async function authorizeAll(ctx: ServiceContext, action: string, resources: readonly string[]): Promise<void> {
  const denials: string[] = [];
  for (const arn of resources) {
    try {
      await ctx.authorize(`identitystore:${action}`, arn);
    } catch (e) {
      if (!(e instanceof AwsError) || e.code !== 'AccessDeniedException') throw e;
      denials.push(e.message);
    }
  }
  if (denials.length) {
    const message = denials.join(', ');
    throw new AwsError('AccessDeniedException', message, { members: { Message: message } });
  }
}

/** List paging: an opaque NextToken holding the position; MaxResults up to 100. */
export function page<T>(items: readonly T[], input: { NextToken?: string; MaxResults?: number }): { items: T[]; NextToken?: string } {
  let start = 0;
  if (input.NextToken) {
    const raw = Buffer.from(input.NextToken, 'base64url').toString('utf8');
    start = raw.startsWith('p:') ? Number(raw.slice(2)) : NaN;
    if (!Number.isInteger(start) || start < 0) throw validation('The NextToken is not valid.');
  }
  const max = input.MaxResults ?? 100;
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { items: slice, NextToken: Buffer.from(`p:${start + max}`).toString('base64url') } : { items: slice };
}

export const toDate = (s: string): Date => new Date(s);
