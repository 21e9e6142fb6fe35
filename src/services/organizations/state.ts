/**
 * AWS Organizations' stored state. An organization is shared by its accounts, so its whole
 * state (root, OUs, member accounts, policies, attachments, handshakes, trusted services)
 * is one record owned by the management account (kind `organizations:organization`, id
 * the organization id). Every account in it has a membership record under its own account
 * (`organizations:membership`, id `organization`) naming the organization and its
 * management account; an invited account has an invitation record per handshake
 * (`organizations:invitation`) so it can find handshakes before it joins.
 *
 * Organizations are small (AWS's default quotas: 10 accounts, 1,000 OUs, 1,000 policies),
 * so one record read and written per request keeps every change atomic and simple. Its
 * `Revision` changes with every write: the SCP source caches compiled levels by it.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../models/errors.js';
import type { ServiceContext } from '../types.js';

export const KIND = {
  organization: 'organizations:organization',
  membership: 'organizations:membership',
  invitation: 'organizations:invitation',
} as const;

/** Gatehouse's account registry (src/server/accounts.ts: ACCOUNT_KIND under the pseudo-account `*`). */
export const ACCOUNT_REGISTRY = { account: '*', kind: 'account' } as const;

export const MEMBERSHIP_ID = 'organization';

export type PolicyTypeName = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
export const CONTROL_POLICY_TYPES: readonly PolicyTypeName[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface RootRecord {
  readonly Id: string;
  readonly Name: string;
  PolicyTypes: { Type: PolicyTypeName; Status: 'ENABLED' }[];
  Tags: Tag[];
}

export interface OuRecord {
  readonly Id: string;
  Name: string;
  ParentId: string;
  Tags: Tag[];
}

export interface MemberRecord {
  readonly Id: string;
  readonly Name: string;
  readonly Email: string;
  ParentId: string;
  readonly JoinedMethod: 'INVITED' | 'CREATED';
  readonly JoinedTimestamp: string;
  Tags: Tag[];
}

export interface PolicyRecord {
  readonly Id: string;
  Name: string;
  Description: string;
  readonly Type: PolicyTypeName;
  Content: string;
  Tags: Tag[];
}

export interface AttachmentRecord {
  readonly PolicyId: string;
  readonly TargetId: string;
}

export type HandshakeState = 'OPEN' | 'ACCEPTED' | 'DECLINED' | 'CANCELED' | 'EXPIRED' | 'REQUESTED';

export interface HandshakeRecord {
  readonly Id: string;
  readonly AccountId: string;
  readonly Notes?: string;
  State: HandshakeState;
  readonly RequestedTimestamp: string;
  readonly ExpirationTimestamp: string;
  readonly Tags: Tag[];
}

export interface OrgState {
  readonly Id: string;
  readonly ManagementAccountId: string;
  readonly ManagementEmail: string;
  readonly ManagementName: string;
  readonly FeatureSet: 'ALL';
  /** A fresh random token at every write (a rolled-back write cannot reuse one): caches key on it. */
  Revision: string;
  Root: RootRecord;
  Ous: OuRecord[];
  Accounts: MemberRecord[];
  Policies: PolicyRecord[];
  Attachments: AttachmentRecord[];
  Handshakes: HandshakeRecord[];
  ServiceAccess: { ServicePrincipal: string; DateEnabled: string }[];
  /** Delegated administrators, one entry per account and service (absent in records written before them: read as none). */
  DelegatedAdministrators?: DelegationRecord[];
}

export interface DelegationRecord {
  readonly AccountId: string;
  readonly ServicePrincipal: string;
  readonly DelegationEnabledDate: string;
}

export interface Membership {
  readonly OrganizationId: string;
  readonly ManagementAccountId: string;
}

export interface Invitation {
  readonly OrganizationId: string;
  readonly ManagementAccountId: string;
}

// ---------------------------------------------------------------------------------------
// Ids and ARNs, as AWS forms them.

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export function randomChars(n: number, alphabet = ALNUM): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export const newOrganizationId = (): string => `o-${randomChars(10)}`;
export const newRootId = (): string => `r-${randomChars(4)}`;
export const newOuId = (rootId: string): string => `ou-${rootId.slice(2)}-${randomChars(8)}`;
export const newPolicyId = (): string => `p-${randomChars(8)}`;
export const newHandshakeId = (): string => `h-${randomChars(10)}`;

export const organizationArn = (s: OrgState): string => `arn:aws:organizations::${s.ManagementAccountId}:organization/${s.Id}`;
export const rootArn = (s: OrgState): string => `arn:aws:organizations::${s.ManagementAccountId}:root/${s.Id}/${s.Root.Id}`;
export const ouArn = (s: OrgState, id: string): string => `arn:aws:organizations::${s.ManagementAccountId}:ou/${s.Id}/${id}`;
export const accountArn = (s: OrgState, id: string): string => `arn:aws:organizations::${s.ManagementAccountId}:account/${s.Id}/${id}`;
export const handshakeArn = (s: { Id: string; ManagementAccountId: string }, id: string): string => `arn:aws:organizations::${s.ManagementAccountId}:handshake/${s.Id}/invite/${id}`;

const POLICY_PATH: Readonly<Record<PolicyTypeName, string>> = { SERVICE_CONTROL_POLICY: 'service_control_policy', RESOURCE_CONTROL_POLICY: 'resource_control_policy' };

/** AWS managed policies: FullAWSAccess (SCP) and RCPFullAWSAccess (RCP), the same in every organization. */
export const AWS_MANAGED: readonly PolicyRecord[] = [
  {
    Id: 'p-FullAWSAccess',
    Name: 'FullAWSAccess',
    Description: 'Allows access to every operation',
    Type: 'SERVICE_CONTROL_POLICY',
    Content: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
    Tags: [],
  },
  {
    Id: 'p-RCPFullAWSAccess',
    Name: 'RCPFullAWSAccess',
    Description: 'Allows access to every operation',
    Type: 'RESOURCE_CONTROL_POLICY',
    Content: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": "*",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
    Tags: [],
  },
];
export const managedFor = (type: PolicyTypeName): PolicyRecord => AWS_MANAGED.find((p) => p.Type === type)!;
export const isAwsManaged = (id: string): boolean => AWS_MANAGED.some((p) => p.Id === id);

export function policyArn(s: OrgState, p: PolicyRecord): string {
  if (isAwsManaged(p.Id)) return `arn:aws:organizations::aws:policy/${POLICY_PATH[p.Type]}/${p.Id}`;
  return `arn:aws:organizations::${s.ManagementAccountId}:policy/${s.Id}/${POLICY_PATH[p.Type]}/${p.Id}`;
}

/** The email and name Gatehouse gives an account (its accounts have neither): the alias, else the id. */
export const accountEmail = (id: string): string => `${id}@gatehouse.invalid`;

// ---------------------------------------------------------------------------------------
// Errors: Organizations writes its message as the modelled member `Message`, with `Reason`
// where the shape has one. Wording from the Organizations API Reference's description of each exception.

export const err = {
  notInUse: () => orgError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'),
  accessDenied: () => orgError('AccessDeniedException', "You don't have permissions to access this resource."),
  alreadyInOrganization: () => orgError('AlreadyInOrganizationException', 'The AWS account is already a member of an organization.'),
  organizationNotEmpty: () =>
    orgError('OrganizationNotEmptyException', "The organization isn't empty. To delete an organization, you must first remove all accounts except the management account."),
  ouNotFound: () => orgError('OrganizationalUnitNotFoundException', "We can't find an OU with the OrganizationalUnitId that you specified."),
  ouNotEmpty: () =>
    orgError('OrganizationalUnitNotEmptyException', 'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.'),
  duplicateOu: () => orgError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.'),
  parentNotFound: () => orgError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified."),
  childNotFound: () => orgError('ChildNotFoundException', "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."),
  rootNotFound: () => orgError('RootNotFoundException', "We can't find a root with the RootId that you specified."),
  accountNotFound: () =>
    orgError('AccountNotFoundException', "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization."),
  sourceParentNotFound: () => orgError('SourceParentNotFoundException', "We can't find a source root or OU with the ParentId that you specified."),
  destinationParentNotFound: () => orgError('DestinationParentNotFoundException', "We can't find the destination container (a root or OU) with the ParentId that you specified."),
  duplicateAccount: () => orgError('DuplicateAccountException', 'That account is already present in the specified destination.'),
  policyNotFound: () => orgError('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified."),
  duplicatePolicy: () => orgError('DuplicatePolicyException', 'A policy with the same name already exists.'),
  policyInUse: () =>
    orgError('PolicyInUseException', 'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.'),
  duplicateAttachment: () => orgError('DuplicatePolicyAttachmentException', 'The selected policy is already attached to the specified target.'),
  policyNotAttached: () => orgError('PolicyNotAttachedException', "The policy isn't attached to the specified target in the specified root."),
  targetNotFound: () => orgError('TargetNotFoundException', "We can't find a root, OU, account, or email address with the TargetId that you specified."),
  typeAlreadyEnabled: () => orgError('PolicyTypeAlreadyEnabledException', 'The specified policy type is already enabled.'),
  typeNotEnabled: () =>
    orgError(
      'PolicyTypeNotEnabledException',
      "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    ),
  malformedPolicy: (detail?: string) =>
    orgError('MalformedPolicyDocumentException', `The provided policy document doesn't meet the requirements of the specified policy type.${detail ? ` ${detail}` : ''}`),
  immutablePolicy: () => invalidInput('IMMUTABLE_POLICY', 'You specified a policy that is managed by AWS and can\'t be modified.'),
  constraint: (reason: string, message: string) => orgError('ConstraintViolationException', message, { members: { Reason: reason } }),
  handshakeNotFound: () => orgError('HandshakeNotFoundException', "We can't find a handshake with the HandshakeId that you specified."),
  handshakeAlreadyInState: () =>
    orgError('HandshakeAlreadyInStateException', "The specified handshake is already in the requested state. For example, you can't accept a handshake that was already accepted."),
  invalidHandshakeTransition: () =>
    orgError(
      'InvalidHandshakeTransitionException',
      "You can't perform the operation on the handshake in its current state. For example, you can't cancel a handshake that was already accepted or accept a handshake that was already declined.",
    ),
  handshakeConstraint: (reason: string, message: string) => orgError('HandshakeConstraintViolationException', message, { members: { Reason: reason } }),
  duplicateHandshake: () =>
    orgError(
      'DuplicateHandshakeException',
      'A handshake with the same action and target already exists. For example, if you invited an account to join your organization, the invited account might already have a pending invitation from this organization.',
    ),
  managementCannotLeave: () =>
    orgError(
      'MasterCannotLeaveOrganizationException',
      "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
    ),
};

export function orgError(code: string, message: string, options: { members?: Record<string, string> } = {}): AwsError {
  return new AwsError(code, message, { members: { Message: message, ...(options.members ?? {}) } });
}

export function invalidInput(reason: string, message: string): AwsError {
  return orgError('InvalidInputException', message, { members: { Reason: reason } });
}

// ---------------------------------------------------------------------------------------
// Loading and saving.

export async function membershipOf(ctx: ServiceContext, account = ctx.caller.account): Promise<Membership | undefined> {
  return ctx.tx.get<Membership>(account, KIND.membership, MEMBERSHIP_ID);
}

/** The caller's organization, or undefined. */
export async function loadFor(ctx: ServiceContext, account = ctx.caller.account): Promise<OrgState | undefined> {
  const m = await membershipOf(ctx, account);
  if (!m) return undefined;
  return ctx.tx.get<OrgState>(m.ManagementAccountId, KIND.organization, m.OrganizationId);
}

export async function save(ctx: ServiceContext, s: OrgState): Promise<void> {
  s.Revision = randomChars(16);
  await ctx.tx.update(s.ManagementAccountId, KIND.organization, s.Id, s);
}

/** The caller's organization; AWSOrganizationsNotInUseException without one. */
export async function requireOrg(ctx: ServiceContext): Promise<OrgState> {
  const s = await loadFor(ctx);
  if (!s) throw err.notInUse();
  return s;
}

/** The caller's organization, when the caller is its management account. */
export async function requireManagement(ctx: ServiceContext): Promise<OrgState> {
  const s = await requireOrg(ctx);
  if (s.ManagementAccountId !== ctx.caller.account) throw err.accessDenied();
  return s;
}

/** The ARN to authorize against for a resource when the caller's organization is known; `*` otherwise. */
export const arnOr = (s: OrgState | undefined, arn: (s: OrgState) => string): string => (s ? arn(s) : '*');

// ---------------------------------------------------------------------------------------
// The tree.

export type ParentType = 'ROOT' | 'ORGANIZATIONAL_UNIT';

export function findParent(s: OrgState, id: string): { type: ParentType; arn: string } | undefined {
  if (id === s.Root.Id) return { type: 'ROOT', arn: rootArn(s) };
  const ou = s.Ous.find((o) => o.Id === id);
  return ou ? { type: 'ORGANIZATIONAL_UNIT', arn: ouArn(s, ou.Id) } : undefined;
}

export type TargetType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

export function findTarget(s: OrgState, id: string): { type: TargetType; arn: string; name: string; tags: Tag[]; setTags(t: Tag[]): void } | undefined {
  if (id === s.Root.Id) return { type: 'ROOT', arn: rootArn(s), name: s.Root.Name, tags: s.Root.Tags, setTags: (t) => (s.Root.Tags = t) };
  const ou = s.Ous.find((o) => o.Id === id);
  if (ou) return { type: 'ORGANIZATIONAL_UNIT', arn: ouArn(s, ou.Id), name: ou.Name, tags: ou.Tags, setTags: (t) => (ou.Tags = t) };
  const a = s.Accounts.find((x) => x.Id === id);
  if (a) return { type: 'ACCOUNT', arn: accountArn(s, a.Id), name: a.Name, tags: a.Tags, setTags: (t) => (a.Tags = t) };
  return undefined;
}

/** The path of parent ids from the root down to (not including) `id`. */
export function ancestors(s: OrgState, parentId: string): string[] {
  const out: string[] = [];
  let cur: string | undefined = parentId;
  for (let guard = 0; cur && guard < 10; guard++) {
    out.unshift(cur);
    if (cur === s.Root.Id) break;
    cur = s.Ous.find((o) => o.Id === cur)?.ParentId;
  }
  return out;
}

export const typeEnabled = (s: OrgState, type: PolicyTypeName): boolean => s.Root.PolicyTypes.some((t) => t.Type === type);

export function allPolicies(s: OrgState): PolicyRecord[] {
  return [...AWS_MANAGED, ...s.Policies];
}

/** Attach a type's AWS managed policy to a new OU or account, when the type is enabled. */
export function attachDefaults(s: OrgState, targetId: string): void {
  for (const type of CONTROL_POLICY_TYPES) if (typeEnabled(s, type)) s.Attachments.push({ PolicyId: managedFor(type).Id, TargetId: targetId });
}

// ---------------------------------------------------------------------------------------
// Paging: NextToken is the offset, encoded.

export function page<T>(items: readonly T[], input: { NextToken?: string; MaxResults?: number }): { items: T[]; NextToken?: string } {
  let start = 0;
  if (input.NextToken) {
    const n = Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(n) || n < 0) throw invalidInput('INVALID_NEXT_TOKEN', 'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.');
    start = n;
  }
  const max = input.MaxResults ?? 20;
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return next ? { items: slice, NextToken: next } : { items: slice };
}

export const toTags = (tags: readonly { Key?: string; Value?: string }[] | undefined): Tag[] => (tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));

export function tagContext(tags: readonly Tag[]): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  const out: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value;
  return out;
}

export function resourceTagContext(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) out[`aws:ResourceTag/${t.Key}`] = t.Value;
  return out;
}

/** An account in the organization as a target's path (`o-.../r-.../ou-.../`), for aws:PrincipalOrgPaths. */
export function orgPath(s: OrgState, parentId: string): string {
  return `${s.Id}/${ancestors(s, parentId).join('/')}/`;
}

// ---------------------------------------------------------------------------------------
// Other services' interest in membership (IAM Identity Center creates its role in every
// account that joins an organization where it is enabled).

export type AccountJoined = (ctx: ServiceContext, s: OrgState, accountId: string) => Promise<void>;
const joinedListeners: AccountJoined[] = [];

/** Be told, in the joining request's transaction, when an account joins an organization. */
export function onAccountJoined(listener: AccountJoined): () => void {
  joinedListeners.push(listener);
  return () => void joinedListeners.splice(joinedListeners.indexOf(listener), 1);
}

export async function accountJoined(ctx: ServiceContext, s: OrgState, accountId: string): Promise<void> {
  for (const l of joinedListeners) await l(ctx, s, accountId);
}

/** When an account leaves (removed, or leaving itself): IAM Identity Center removes its roles there. */
const leavingListeners: AccountJoined[] = [];

/** Be told, in the leaving request's transaction and before the account is gone, when an account leaves. */
export function onAccountLeaving(listener: AccountJoined): () => void {
  leavingListeners.push(listener);
  return () => void leavingListeners.splice(leavingListeners.indexOf(listener), 1);
}

export async function accountLeaving(ctx: ServiceContext, s: OrgState, accountId: string): Promise<void> {
  for (const l of leavingListeners) await l(ctx, s, accountId);
}
