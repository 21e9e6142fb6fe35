/**
 * The rest of a role's life after CreateRole: inline policies, the permissions boundary,
 * the trust policy, description and session duration, and tags. Every handler authorizes
 * first on the role's ARN (with its path when the role exists), with the role's tags and
 * boundary in the context, then checks state.
 *
 * Protected roles (service-linked, or under /aws-reserved/) refuse every mutation listed
 * in iam.md §12.2 with UnmodifiableEntity, except description changes. Tagging is not on
 * that list: TagRole works on "a regular role or a service-linked role" (IAM API reference).
 */
import type {
  DeleteRolePermissionsBoundaryCommandInput,
  DeleteRolePolicyCommandInput,
  GetRolePolicyCommandInput,
  GetRolePolicyCommandOutput,
  ListRolePoliciesCommandInput,
  ListRolePoliciesCommandOutput,
  ListRoleTagsCommandInput,
  ListRoleTagsCommandOutput,
  PutRolePermissionsBoundaryCommandInput,
  PutRolePolicyCommandInput,
  TagRoleCommandInput,
  UntagRoleCommandInput,
  UpdateAssumeRolePolicyCommandInput,
  UpdateRoleCommandInput,
  UpdateRoleDescriptionCommandInput,
  UpdateRoleDescriptionCommandOutput,
} from '@aws-sdk/client-iam';
import { parsePolicy, policySize, POLICY_SIZE_LIMITS } from '../../policy/index.js';
import { AwsError } from '../../models/errors.js';
import { KIND, assertModifiable, encodeDocument, limitExceeded, noSuchEntity, page, type InlinePolicyRecord, type RoleRecord } from './records.js';
import { boundaryFor, checkTrustPolicy, checkTrustPrincipals, roleArnFor, roleContext, roleOutput } from './roles.js';
import { mergeTags, removeTags, tagContext } from './tags.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/**
 * Look the role up, authorize `action` on its ARN with its tags (and its boundary when
 * the action lists `iam:PermissionsBoundary`), then insist it exists.
 */
async function authorizedRole(ctx: ServiceContext, action: string, name: string, options: { boundary?: boolean; context?: Record<string, string | string[]> } = {}): Promise<RoleRecord> {
  const account = ctx.caller.account;
  const role = await ctx.tx.getByName<RoleRecord>(account, KIND.role, name);
  await ctx.authorize(action, roleArnFor(account, role, name), { context: { ...roleContext(role, options.boundary ?? true), ...options.context } });
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

async function saveRole(ctx: ServiceContext, role: RoleRecord): Promise<void> {
  await ctx.tx.update<RoleRecord>(ctx.caller.account, KIND.role, role.RoleId, role);
  ctx.recordResource('AWS::IAM::Role', role.Arn);
}

/** Inline policies of a role: ids are the role id and the policy name (names are per role). */
const inlineKey = (role: RoleRecord, policyName: string): string => `${role.RoleId}/${policyName}`;

const noSuchRolePolicy = (name: string): AwsError => noSuchEntity(`The role policy with name ${name} cannot be found.`);

export const rolePoliciesHandlers: Record<string, Handler> = {
  async PutRolePolicy(input: PutRolePolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const role = await authorizedRole(ctx, 'iam:PutRolePolicy', input.RoleName!);
    assertModifiable(role, ctx);
    const doc = input.PolicyDocument!;
    const parsed = parsePolicy(doc, 'identity');
    if (!parsed.document) throw new AwsError('MalformedPolicyDocument', parsed.errors[0]!.message, { status: 400 });
    // Inline policies share one quota per role: 10,240 characters without white space.
    const limit = POLICY_SIZE_LIMITS.inlineRole;
    const others = (await ctx.tx.list<InlinePolicyRecord>(account, KIND.rolePolicy, { parent: role.RoleId })).filter((p) => p.PolicyName !== input.PolicyName);
    const total = others.reduce((n, p) => n + policySize(p.PolicyDocument, limit.countsWhitespace), policySize(doc, limit.countsWhitespace));
    if (total > limit.max) throw limitExceeded(`Maximum policy size of ${limit.max} bytes exceeded for role ${role.RoleName}`);
    const record: InlinePolicyRecord = { PolicyName: input.PolicyName!, PolicyDocument: doc };
    const key = inlineKey(role, input.PolicyName!);
    if (await ctx.tx.get(account, KIND.rolePolicy, key)) await ctx.tx.update(account, KIND.rolePolicy, key, record);
    else await ctx.tx.insert(account, KIND.rolePolicy, key, record, { parent: role.RoleId });
    ctx.recordResource('AWS::IAM::Role', role.Arn);
  },

  async GetRolePolicy(input: GetRolePolicyCommandInput, ctx: ServiceContext): Promise<Out<GetRolePolicyCommandOutput>> {
    const role = await authorizedRole(ctx, 'iam:GetRolePolicy', input.RoleName!, { boundary: false });
    const p = await ctx.tx.get<InlinePolicyRecord>(ctx.caller.account, KIND.rolePolicy, inlineKey(role, input.PolicyName!));
    if (!p) throw noSuchRolePolicy(input.PolicyName!);
    return { RoleName: role.RoleName, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.PolicyDocument) };
  },

  async DeleteRolePolicy(input: DeleteRolePolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const role = await authorizedRole(ctx, 'iam:DeleteRolePolicy', input.RoleName!);
    assertModifiable(role, ctx);
    if (!(await ctx.tx.delete(ctx.caller.account, KIND.rolePolicy, inlineKey(role, input.PolicyName!)))) throw noSuchRolePolicy(input.PolicyName!);
    ctx.recordResource('AWS::IAM::Role', role.Arn);
  },

  async ListRolePolicies(input: ListRolePoliciesCommandInput, ctx: ServiceContext): Promise<Out<ListRolePoliciesCommandOutput>> {
    const role = await authorizedRole(ctx, 'iam:ListRolePolicies', input.RoleName!, { boundary: false });
    const names = (await ctx.tx.list<InlinePolicyRecord>(ctx.caller.account, KIND.rolePolicy, { parent: role.RoleId })).map((p) => p.PolicyName).sort();
    const p = page(names, input.Marker, input.MaxItems);
    return { PolicyNames: p.items, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async PutRolePermissionsBoundary(input: PutRolePermissionsBoundaryCommandInput, ctx: ServiceContext): Promise<void> {
    // iam:PermissionsBoundary is the boundary being set.
    const role = await authorizedRole(ctx, 'iam:PutRolePermissionsBoundary', input.RoleName!, { boundary: false, context: { 'iam:PermissionsBoundary': input.PermissionsBoundary! } });
    assertModifiable(role, ctx);
    const boundary = await boundaryFor(ctx, input.PermissionsBoundary!);
    await saveRole(ctx, { ...role, PermissionsBoundary: boundary });
  },

  async DeleteRolePermissionsBoundary(input: DeleteRolePermissionsBoundaryCommandInput, ctx: ServiceContext): Promise<void> {
    const role = await authorizedRole(ctx, 'iam:DeleteRolePermissionsBoundary', input.RoleName!);
    assertModifiable(role, ctx);
    const { PermissionsBoundary: _removed, ...rest } = role;
    await saveRole(ctx, rest);
  },

  async UpdateRole(input: UpdateRoleCommandInput, ctx: ServiceContext): Promise<object> {
    const role = await authorizedRole(ctx, 'iam:UpdateRole', input.RoleName!);
    // A description-only update is the one change a protected role accepts (iam.md §12.2).
    if (input.MaxSessionDuration !== undefined) assertModifiable(role, ctx);
    await saveRole(ctx, {
      ...role,
      ...(input.MaxSessionDuration !== undefined ? { MaxSessionDuration: input.MaxSessionDuration } : {}),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
    });
    return {};
  },

  async UpdateRoleDescription(input: UpdateRoleDescriptionCommandInput, ctx: ServiceContext): Promise<Out<UpdateRoleDescriptionCommandOutput>> {
    const role = await authorizedRole(ctx, 'iam:UpdateRoleDescription', input.RoleName!);
    const updated: RoleRecord = { ...role, Description: input.Description! };
    await saveRole(ctx, updated);
    return { Role: roleOutput(updated) };
  },

  async UpdateAssumeRolePolicy(input: UpdateAssumeRolePolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const role = await authorizedRole(ctx, 'iam:UpdateAssumeRolePolicy', input.RoleName!);
    assertModifiable(role, ctx);
    checkTrustPolicy(input.PolicyDocument!);
    await checkTrustPrincipals(ctx.tx, input.PolicyDocument!);
    await saveRole(ctx, { ...role, AssumeRolePolicyDocument: input.PolicyDocument! });
  },

  async TagRole(input: TagRoleCommandInput, ctx: ServiceContext): Promise<void> {
    const role = await authorizedRole(ctx, 'iam:TagRole', input.RoleName!, { boundary: false, context: tagContext(input.Tags) });
    await saveRole(ctx, { ...role, Tags: mergeTags(role.Tags, input.Tags) });
  },

  async UntagRole(input: UntagRoleCommandInput, ctx: ServiceContext): Promise<void> {
    const role = await authorizedRole(ctx, 'iam:UntagRole', input.RoleName!, { boundary: false, context: { 'aws:TagKeys': input.TagKeys ?? [] } });
    await saveRole(ctx, { ...role, Tags: removeTags(role.Tags, input.TagKeys) });
  },

  async ListRoleTags(input: ListRoleTagsCommandInput, ctx: ServiceContext): Promise<Out<ListRoleTagsCommandOutput>> {
    const role = await authorizedRole(ctx, 'iam:ListRoleTags', input.RoleName!, { boundary: false });
    const p = page(role.Tags, input.Marker, input.MaxItems);
    return { Tags: p.items, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },
};
