/**
 * IAM managed policies: customer managed policies and their versions, the AWS managed
 * policies (from the catalog, read-only), and their attachments to users, groups and
 * roles. Every handler authorizes first (`iam:<Action>` on the resource the Service
 * Authorization Reference names), then checks state, and writes inside the request's
 * transaction.
 *
 * Attachment counts: a customer managed policy's `AttachmentCount` lives on its record;
 * an AWS managed policy's, per account, on a `KIND.awsPolicyUsage` record. The
 * permissions-boundary usage count is derived from the users and roles that name the
 * policy as their boundary (those records are the source of truth for it).
 */
import { createHash } from 'node:crypto';
import type {
  AttachGroupPolicyCommandInput,
  AttachRolePolicyCommandInput,
  AttachUserPolicyCommandInput,
  AttachedPolicy as SdkAttachedPolicy,
  CreatePolicyCommandInput,
  CreatePolicyCommandOutput,
  CreatePolicyVersionCommandInput,
  CreatePolicyVersionCommandOutput,
  DeletePolicyCommandInput,
  DeletePolicyVersionCommandInput,
  DetachGroupPolicyCommandInput,
  DetachRolePolicyCommandInput,
  DetachUserPolicyCommandInput,
  GetPolicyCommandInput,
  GetPolicyCommandOutput,
  GetPolicyVersionCommandInput,
  GetPolicyVersionCommandOutput,
  ListAttachedGroupPoliciesCommandInput,
  ListAttachedGroupPoliciesCommandOutput,
  ListAttachedRolePoliciesCommandInput,
  ListAttachedRolePoliciesCommandOutput,
  ListAttachedUserPoliciesCommandInput,
  ListAttachedUserPoliciesCommandOutput,
  ListEntitiesForPolicyCommandInput,
  ListEntitiesForPolicyCommandOutput,
  ListPoliciesCommandInput,
  ListPoliciesCommandOutput,
  ListPolicyTagsCommandInput,
  ListPolicyTagsCommandOutput,
  ListPolicyVersionsCommandInput,
  ListPolicyVersionsCommandOutput,
  Policy,
  PolicyGroup,
  PolicyRole,
  PolicyUser,
  PolicyVersion,
  SetDefaultPolicyVersionCommandInput,
  TagPolicyCommandInput,
  UntagPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { allManagedPolicies, managedPolicyByArn, type ManagedPolicyData } from '../../catalog/managed-policies.js';
import { checkPolicySize, parsePolicy, POLICY_SIZE_LIMITS } from '../../policy/index.js';
import { awsId } from '../../auth/credentials.js';
import { AwsError } from '../../models/errors.js';
import type { Tx } from '../../store/index.js';
import {
  KIND,
  insertNamed,
  arn,
  assertModifiable,
  checkPath,
  deleteConflict,
  encodeDocument,
  entityAlreadyExists,
  invalidInput,
  limitExceeded,
  noSuchEntity,
  page,
  toDate,
  type AttachedPolicy,
  type GroupRecord,
  type ManagedPolicyRecord,
  type PolicyVersionRecord,
  type RoleRecord,
  type Tag,
  type UserRecord,
} from './records.js';
import { byName, roleContext } from './roles.js';
import { checkTags, mergeTags, removeTags, resourceTagContext, storedTags, tagContext } from './tags.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const POLICY_QUOTA = 1500;
const VERSION_QUOTA = 5;
const ATTACHED_QUOTA = 10;
const SERVICE_ROLE_PATH = '/aws-service-role/';

// ---------------------------------------------------------------------------------------
// ARNs and lookups

interface PolicyArnParts {
  /** The owning account, or `aws` for AWS managed policies. */
  readonly owner: string;
  readonly path: string;
  readonly name: string;
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy((?:\/[^/]+)*\/)([\w+=,.@-]+)$/;

export function parsePolicyArn(policyArn: string): PolicyArnParts | undefined {
  const m = POLICY_ARN.exec(policyArn);
  return m ? { owner: m[1]!, path: m[2]!, name: m[3]! } : undefined;
}

/** IAM rejects a PolicyArn that is no policy ARN with InvalidInput "ARN ... is not valid." */
function checkPolicyArn(policyArn: string): PolicyArnParts {
  const parts = parsePolicyArn(policyArn);
  if (!parts) throw invalidInput(`ARN ${policyArn} is not valid.`);
  return parts;
}

const notFound = (policyArn: string): AwsError => noSuchEntity(`Policy ${policyArn} was not found.`);
const notAttachable = (policyArn: string): AwsError => noSuchEntity(`Policy ${policyArn} does not exist or is not attachable.`);
const versionNotFound = (policyArn: string, versionId: string): AwsError => noSuchEntity(`Policy ${policyArn} version ${versionId} does not exist or is not attachable.`);
/** AWS managed policies (and other accounts' policies) cannot be changed from an account. */
const outsideAccount = (): AwsError => new AwsError('AccessDenied', 'Policy is outside your own account.', { status: 403 });

/** A stable PolicyId for an AWS managed policy (the catalog does not carry AWS's ids). */
const awsIds = new Map<string, string>();
function awsPolicyId(policyArn: string): string {
  const cached = awsIds.get(policyArn);
  if (cached) return cached;
  const digest = createHash('sha256').update(policyArn).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! & 31];
  awsIds.set(policyArn, id);
  return id;
}

/** AWS managed policy documents as IAM returns them: pretty-printed with four spaces. */
const awsDocument = (doc: object): string => JSON.stringify(doc, null, 4);

interface AwsUsageRecord {
  readonly PolicyArn: string;
  readonly AttachmentCount: number;
}

/** A customer managed policy of the caller's account, if the ARN names one. */
async function customerPolicy(tx: Tx, account: string, policyArn: string): Promise<ManagedPolicyRecord | undefined> {
  const parts = parsePolicyArn(policyArn);
  if (!parts || parts.owner !== account) return undefined;
  return tx.get<ManagedPolicyRecord>(account, KIND.policy, policyArn);
}

/** How many users and roles of the account use each policy as their permissions boundary. */
async function boundaryUsage(tx: Tx, account: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (b: { PermissionsBoundaryArn: string } | undefined): void => {
    if (b) counts.set(b.PermissionsBoundaryArn, (counts.get(b.PermissionsBoundaryArn) ?? 0) + 1);
  };
  for (const u of await tx.list<UserRecord>(account, KIND.user)) add(u.PermissionsBoundary);
  for (const r of await tx.list<RoleRecord>(account, KIND.role)) add(r.PermissionsBoundary);
  return counts;
}

async function awsAttachmentCount(tx: Tx, account: string, policyArn: string): Promise<number> {
  return (await tx.get<AwsUsageRecord>(account, KIND.awsPolicyUsage, policyArn))?.AttachmentCount ?? 0;
}

/**
 * Count an attachment made or removed (`delta` +1 / -1) on the policy: on its record for
 * a customer managed policy, on the account's usage record for an AWS managed one.
 * Exported for the operations that attach policies themselves (service-linked roles).
 */
export async function countAttachment(tx: Tx, account: string, policyArn: string, delta: number): Promise<void> {
  if (parsePolicyArn(policyArn)?.owner === 'aws') {
    const current = await awsAttachmentCount(tx, account, policyArn);
    const next = Math.max(0, current + delta);
    if (next === 0) await tx.delete(account, KIND.awsPolicyUsage, policyArn);
    else if (current === 0) await tx.insert<AwsUsageRecord>(account, KIND.awsPolicyUsage, policyArn, { PolicyArn: policyArn, AttachmentCount: next });
    else await tx.update<AwsUsageRecord>(account, KIND.awsPolicyUsage, policyArn, { PolicyArn: policyArn, AttachmentCount: next });
    return;
  }
  const p = await customerPolicy(tx, account, policyArn);
  if (p) await tx.update<ManagedPolicyRecord>(account, KIND.policy, policyArn, { ...p, AttachmentCount: Math.max(0, p.AttachmentCount + delta) });
}

// ---------------------------------------------------------------------------------------
// Output shapes

function customerPolicyOutput(p: ManagedPolicyRecord, boundaryCount: number, mode: 'get' | 'create' | 'list'): Policy {
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: p.DefaultVersionId,
    AttachmentCount: p.AttachmentCount,
    PermissionsBoundaryUsageCount: boundaryCount,
    IsAttachable: p.IsAttachable,
    // "Description ... is included in the response to the GetPolicy operation. It is not
    // included in the response to the ListPolicies operation" (IAM API reference). The
    // reference says nothing of CreatePolicy; choice: it answers without one too.
    ...(mode === 'get' && p.Description ? { Description: p.Description } : {}),
    CreateDate: toDate(p.CreateDate)!,
    UpdateDate: toDate(p.UpdateDate)!,
    ...(mode !== 'list' && p.Tags.length ? { Tags: [...p.Tags] } : {}),
  };
}

function awsPolicyOutput(p: ManagedPolicyData, attachmentCount: number, boundaryCount: number): Policy {
  return {
    PolicyName: p.name,
    PolicyId: awsPolicyId(p.arn),
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: attachmentCount,
    PermissionsBoundaryUsageCount: boundaryCount,
    IsAttachable: true,
    CreateDate: new Date(p.createDate),
    UpdateDate: new Date(p.updateDate),
  };
}

/** The AWS managed policies sorted by name, with their paths, built once. */
let awsSorted: ManagedPolicyData[] | undefined;
function awsPoliciesSorted(): ManagedPolicyData[] {
  awsSorted ??= [...allManagedPolicies()].sort(byName((p) => p.name));
  return awsSorted;
}

const versionOutput = (v: PolicyVersionRecord, withDocument: boolean): PolicyVersion => ({
  ...(withDocument ? { Document: encodeDocument(v.Document) } : {}),
  VersionId: v.VersionId,
  IsDefaultVersion: v.IsDefaultVersion,
  CreateDate: toDate(v.CreateDate)!,
});

// ---------------------------------------------------------------------------------------
// Documents

/** A managed policy document: valid `identity` grammar (Version 2012-10-17) within 6,144 characters. */
function checkManagedDocument(doc: string): void {
  const parsed = parsePolicy(doc, 'identity', { managed: true });
  if (!parsed.document) throw new AwsError('MalformedPolicyDocument', parsed.errors[0]!.message, { status: 400 });
  const over = checkPolicySize(doc, POLICY_SIZE_LIMITS.managed);
  if (over) throw limitExceeded(`Cannot exceed quota for PolicySize: ${over.limit.max}`);
}

const versionId = (n: number): string => `v${n}`;
const versionKey = (policyArn: string, id: string): string => `${policyArn}#${id}`;

async function versionsOf(tx: Tx, account: string, policyArn: string): Promise<PolicyVersionRecord[]> {
  return tx.list<PolicyVersionRecord>(account, KIND.policyVersion, { parent: policyArn });
}

/** Versions newest first, as ListPolicyVersions lists them. */
const newestFirst = (a: { VersionId: string }, b: { VersionId: string }): number => Number(b.VersionId.slice(1).split('.')[0]) - Number(a.VersionId.slice(1).split('.')[0]);

// ---------------------------------------------------------------------------------------
// Attachments: one implementation for users, groups and roles

type EntityKind = 'user' | 'group' | 'role';

interface Entity {
  readonly id: string;
  readonly arn: string;
  readonly record: UserRecord | GroupRecord | RoleRecord;
  readonly attached: readonly AttachedPolicy[];
}

const ENTITY = {
  user: { kind: KIND.user, quota: 'PoliciesPerUser', label: 'user', action: 'User' },
  group: { kind: KIND.group, quota: 'PoliciesPerGroup', label: 'group', action: 'Group' },
  role: { kind: KIND.role, quota: 'PoliciesPerRole', label: 'role', action: 'Role' },
} as const;

function entityOf(kind: EntityKind, rec: UserRecord | GroupRecord | RoleRecord): Entity {
  switch (kind) {
    case 'user': {
      const u = rec as UserRecord;
      return { id: u.UserId, arn: u.Arn, record: u, attached: u.AttachedPolicies };
    }
    case 'group': {
      const g = rec as GroupRecord;
      return { id: g.GroupId, arn: g.Arn, record: g, attached: g.AttachedPolicies };
    }
    case 'role': {
      const r = rec as RoleRecord;
      return { id: r.RoleId, arn: r.Arn, record: r, attached: r.AttachedPolicies };
    }
  }
}

/** The condition keys of an action on a user, group or role (its tags, its boundary). */
function entityContext(kind: EntityKind, rec: UserRecord | GroupRecord | RoleRecord | undefined, withBoundary: boolean): Record<string, string> {
  if (!rec) return {};
  if (kind === 'role') return roleContext(rec as RoleRecord, withBoundary);
  if (kind === 'user') {
    const u = rec as UserRecord;
    return {
      ...resourceTagContext(u.Tags, true),
      ...(withBoundary && u.PermissionsBoundary ? { 'iam:PermissionsBoundary': u.PermissionsBoundary.PermissionsBoundaryArn } : {}),
    };
  }
  return {}; // groups have no tags and no boundary
}

/** Look the entity up, authorize the action on its ARN (with its path), then insist it exists. */
async function authorizedEntity(ctx: ServiceContext, kind: EntityKind, name: string, action: string, extra: Record<string, string> = {}, withBoundary = true): Promise<Entity> {
  const account = ctx.caller.account;
  const spec = ENTITY[kind];
  const rec = await ctx.tx.getByName<UserRecord | GroupRecord | RoleRecord>(account, spec.kind, name);
  const entity = rec ? entityOf(kind, rec) : undefined;
  await ctx.authorize(action, entity?.arn ?? arn(account, spec.label, '/', name), { context: { ...entityContext(kind, rec, withBoundary), ...extra } });
  if (!entity) throw noSuchEntity(`The ${spec.label} with name ${name} cannot be found.`);
  return entity;
}

async function saveAttached(ctx: ServiceContext, kind: EntityKind, entity: Entity, attached: AttachedPolicy[]): Promise<void> {
  await ctx.tx.update(ctx.caller.account, ENTITY[kind].kind, entity.id, { ...entity.record, AttachedPolicies: attached });
  ctx.recordResource(kind === 'user' ? 'AWS::IAM::User' : kind === 'group' ? 'AWS::IAM::Group' : 'AWS::IAM::Role', entity.arn);
}

async function attachPolicy(ctx: ServiceContext, kind: EntityKind, name: string, policyArn: string): Promise<void> {
  const account = ctx.caller.account;
  const entity = await authorizedEntity(ctx, kind, name, `iam:Attach${ENTITY[kind].action}Policy`, { 'iam:PolicyARN': policyArn });
  if (kind === 'role') assertModifiable(entity.record as RoleRecord, ctx);
  const parts = checkPolicyArn(policyArn);
  let policyName: string;
  if (parts.owner === 'aws') {
    const p = managedPolicyByArn(policyArn);
    if (!p) throw notAttachable(policyArn);
    policyName = p.name;
  } else {
    const p = await customerPolicy(ctx.tx, account, policyArn);
    if (!p || !p.IsAttachable) throw notAttachable(policyArn);
    policyName = p.PolicyName;
  }
  // AWS service-role policies belong to their service-linked roles only.
  if (parts.path.startsWith(SERVICE_ROLE_PATH)) {
    throw new AwsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.', { status: 400 });
  }
  // Attaching a policy that is already attached succeeds and changes nothing.
  if (entity.attached.some((a) => a.PolicyArn === policyArn)) return;
  if (entity.attached.length >= ATTACHED_QUOTA) throw limitExceeded(`Cannot exceed quota for ${ENTITY[kind].quota}: ${ATTACHED_QUOTA}`);
  await saveAttached(ctx, kind, entity, [...entity.attached, { PolicyName: policyName, PolicyArn: policyArn }]);
  await countAttachment(ctx.tx, account, policyArn, +1);
  ctx.recordResource('AWS::IAM::Policy', policyArn);
}

async function detachPolicy(ctx: ServiceContext, kind: EntityKind, name: string, policyArn: string): Promise<void> {
  const entity = await authorizedEntity(ctx, kind, name, `iam:Detach${ENTITY[kind].action}Policy`, { 'iam:PolicyARN': policyArn });
  if (kind === 'role') assertModifiable(entity.record as RoleRecord, ctx);
  checkPolicyArn(policyArn);
  if (!entity.attached.some((a) => a.PolicyArn === policyArn)) throw notFound(policyArn);
  await saveAttached(
    ctx,
    kind,
    entity,
    entity.attached.filter((a) => a.PolicyArn !== policyArn),
  );
  await countAttachment(ctx.tx, ctx.caller.account, policyArn, -1);
  ctx.recordResource('AWS::IAM::Policy', policyArn);
}

async function listAttached(
  ctx: ServiceContext,
  kind: EntityKind,
  input: { PathPrefix?: string | undefined; Marker?: string | undefined; MaxItems?: number | undefined },
  name: string,
): Promise<{ AttachedPolicies: SdkAttachedPolicy[]; IsTruncated: boolean; Marker?: string }> {
  const entity = await authorizedEntity(ctx, kind, name, `iam:ListAttached${ENTITY[kind].action}Policies`, {}, false);
  const prefix = input.PathPrefix ?? '/';
  const items = entity.attached.filter((a) => (parsePolicyArn(a.PolicyArn)?.path ?? '/').startsWith(prefix));
  const p = page(items, input.Marker, input.MaxItems);
  return { AttachedPolicies: p.items.map((a) => ({ PolicyName: a.PolicyName, PolicyArn: a.PolicyArn })), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
}

// ---------------------------------------------------------------------------------------
// Handlers

/** Authorize an action on a policy ARN with the policy's tags, then resolve it. */
async function authorizedPolicy(ctx: ServiceContext, action: string, policyArn: string, extra: Record<string, string | string[]> = {}): Promise<ManagedPolicyRecord | ManagedPolicyData | undefined> {
  const account = ctx.caller.account;
  const parts = parsePolicyArn(policyArn);
  const customer = parts && parts.owner !== 'aws' ? await customerPolicy(ctx.tx, account, policyArn) : undefined;
  await ctx.authorize(action, policyArn, { context: { ...resourceTagContext(customer?.Tags), ...extra } });
  if (!parts) throw invalidInput(`ARN ${policyArn} is not valid.`);
  return parts.owner === 'aws' ? managedPolicyByArn(policyArn) : customer;
}

const isCustomer = (p: ManagedPolicyRecord | ManagedPolicyData | undefined): p is ManagedPolicyRecord => !!p && 'PolicyId' in p;

/** A mutation of a customer managed policy: AWS managed ones are outside the account. */
async function ownPolicy(ctx: ServiceContext, action: string, policyArn: string, extra: Record<string, string | string[]> = {}): Promise<ManagedPolicyRecord> {
  const p = await authorizedPolicy(ctx, action, policyArn, extra);
  if (p && !isCustomer(p)) throw outsideAccount();
  if (!p) {
    const owner = parsePolicyArn(policyArn)?.owner;
    if (owner && owner !== ctx.caller.account && owner !== 'aws') throw outsideAccount();
    throw notFound(policyArn);
  }
  return p;
}

export const policiesHandlers: Record<string, Handler> = {
  async CreatePolicy(input: CreatePolicyCommandInput, ctx: ServiceContext): Promise<Out<CreatePolicyCommandOutput>> {
    const account = ctx.caller.account;
    const path = checkPath(input.Path);
    const policyArn = arn(account, 'policy', path, input.PolicyName!);
    await ctx.authorize('iam:CreatePolicy', policyArn, { context: tagContext(input.Tags) });
    checkManagedDocument(input.PolicyDocument!);
    checkTags(input.Tags);
    const duplicate = (): AwsError => entityAlreadyExists(`A policy called ${input.PolicyName!} already exists. Duplicate names are not allowed.`);
    if (await ctx.tx.getByName(account, KIND.policy, input.PolicyName!)) throw duplicate();
    if ((await ctx.tx.count(account, KIND.policy)) >= POLICY_QUOTA) throw limitExceeded(`Cannot exceed quota for PoliciesPerAccount: ${POLICY_QUOTA}`);
    const now = ctx.now.toISOString();
    const record: ManagedPolicyRecord = {
      PolicyName: input.PolicyName!,
      PolicyId: awsId('ANPA', 17),
      Arn: policyArn,
      Path: path,
      DefaultVersionId: versionId(1),
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      ...(input.Description ? { Description: input.Description } : {}),
      CreateDate: now,
      UpdateDate: now,
      Tags: storedTags(input.Tags),
      NextVersion: 2,
    };
    await insertNamed(ctx.tx, account, KIND.policy, policyArn, record, record.PolicyName, () => duplicate());
    await ctx.tx.insert<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(policyArn, 'v1'), { Document: input.PolicyDocument!, VersionId: 'v1', IsDefaultVersion: true, CreateDate: now }, { parent: policyArn });
    ctx.recordResource('AWS::IAM::Policy', policyArn);
    return { Policy: customerPolicyOutput(record, 0, 'create') };
  },

  async GetPolicy(input: GetPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetPolicyCommandOutput>> {
    const account = ctx.caller.account;
    const p = await authorizedPolicy(ctx, 'iam:GetPolicy', input.PolicyArn!);
    if (!p) throw notFound(input.PolicyArn!);
    const boundaries = (await boundaryUsage(ctx.tx, account)).get(input.PolicyArn!) ?? 0;
    if (isCustomer(p)) return { Policy: customerPolicyOutput(p, boundaries, 'get') };
    return { Policy: awsPolicyOutput(p, await awsAttachmentCount(ctx.tx, account, p.arn), boundaries) };
  },

  async ListPolicies(input: ListPoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListPoliciesCommandOutput>> {
    const account = ctx.caller.account;
    const prefix = input.PathPrefix ?? '/';
    // AWS's resource for ListPolicies is the path: "...iam:ListPolicies on resource: policy path /".
    await ctx.authorize('iam:ListPolicies', `policy path ${prefix}`);
    const scope = input.Scope ?? 'All';
    const boundaries = await boundaryUsage(ctx.tx, account);
    const usageFilter = input.PolicyUsageFilter;
    const keep = (attachments: number, arnOf: string): boolean => {
      const asBoundary = boundaries.get(arnOf) ?? 0;
      if (usageFilter === 'PermissionsBoundary') return asBoundary > 0;
      if (input.OnlyAttached) return attachments > 0;
      return true;
    };
    // Filter on the raw entries and build output shapes for the requested page only: the
    // AWS scope holds ~1,600 policies.
    type Entry = { readonly aws: ManagedPolicyData; readonly local?: undefined; readonly attachments: number } | { readonly aws?: undefined; readonly local: ManagedPolicyRecord; readonly attachments: number };
    const entries: Entry[] = [];
    if (scope !== 'Local') {
      const usage = new Map((await ctx.tx.list<AwsUsageRecord>(account, KIND.awsPolicyUsage)).map((u) => [u.PolicyArn, u.AttachmentCount]));
      for (const p of awsPoliciesSorted()) {
        if (!p.path.startsWith(prefix)) continue;
        const n = usage.get(p.arn) ?? 0;
        if (keep(n, p.arn)) entries.push({ aws: p, attachments: n });
      }
    }
    if (scope !== 'AWS') {
      const local = (await ctx.tx.list<ManagedPolicyRecord>(account, KIND.policy)).filter((p) => p.Path.startsWith(prefix)).sort(byName((p) => p.PolicyName));
      for (const p of local) if (keep(p.AttachmentCount, p.Arn)) entries.push({ local: p, attachments: p.AttachmentCount });
    }
    const pg = page(entries, input.Marker, input.MaxItems);
    const policies = pg.items.map((e) => (e.aws ? awsPolicyOutput(e.aws, e.attachments, boundaries.get(e.aws.arn) ?? 0) : customerPolicyOutput(e.local, boundaries.get(e.local.Arn) ?? 0, 'list')));
    return { Policies: policies, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
  },

  async DeletePolicy(input: DeletePolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const p = await ownPolicy(ctx, 'iam:DeletePolicy', input.PolicyArn!);
    if (p.AttachmentCount > 0 || ((await boundaryUsage(ctx.tx, account)).get(p.Arn) ?? 0) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
    const versions = await versionsOf(ctx.tx, account, p.Arn);
    if (versions.length > 1) throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    await ctx.tx.deleteChildren(account, KIND.policyVersion, p.Arn);
    await ctx.tx.delete(account, KIND.policy, p.Arn);
    ctx.recordResource('AWS::IAM::Policy', p.Arn);
  },

  async CreatePolicyVersion(input: CreatePolicyVersionCommandInput, ctx: ServiceContext): Promise<Out<CreatePolicyVersionCommandOutput>> {
    const account = ctx.caller.account;
    const p = await ownPolicy(ctx, 'iam:CreatePolicyVersion', input.PolicyArn!);
    checkManagedDocument(input.PolicyDocument!);
    const versions = await versionsOf(ctx.tx, account, p.Arn);
    if (versions.length >= VERSION_QUOTA) throw limitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    const now = ctx.now.toISOString();
    const id = versionId(p.NextVersion);
    const setDefault = input.SetAsDefault === true;
    const version: PolicyVersionRecord = { Document: input.PolicyDocument!, VersionId: id, IsDefaultVersion: setDefault, CreateDate: now };
    if (setDefault) {
      const old = versions.find((v) => v.IsDefaultVersion);
      if (old) await ctx.tx.update<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, old.VersionId), { ...old, IsDefaultVersion: false });
    }
    await ctx.tx.insert<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, id), version, { parent: p.Arn });
    // UpdateDate: "when the most recent policy version was created" (IAM API reference).
    await ctx.tx.update<ManagedPolicyRecord>(account, KIND.policy, p.Arn, { ...p, NextVersion: p.NextVersion + 1, UpdateDate: now, ...(setDefault ? { DefaultVersionId: id } : {}) });
    ctx.recordResource('AWS::IAM::Policy', p.Arn);
    return { PolicyVersion: versionOutput(version, false) };
  },

  async GetPolicyVersion(input: GetPolicyVersionCommandInput, ctx: ServiceContext): Promise<Out<GetPolicyVersionCommandOutput>> {
    const p = await authorizedPolicy(ctx, 'iam:GetPolicyVersion', input.PolicyArn!);
    if (!p) throw versionNotFound(input.PolicyArn!, input.VersionId!);
    if (isCustomer(p)) {
      const v = await ctx.tx.get<PolicyVersionRecord>(ctx.caller.account, KIND.policyVersion, versionKey(p.Arn, input.VersionId!));
      if (!v) throw versionNotFound(p.Arn, input.VersionId!);
      return { PolicyVersion: versionOutput(v, true) };
    }
    const v = p.versions.find((x) => x.versionId === input.VersionId);
    if (!v) throw versionNotFound(p.arn, input.VersionId!);
    return {
      PolicyVersion: { Document: encodeDocument(awsDocument(v.document)), VersionId: v.versionId, IsDefaultVersion: v.versionId === p.defaultVersionId, CreateDate: new Date(v.createDate) },
    };
  },

  async ListPolicyVersions(input: ListPolicyVersionsCommandInput, ctx: ServiceContext): Promise<Out<ListPolicyVersionsCommandOutput>> {
    const p = await authorizedPolicy(ctx, 'iam:ListPolicyVersions', input.PolicyArn!);
    if (!p) throw notFound(input.PolicyArn!);
    const versions: PolicyVersion[] = isCustomer(p)
      ? (await versionsOf(ctx.tx, ctx.caller.account, p.Arn)).sort(newestFirst).map((v) => versionOutput(v, false))
      : p.versions
          .map((v) => ({ VersionId: v.versionId, IsDefaultVersion: v.versionId === p.defaultVersionId, CreateDate: new Date(v.createDate) }))
          .sort(newestFirst);
    const pg = page(versions, input.Marker, input.MaxItems);
    return { Versions: pg.items, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
  },

  async DeletePolicyVersion(input: DeletePolicyVersionCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const p = await ownPolicy(ctx, 'iam:DeletePolicyVersion', input.PolicyArn!);
    const v = await ctx.tx.get<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, input.VersionId!));
    if (!v) throw versionNotFound(p.Arn, input.VersionId!);
    if (v.IsDefaultVersion) throw deleteConflict('Cannot delete the default version of a policy.');
    await ctx.tx.delete(account, KIND.policyVersion, versionKey(p.Arn, v.VersionId));
    ctx.recordResource('AWS::IAM::Policy', p.Arn);
  },

  async SetDefaultPolicyVersion(input: SetDefaultPolicyVersionCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const p = await ownPolicy(ctx, 'iam:SetDefaultPolicyVersion', input.PolicyArn!);
    const v = await ctx.tx.get<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, input.VersionId!));
    if (!v) throw versionNotFound(p.Arn, input.VersionId!);
    if (!v.IsDefaultVersion) {
      const old = await ctx.tx.get<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, p.DefaultVersionId));
      if (old) await ctx.tx.update<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, old.VersionId), { ...old, IsDefaultVersion: false });
      await ctx.tx.update<PolicyVersionRecord>(account, KIND.policyVersion, versionKey(p.Arn, v.VersionId), { ...v, IsDefaultVersion: true });
      await ctx.tx.update<ManagedPolicyRecord>(account, KIND.policy, p.Arn, { ...p, DefaultVersionId: v.VersionId });
    }
    ctx.recordResource('AWS::IAM::Policy', p.Arn);
  },

  async ListEntitiesForPolicy(input: ListEntitiesForPolicyCommandInput, ctx: ServiceContext): Promise<Out<ListEntitiesForPolicyCommandOutput>> {
    const account = ctx.caller.account;
    const p = await authorizedPolicy(ctx, 'iam:ListEntitiesForPolicy', input.PolicyArn!);
    if (!p) throw notFound(input.PolicyArn!);
    const policyArn = input.PolicyArn!;
    const prefix = input.PathPrefix ?? '/';
    const filter = input.EntityFilter;
    const asPolicy = input.PolicyUsageFilter !== 'PermissionsBoundary';
    const asBoundary = input.PolicyUsageFilter !== 'PermissionsPolicy';
    const uses = (attached: readonly AttachedPolicy[], boundary: { PermissionsBoundaryArn: string } | undefined): boolean =>
      (asPolicy && attached.some((a) => a.PolicyArn === policyArn)) || (asBoundary && boundary?.PermissionsBoundaryArn === policyArn);
    type Row = { readonly group?: PolicyGroup; readonly user?: PolicyUser; readonly role?: PolicyRole };
    const rows: Row[] = [];
    if (!filter || filter === 'Group') {
      for (const g of (await ctx.tx.list<GroupRecord>(account, KIND.group)).sort(byName((g) => g.GroupName))) {
        if (g.Path.startsWith(prefix) && uses(g.AttachedPolicies, undefined)) rows.push({ group: { GroupName: g.GroupName, GroupId: g.GroupId } });
      }
    }
    if (!filter || filter === 'User') {
      for (const u of (await ctx.tx.list<UserRecord>(account, KIND.user)).sort(byName((u) => u.UserName))) {
        if (u.Path.startsWith(prefix) && uses(u.AttachedPolicies, u.PermissionsBoundary)) rows.push({ user: { UserName: u.UserName, UserId: u.UserId } });
      }
    }
    if (!filter || filter === 'Role') {
      for (const r of (await ctx.tx.list<RoleRecord>(account, KIND.role)).sort(byName((r) => r.RoleName))) {
        if (r.Path.startsWith(prefix) && uses(r.AttachedPolicies, r.PermissionsBoundary)) rows.push({ role: { RoleName: r.RoleName, RoleId: r.RoleId } });
      }
    }
    const pg = page(rows, input.Marker, input.MaxItems);
    return {
      PolicyGroups: pg.items.flatMap((r) => (r.group ? [r.group] : [])),
      PolicyUsers: pg.items.flatMap((r) => (r.user ? [r.user] : [])),
      PolicyRoles: pg.items.flatMap((r) => (r.role ? [r.role] : [])),
      IsTruncated: pg.IsTruncated,
      ...(pg.Marker ? { Marker: pg.Marker } : {}),
    };
  },

  async TagPolicy(input: TagPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const p = await ownPolicy(ctx, 'iam:TagPolicy', input.PolicyArn!, tagContext(input.Tags));
    await ctx.tx.update<ManagedPolicyRecord>(ctx.caller.account, KIND.policy, p.Arn, { ...p, Tags: mergeTags(p.Tags, input.Tags) });
    ctx.recordResource('AWS::IAM::Policy', p.Arn);
  },

  async UntagPolicy(input: UntagPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const p = await ownPolicy(ctx, 'iam:UntagPolicy', input.PolicyArn!, { 'aws:TagKeys': input.TagKeys ?? [] });
    await ctx.tx.update<ManagedPolicyRecord>(ctx.caller.account, KIND.policy, p.Arn, { ...p, Tags: removeTags(p.Tags, input.TagKeys) });
    ctx.recordResource('AWS::IAM::Policy', p.Arn);
  },

  async ListPolicyTags(input: ListPolicyTagsCommandInput, ctx: ServiceContext): Promise<Out<ListPolicyTagsCommandOutput>> {
    const p = await authorizedPolicy(ctx, 'iam:ListPolicyTags', input.PolicyArn!);
    if (!p) throw notFound(input.PolicyArn!);
    const tags: Tag[] = isCustomer(p) ? [...p.Tags] : [];
    const pg = page(tags, input.Marker, input.MaxItems);
    return { Tags: pg.items, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
  },

  AttachUserPolicy: (input: AttachUserPolicyCommandInput, ctx: ServiceContext): Promise<void> => attachPolicy(ctx, 'user', input.UserName!, input.PolicyArn!),
  DetachUserPolicy: (input: DetachUserPolicyCommandInput, ctx: ServiceContext): Promise<void> => detachPolicy(ctx, 'user', input.UserName!, input.PolicyArn!),
  ListAttachedUserPolicies: (input: ListAttachedUserPoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListAttachedUserPoliciesCommandOutput>> => listAttached(ctx, 'user', input, input.UserName!),

  AttachGroupPolicy: (input: AttachGroupPolicyCommandInput, ctx: ServiceContext): Promise<void> => attachPolicy(ctx, 'group', input.GroupName!, input.PolicyArn!),
  DetachGroupPolicy: (input: DetachGroupPolicyCommandInput, ctx: ServiceContext): Promise<void> => detachPolicy(ctx, 'group', input.GroupName!, input.PolicyArn!),
  ListAttachedGroupPolicies: (input: ListAttachedGroupPoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListAttachedGroupPoliciesCommandOutput>> => listAttached(ctx, 'group', input, input.GroupName!),

  AttachRolePolicy: (input: AttachRolePolicyCommandInput, ctx: ServiceContext): Promise<void> => attachPolicy(ctx, 'role', input.RoleName!, input.PolicyArn!),
  DetachRolePolicy: (input: DetachRolePolicyCommandInput, ctx: ServiceContext): Promise<void> => detachPolicy(ctx, 'role', input.RoleName!, input.PolicyArn!),
  ListAttachedRolePolicies: (input: ListAttachedRolePoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListAttachedRolePoliciesCommandOutput>> => listAttached(ctx, 'role', input, input.RoleName!),
};
