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
import { awsId, GLOBAL } from '../../auth/credentials.js';
import type { Tx } from '../../store/index.js';
import { AwsError } from '../../models/errors.js';
import {
  KIND,
  insertNamed,
  arn,
  checkPath,
  deleteConflict,
  encodeDocument,
  entityAlreadyExists,
  getRole,
  limitExceeded,
  noSuchEntity,
  pageByName,
  toDate,
  assertModifiable,
  invalidInput,
  type Boundary,
  type RoleRecord,
} from './records.js';
import { iamChanged } from './policy-source.js';
import { checkTags, resourceTagContext, storedTags, tagContext } from './tags.js';
import { managedDocument } from './managed.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

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

/** Accounts Gatehouse serves, as server/accounts.ts records them. */
const ACCOUNT_KIND = 'account';

/**
 * IAM resolves the users and roles a trust policy names when it stores the policy: one
 * that does not exist is `MalformedPolicyDocument` "Invalid principal in policy". Gatehouse
 * checks the principals of the accounts it serves; other accounts' cannot be known.
 */
export async function checkTrustPrincipals(tx: Tx, doc: string): Promise<void> {
  const parsed = parsePolicy(doc, 'trust');
  for (const st of parsed.document?.statements ?? []) {
    for (const p of [...(st.principal?.aws ?? []), ...(st.notPrincipal?.aws ?? [])]) {
      const m = /^arn:aws:iam::(\d{12}):(user|role)(\/.*)?\/([^/]+)$/.exec(p);
      if (!m) continue;
      const [, account, type, , name] = m;
      if (!(await tx.get(GLOBAL, ACCOUNT_KIND, account!))) continue;
      const entity = await tx.getByName<{ Arn: string }>(account!, type === 'user' ? KIND.user : KIND.role, name!);
      if (entity?.Arn !== p) throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${p}"`, { status: 400 });
    }
  }
}

/**
 * The condition keys an action on an existing role carries: the role's tags and, for the
 * actions that list `iam:PermissionsBoundary`, the boundary the role has.
 */
export function roleContext(role: RoleRecord | undefined, boundary = true): Record<string, string> {
  if (!role) return {};
  return {
    ...resourceTagContext(role.Tags, true),
    ...(boundary && role.PermissionsBoundary ? { 'iam:PermissionsBoundary': role.PermissionsBoundary.PermissionsBoundaryArn } : {}),
  };
}

/** An existing role's ARN (with its path) for authorization, else the ARN its name would have. */
export const roleArnFor = (account: string, role: RoleRecord | undefined, name: string): string => role?.Arn ?? arn(account, 'role', '/', name);

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
    await checkTrustPrincipals(ctx.tx, input.AssumeRolePolicyDocument!);
    checkTags(input.Tags);
    if (input.MaxSessionDuration !== undefined && (input.MaxSessionDuration < 3600 || input.MaxSessionDuration > 43200)) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${input.MaxSessionDuration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value ${input.MaxSessionDuration < 3600 ? 'greater than or equal to 3600' : 'less than or equal to 43200'}`);
    }
    const boundary = input.PermissionsBoundary ? await boundaryFor(ctx, input.PermissionsBoundary) : undefined;
    if (await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!)) throw entityAlreadyExists(`Role with name ${input.RoleName!} already exists.`);
    if ((await ctx.tx.count(account, KIND.role)) >= ROLE_QUOTA) throw limitExceeded(`Cannot exceed quota for RolesPerAccount: ${ROLE_QUOTA}`);
    const record: RoleRecord = {
      RoleName: input.RoleName!,
      // IAM's unique ids are 21 characters: the prefix and 17 more.
      RoleId: awsId('AROA', 17),
      Arn: roleArn,
      Path: path,
      CreateDate: ctx.now.toISOString(),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument!,
      ...(input.Description ? { Description: input.Description } : {}),
      MaxSessionDuration: input.MaxSessionDuration ?? 3600,
      ...(boundary ? { PermissionsBoundary: boundary } : {}),
      Tags: storedTags(input.Tags),
      AttachedPolicies: [],
    };
    await insertNamed(ctx.tx, account, KIND.role, record.RoleId, record, record.RoleName, () => entityAlreadyExists(`Role with name ${input.RoleName!} already exists.`));
    iamChanged();
    ctx.recordResource('AWS::IAM::Role', roleArn);
    // CreateRole answers without RoleLastUsed (GetRole has it).
    const { RoleLastUsed: _unused, ...role } = roleOutput(record);
    return { Role: role };
  },

  async GetRole(input: GetRoleCommandInput, ctx: ServiceContext): Promise<Out<GetRoleCommandOutput>> {
    const account = ctx.caller.account;
    const role = await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!);
    // IAM authorizes against the role's ARN (with its path) when the role exists.
    await ctx.authorize('iam:GetRole', roleArnFor(account, role, input.RoleName!), { context: roleContext(role) });
    if (!role) throw noSuchEntity(`The role with name ${input.RoleName!} cannot be found.`);
    return { Role: roleOutput(role) };
  },

  async ListRoles(input: ListRolesCommandInput, ctx: ServiceContext): Promise<Out<ListRolesCommandOutput>> {
    const account = ctx.caller.account;
    const prefix = input.PathPrefix ?? '/';
    // AWS names the path prefix as the resource: "...iam:ListRoles on resource: arn:aws:iam::<acct>:role/".
    await ctx.authorize('iam:ListRoles', arn(account, 'role', prefix, ''));
    const p = await pageByName<RoleRecord>(ctx.tx, account, KIND.role, input, (r) => r.RoleName, (r) => r.Path.startsWith(prefix));
    // ListRoles leaves out tags, the boundary and RoleLastUsed (IAM API reference).
    return { Roles: p.items.map((r) => roleOutput(r, false)), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async DeleteRole(input: DeleteRoleCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const existing = await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!);
    await ctx.authorize('iam:DeleteRole', roleArnFor(account, existing, input.RoleName!), { context: roleContext(existing) });
    const role = await getRole(ctx.tx, account, input.RoleName!);
    assertModifiable(role, ctx);
    if (role.AttachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    if ((await ctx.tx.count(account, KIND.rolePolicy, { parent: role.RoleId })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
    const profiles = await ctx.tx.list<{ Roles: string[] }>(account, KIND.instanceProfile);
    if (profiles.some((p) => p.Roles.includes(role.RoleId))) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
    await ctx.tx.delete(account, KIND.role, role.RoleId);
    iamChanged();
    ctx.recordResource('AWS::IAM::Role', role.Arn);
  },
};

/** Sort by a name, case-insensitively, as IAM lists entities. */
export function byName<T>(name: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = name(a).toLowerCase();
    const y = name(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * A permissions boundary must name an existing managed policy in the caller's account or
 * an AWS managed one; AWS service-role policies cannot be boundaries (PolicyNotAttachable).
 */
export async function boundaryFor(ctx: ServiceContext, policyArn: string): Promise<Boundary> {
  if (!/^arn:aws:iam::(\d{12}|aws):policy\//.test(policyArn)) throw invalidInput(`ARN ${policyArn} is not valid.`);
  if (!(await managedDocument(ctx.tx, ctx.caller.account, policyArn))) {
    throw new AwsError('NoSuchEntity', `Scope ARN: ${policyArn} does not exist or is not attachable.`, { status: 404 });
  }
  if (policyArn.startsWith('arn:aws:iam::aws:policy/aws-service-role/')) {
    throw new AwsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.', { status: 400 });
  }
  return { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: policyArn };
}
