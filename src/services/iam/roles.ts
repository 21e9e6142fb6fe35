/**
 * IAM roles: create, read, list, update, delete, with their trust policies.
 * Every handler authorizes first (`iam:<Action>` on the role's ARN, as the Service
 * Authorization Reference lists it), then validates against state.
 */
import type {
  CreateRoleCommandInput,
  CreateRoleCommandOutput,
  DeleteRoleCommandInput,
  GetRoleCommandInput,
  GetRoleCommandOutput,
  ListRolesCommandInput,
  ListRolesCommandOutput,
  Role,
} from '@aws-sdk/client-iam';
import { parsePolicy, POLICY_SIZE_LIMITS, checkPolicySize } from '../../policy/index.js';
import { awsId } from '../../auth/credentials.js';
import { DuplicateError } from '../../store/index.js';
import { AwsError } from '../../models/errors.js';
import {
  KIND,
  arn,
  checkPath,
  deleteConflict,
  encodeDocument,
  entityAlreadyExists,
  getRole,
  limitExceeded,
  noSuchEntity,
  page,
  toDate,
  assertModifiable,
  type RoleRecord,
} from './records.js';
import { iamChanged } from './policy-source.js';
import { managedDocument } from './managed.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;
/** Tags as inputs carry them (the SDK's types make every member optional). */
type InputTag = { readonly Key?: string; readonly Value?: string };

/** The role as IAM returns it: trust policy URL-encoded, dates as Dates, empty fields left out. */
export function roleOutput(r: RoleRecord, full = true): Role {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: toDate(r.CreateDate)!,
    AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
    ...(r.Description !== undefined ? { Description: r.Description } : {}),
    MaxSessionDuration: r.MaxSessionDuration,
    ...(full && r.PermissionsBoundary ? { PermissionsBoundary: r.PermissionsBoundary } : {}),
    ...(full && r.Tags.length ? { Tags: [...r.Tags] } : {}),
    ...(full ? { RoleLastUsed: r.RoleLastUsed?.LastUsedDate ? { LastUsedDate: toDate(r.RoleLastUsed.LastUsedDate)!, Region: r.RoleLastUsed.Region! } : {} } : {}),
  };
}

/** A trust policy must be a valid `trust` document within its size quota. */
export function checkTrustPolicy(doc: string): void {
  const parsed = parsePolicy(doc, 'trust');
  if (!parsed.document) throw new AwsError('MalformedPolicyDocument', parsed.errors[0]!.message, { status: 400 });
  const over = checkPolicySize(doc, POLICY_SIZE_LIMITS.trust);
  if (over) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${over.limit.max}`);
}

/** Tags: at most 50, unique keys (IAM: "Duplicate tag keys found..."). */
export function checkTags(tags: readonly InputTag[] | undefined): void {
  if (!tags) return;
  if (tags.length > 50) throw limitExceeded('The number of tags has reached the maximum limit.');
  const keys = new Set<string>();
  for (const t of tags) {
    const k = (t.Key ?? '').toLowerCase();
    if (keys.has(k)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', { status: 400 });
    keys.add(k);
  }
}

/** `aws:RequestTag/*` and `aws:TagKeys` for an operation that sets tags. */
export function tagContext(tags: readonly InputTag[] | undefined): Record<string, string | string[]> {
  if (!tags?.length) return {};
  const ctx: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key ?? '') };
  for (const t of tags) ctx[`aws:RequestTag/${t.Key ?? ''}`] = t.Value ?? '';
  return ctx;
}

const ROLE_QUOTA = 1000;

export const roleHandlers: Record<string, Handler> = {
  async CreateRole(input: CreateRoleCommandInput, ctx: ServiceContext): Promise<Out<CreateRoleCommandOutput>> {
    const account = ctx.caller.account;
    const path = checkPath(input.Path);
    const roleArn = arn(account, 'role', path, input.RoleName!);
    await ctx.authorize('iam:CreateRole', roleArn, {
      context: { ...tagContext(input.Tags), ...(input.PermissionsBoundary ? { 'iam:PermissionsBoundary': input.PermissionsBoundary } : {}) },
    });
    if (input.PermissionsBoundary) await ctx.authorize('iam:PutRolePermissionsBoundary', roleArn, { context: { 'iam:PermissionsBoundary': input.PermissionsBoundary } });
    checkTrustPolicy(input.AssumeRolePolicyDocument!);
    checkTags(input.Tags);
    if (input.MaxSessionDuration !== undefined && (input.MaxSessionDuration < 3600 || input.MaxSessionDuration > 43200)) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${input.MaxSessionDuration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value ${input.MaxSessionDuration < 3600 ? 'greater than or equal to 3600' : 'less than or equal to 43200'}`);
    }
    if ((await ctx.tx.count(account, KIND.role)) >= ROLE_QUOTA) throw limitExceeded(`Cannot exceed quota for RolesPerAccount: ${ROLE_QUOTA}`);
    const record: RoleRecord = {
      RoleName: input.RoleName!,
      RoleId: awsId('AROA'),
      Arn: roleArn,
      Path: path,
      CreateDate: ctx.now.toISOString(),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument!,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      MaxSessionDuration: input.MaxSessionDuration ?? 3600,
      ...(input.PermissionsBoundary ? { PermissionsBoundary: await boundaryFor(ctx, input.PermissionsBoundary) } : {}),
      Tags: input.Tags?.map((t) => ({ Key: t.Key!, Value: t.Value! })) ?? [],
      AttachedPolicies: [],
    };
    try {
      await ctx.tx.insert(account, KIND.role, record.RoleId, record, { name: record.RoleName });
    } catch (e) {
      if (e instanceof DuplicateError) throw entityAlreadyExists(`Role with name ${input.RoleName!} already exists.`);
      throw e;
    }
    iamChanged();
    ctx.recordResource('AWS::IAM::Role', roleArn);
    return { Role: roleOutput(record) };
  },

  async GetRole(input: GetRoleCommandInput, ctx: ServiceContext): Promise<Out<GetRoleCommandOutput>> {
    const account = ctx.caller.account;
    const role = await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!);
    // IAM authorizes against the role's ARN (with its path) when the role exists.
    await ctx.authorize('iam:GetRole', role?.Arn ?? arn(account, 'role', '/', input.RoleName!));
    if (!role) throw noSuchEntity(`The role with name ${input.RoleName!} cannot be found.`);
    return { Role: roleOutput(role) };
  },

  async ListRoles(input: ListRolesCommandInput, ctx: ServiceContext): Promise<Out<ListRolesCommandOutput>> {
    const account = ctx.caller.account;
    await ctx.authorize('iam:ListRoles', arn(account, 'role', input.PathPrefix ?? '/', ''));
    const prefix = input.PathPrefix ?? '/';
    const roles = (await ctx.tx.list<RoleRecord>(account, KIND.role)).filter((r) => r.Path.startsWith(prefix)).sort((a, b) => (a.RoleName.toLowerCase() < b.RoleName.toLowerCase() ? -1 : 1));
    const p = page(roles, input.Marker, input.MaxItems);
    // ListRoles leaves out tags, the boundary and RoleLastUsed (IAM API reference).
    return { Roles: p.items.map((r) => roleOutput(r, false)), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async DeleteRole(input: DeleteRoleCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const existing = await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!);
    await ctx.authorize('iam:DeleteRole', existing?.Arn ?? arn(account, 'role', '/', input.RoleName!));
    const role = await getRole(ctx.tx, account, input.RoleName!);
    assertModifiable(role);
    if (role.AttachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    if ((await ctx.tx.count(account, KIND.rolePolicy, { parent: role.RoleId })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
    const profiles = await ctx.tx.list<{ Roles: string[] }>(account, KIND.instanceProfile);
    if (profiles.some((p) => p.Roles.includes(role.RoleId))) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
    await ctx.tx.delete(account, KIND.role, role.RoleId);
    iamChanged();
    ctx.recordResource('AWS::IAM::Role', role.Arn);
  },
};

/** A permissions boundary must name an existing managed policy. */
export async function boundaryFor(ctx: ServiceContext, policyArn: string): Promise<{ PermissionsBoundaryType: 'PermissionsBoundaryPolicy'; PermissionsBoundaryArn: string }> {
  if (!(await managedDocument(ctx.tx, ctx.caller.account, policyArn))) {
    throw new AwsError('NoSuchEntity', `Scope ARN: ${policyArn} does not exist or is not attachable.`, { status: 404 });
  }
  return { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: policyArn };
}
