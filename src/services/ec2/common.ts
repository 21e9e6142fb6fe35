/**
 * What EC2's operations share: resource ids and ARNs, DryRun, Filters, paging, tags from
 * TagSpecifications, and the account's default VPC in each region.
 */
import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AwsError } from '../../models/errors.js';
import type { ServiceContext } from '../types.js';

export const KIND = {
  vpc: 'ec2:vpc',
  subnet: 'ec2:subnet',
  defaultVpc: 'ec2:default-vpc',
  securityGroup: 'ec2:security-group',
  routeTable: 'ec2:route-table',
  internetGateway: 'ec2:internet-gateway',
  networkInterface: 'ec2:network-interface',
  networkAcl: 'ec2:network-acl',
  natGateway: 'ec2:nat-gateway',
  address: 'ec2:elastic-ip',
} as const;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** EC2 ids: a prefix and 17 hex digits (`vpc-0a1b2c3d4e5f67890`). */
export const ec2Id = (prefix: string): string => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

export const ec2Arn = (ctx: ServiceContext, type: string, id: string): string => `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:${type}/${id}`;

/**
 * `DryRun`: authorize, then answer 412 DryRunOperation instead of doing the work (or the
 * denial, UnauthorizedOperation, as for a real call).
 */
export async function dryRun(ctx: ServiceContext, input: { readonly DryRun?: boolean }, action: string, resource: string, context?: Record<string, string | string[]>): Promise<void> {
  if (!input.DryRun) return;
  await ctx.authorize(action, resource, context ? { context } : {});
  throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { status: 412 });
}

export const invalidParameterValue = (message: string): AwsError => new AwsError('InvalidParameterValue', message);

/** The availability zones Gatehouse offers in a region (a choice: three, `a` to `c`). */
export const zonesOf = (region: string): string[] => ['a', 'b', 'c'].map((z) => `${region}${z}`);

/** AWS's zone ids look like `use1-az1`; Gatehouse derives them from the region and letter. */
export function zoneId(zone: string): string {
  const region = zone.slice(0, -1);
  const [geo = '', direction = '', n = ''] = region.split('-');
  const index = 'abcdef'.indexOf(zone.slice(-1)) + 1;
  return `${geo}${direction.slice(0, 1)}${direction.endsWith('east') || direction.endsWith('west') ? '' : direction.slice(-1)}${n}-az${index}`;
}

/** An IPv4 CIDR block, or undefined when the text is not one. */
export function parseCidr(text: string): { readonly base: number; readonly prefix: number } | undefined {
  if (!ipaddr.IPv4.isValidCIDR(text)) return undefined;
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(text);
  const base = addr.toByteArray().reduce((n, b) => n * 256 + b, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined; // host bits set: AWS refuses it
  return { base, prefix };
}

export const cidrSize = (c: { prefix: number }): number => 2 ** (32 - c.prefix);
export const contains = (outer: { base: number; prefix: number }, inner: { base: number; prefix: number }): boolean =>
  inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
export const overlaps = (a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean =>
  a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);

/** Tags for the resource type from `TagSpecifications`, and the `ec2:CreateTags` authorization they need. */
export async function tagsFrom(
  ctx: ServiceContext,
  specs: readonly { ResourceType?: string; Tags?: readonly { Key?: string; Value?: string }[] }[] | undefined,
  resourceType: string,
  resourceArn: string,
  createAction: string,
): Promise<Tag[]> {
  const tags = (specs ?? []).filter((s) => s.ResourceType === resourceType).flatMap((s) => (s.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })));
  const other = (specs ?? []).find((s) => s.ResourceType !== resourceType);
  if (other) throw invalidParameterValue(`'${other.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
  if (tags.length > 0) {
    const context: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key), 'ec2:CreateAction': createAction };
    for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    await ctx.authorize('ec2:CreateTags', resourceArn, { context });
  }
  return tags;
}

export const requestTagContext = (specs: readonly { Tags?: readonly { Key?: string; Value?: string }[] }[] | undefined): Record<string, string | string[]> => {
  const tags = (specs ?? []).flatMap((s) => s.Tags ?? []);
  if (tags.length === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key ?? '') };
  for (const t of tags) context[`aws:RequestTag/${t.Key ?? ''}`] = t.Value ?? '';
  return context;
};

/** EC2 filter values take `*` and `?` wildcards. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
}

/**
 * A predicate for `Filters`: each filter's values are ORed, filters are ANDed, `tag:<key>`
 * and `tag-key` work on every taggable resource. An unknown filter name is refused.
 */
export function filterPredicate<T extends { Tags: readonly Tag[] }>(
  filters: readonly { Name?: string; Values?: readonly string[] }[] | undefined,
  fields: Readonly<Record<string, (r: T) => readonly (string | undefined)[]>>,
): (r: T) => boolean {
  const tests = (filters ?? []).map((f) => {
    const name = f.Name ?? '';
    const patterns = (f.Values ?? []).map(wildcard);
    let values: (r: T) => readonly (string | undefined)[];
    if (name.startsWith('tag:')) values = (r) => r.Tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
    else if (name === 'tag-key') values = (r) => r.Tags.map((t) => t.Key);
    else if (fields[name]) values = fields[name];
    else throw invalidParameterValue(`The filter '${name}' is invalid`);
    return (r: T): boolean => values(r).some((v) => v !== undefined && patterns.some((p) => p.test(v)));
  });
  return (r) => tests.every((t) => t(r));
}

/** EC2 paging: MaxResults 5–1000 and an opaque NextToken. */
export function pageOf<T>(items: readonly T[], input: { MaxResults?: number; NextToken?: string }): { items: T[]; NextToken?: string } {
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString('utf8').replace(/^p:/, '')) : 0;
  if (input.NextToken && (!Number.isInteger(start) || start < 0)) throw invalidParameterValue(`Invalid value '${input.NextToken}' for nextToken`);
  if (input.MaxResults !== undefined && (input.MaxResults < 5 || input.MaxResults > 1000)) {
    throw invalidParameterValue(`Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.`);
  }
  const max = input.MaxResults ?? items.length;
  const page = items.slice(start, start + max);
  return start + max < items.length ? { items: page, NextToken: Buffer.from(`p:${start + max}`).toString('base64url') } : { items: page };
}
