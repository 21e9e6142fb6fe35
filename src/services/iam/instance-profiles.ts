/**
 * IAM instance profiles: containers for (at most) one role that EC2 instances carry.
 * Records are `KIND.instanceProfile`, keyed by InstanceProfileId, named by
 * InstanceProfileName, with `Roles` holding role ids (DeleteRole checks that field).
 * Every handler authorizes first on the profile's ARN (with its path when it exists).
 */
import type {
  AddRoleToInstanceProfileCommandInput,
  CreateInstanceProfileCommandInput,
  CreateInstanceProfileCommandOutput,
  DeleteInstanceProfileCommandInput,
  GetInstanceProfileCommandInput,
  GetInstanceProfileCommandOutput,
  InstanceProfile,
  ListInstanceProfilesCommandInput,
  ListInstanceProfilesCommandOutput,
  ListInstanceProfilesForRoleCommandInput,
  ListInstanceProfilesForRoleCommandOutput,
  ListInstanceProfileTagsCommandInput,
  ListInstanceProfileTagsCommandOutput,
  RemoveRoleFromInstanceProfileCommandInput,
  TagInstanceProfileCommandInput,
  UntagInstanceProfileCommandInput,
} from '@aws-sdk/client-iam';
import { awsId } from '../../auth/credentials.js';
import type { Tx } from '../../store/index.js';
import type { AwsError } from '../../models/errors.js';
import {
  KIND,
  insertNamed,
  arn,
  assertModifiable,
  checkPath,
  deleteConflict,
  entityAlreadyExists,
  limitExceeded,
  noSuchEntity,
  page,
  toDate,
  type RoleRecord,
  type Tag,
} from './records.js';
import { byName, roleArnFor, roleContext, roleOutput } from './roles.js';
import { checkTags, mergeTags, removeTags, resourceTagContext, storedTags, tagContext } from './tags.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export interface InstanceProfileRecord {
  readonly InstanceProfileName: string;
  readonly InstanceProfileId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  readonly Tags: readonly Tag[];
  /** Role ids; at most one (InstanceSessionsPerInstanceProfile). */
  readonly Roles: readonly string[];
}

const PROFILE_QUOTA = 1000;
const ROLES_PER_PROFILE = 1;

const noSuchProfile = (name: string): AwsError => noSuchEntity(`Instance Profile ${name} cannot be found.`);

/** The profile with its roles as IAM returns them (the roles without tags, boundary or last use). */
async function profileOutput(tx: Tx, account: string, p: InstanceProfileRecord, withTags: boolean): Promise<InstanceProfile> {
  const roles: RoleRecord[] = [];
  for (const id of p.Roles) {
    const r = await tx.get<RoleRecord>(account, KIND.role, id);
    if (r) roles.push(r);
  }
  return {
    Path: p.Path,
    InstanceProfileName: p.InstanceProfileName,
    InstanceProfileId: p.InstanceProfileId,
    Arn: p.Arn,
    CreateDate: toDate(p.CreateDate)!,
    Roles: roles.map((r) => roleOutput(r, false)),
    ...(withTags && p.Tags.length ? { Tags: [...p.Tags] } : {}),
  };
}

/** Look the profile up, authorize `action` on its ARN with its tags, then insist it exists. */
async function authorizedProfile(ctx: ServiceContext, action: string, name: string, context: Record<string, string | string[]> = {}): Promise<InstanceProfileRecord> {
  const account = ctx.caller.account;
  const p = await ctx.tx.getByName<InstanceProfileRecord>(account, KIND.instanceProfile, name);
  await ctx.authorize(action, p?.Arn ?? arn(account, 'instance-profile', '/', name), { context: { ...resourceTagContext(p?.Tags), ...context } });
  if (!p) throw noSuchProfile(name);
  return p;
}

async function saveProfile(ctx: ServiceContext, p: InstanceProfileRecord): Promise<void> {
  await ctx.tx.update<InstanceProfileRecord>(ctx.caller.account, KIND.instanceProfile, p.InstanceProfileId, p);
  ctx.recordResource('AWS::IAM::InstanceProfile', p.Arn);
}

async function existingRole(ctx: ServiceContext, name: string): Promise<RoleRecord> {
  const role = await ctx.tx.getByName<RoleRecord>(ctx.caller.account, KIND.role, name);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export const instanceProfilesHandlers: Record<string, Handler> = {
  async CreateInstanceProfile(input: CreateInstanceProfileCommandInput, ctx: ServiceContext): Promise<Out<CreateInstanceProfileCommandOutput>> {
    const account = ctx.caller.account;
    const path = checkPath(input.Path);
    const profileArn = arn(account, 'instance-profile', path, input.InstanceProfileName!);
    await ctx.authorize('iam:CreateInstanceProfile', profileArn, { context: tagContext(input.Tags) });
    checkTags(input.Tags);
    const duplicate = (): AwsError => entityAlreadyExists(`Instance Profile ${input.InstanceProfileName!} already exists.`);
    if (await ctx.tx.getByName(account, KIND.instanceProfile, input.InstanceProfileName!)) throw duplicate();
    if ((await ctx.tx.count(account, KIND.instanceProfile)) >= PROFILE_QUOTA) throw limitExceeded(`Cannot exceed quota for InstanceProfilesPerAccount: ${PROFILE_QUOTA}`);
    const record: InstanceProfileRecord = {
      InstanceProfileName: input.InstanceProfileName!,
      InstanceProfileId: awsId('AIPA', 17),
      Arn: profileArn,
      Path: path,
      CreateDate: ctx.now.toISOString(),
      Tags: storedTags(input.Tags),
      Roles: [],
    };
    await insertNamed(ctx.tx, account, KIND.instanceProfile, record.InstanceProfileId, record, record.InstanceProfileName, () => duplicate());
    ctx.recordResource('AWS::IAM::InstanceProfile', profileArn);
    return { InstanceProfile: await profileOutput(ctx.tx, account, record, true) };
  },

  async GetInstanceProfile(input: GetInstanceProfileCommandInput, ctx: ServiceContext): Promise<Out<GetInstanceProfileCommandOutput>> {
    const p = await authorizedProfile(ctx, 'iam:GetInstanceProfile', input.InstanceProfileName!);
    return { InstanceProfile: await profileOutput(ctx.tx, ctx.caller.account, p, true) };
  },

  async ListInstanceProfiles(input: ListInstanceProfilesCommandInput, ctx: ServiceContext): Promise<Out<ListInstanceProfilesCommandOutput>> {
    const account = ctx.caller.account;
    const prefix = input.PathPrefix ?? '/';
    // "...iam:ListInstanceProfiles on resource: arn:aws:iam::<acct>:instance-profile/" (the path prefix).
    await ctx.authorize('iam:ListInstanceProfiles', arn(account, 'instance-profile', prefix, ''));
    const all = (await ctx.tx.list<InstanceProfileRecord>(account, KIND.instanceProfile)).filter((p) => p.Path.startsWith(prefix)).sort(byName((p) => p.InstanceProfileName));
    const pg = page(all, input.Marker, input.MaxItems);
    const items: InstanceProfile[] = [];
    // Listing operations leave tags out (IAM API reference).
    for (const p of pg.items) items.push(await profileOutput(ctx.tx, account, p, false));
    return { InstanceProfiles: items, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
  },

  async DeleteInstanceProfile(input: DeleteInstanceProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const p = await authorizedProfile(ctx, 'iam:DeleteInstanceProfile', input.InstanceProfileName!);
    if (p.Roles.length > 0) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
    await ctx.tx.delete(ctx.caller.account, KIND.instanceProfile, p.InstanceProfileId);
    ctx.recordResource('AWS::IAM::InstanceProfile', p.Arn);
  },

  async AddRoleToInstanceProfile(input: AddRoleToInstanceProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const p = await authorizedProfile(ctx, 'iam:AddRoleToInstanceProfile', input.InstanceProfileName!);
    // "The caller of this operation must be granted the PassRole permission on the IAM
    // role by a permissions policy" (IAM API reference).
    const found = await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!);
    await ctx.authorize('iam:PassRole', roleArnFor(account, found, input.RoleName!), { context: roleContext(found, false) });
    const role = await existingRole(ctx, input.RoleName!);
    assertModifiable(role, ctx);
    if (p.Roles.length >= ROLES_PER_PROFILE) throw limitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_PROFILE}`);
    await saveProfile(ctx, { ...p, Roles: [...p.Roles, role.RoleId] });
    ctx.recordResource('AWS::IAM::Role', role.Arn);
  },

  async RemoveRoleFromInstanceProfile(input: RemoveRoleFromInstanceProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const p = await authorizedProfile(ctx, 'iam:RemoveRoleFromInstanceProfile', input.InstanceProfileName!);
    const role = await existingRole(ctx, input.RoleName!);
    assertModifiable(role, ctx);
    if (!p.Roles.includes(role.RoleId)) throw noSuchEntity(`The role with name ${input.RoleName!} cannot be found.`);
    await saveProfile(ctx, { ...p, Roles: p.Roles.filter((id) => id !== role.RoleId) });
    ctx.recordResource('AWS::IAM::Role', role.Arn);
  },

  async ListInstanceProfilesForRole(input: ListInstanceProfilesForRoleCommandInput, ctx: ServiceContext): Promise<Out<ListInstanceProfilesForRoleCommandOutput>> {
    const account = ctx.caller.account;
    const found = await ctx.tx.getByName<RoleRecord>(account, KIND.role, input.RoleName!);
    await ctx.authorize('iam:ListInstanceProfilesForRole', roleArnFor(account, found, input.RoleName!), { context: roleContext(found, false) });
    const role = await existingRole(ctx, input.RoleName!);
    const all = (await ctx.tx.list<InstanceProfileRecord>(account, KIND.instanceProfile)).filter((p) => p.Roles.includes(role.RoleId)).sort(byName((p) => p.InstanceProfileName));
    const pg = page(all, input.Marker, input.MaxItems);
    const items: InstanceProfile[] = [];
    for (const p of pg.items) items.push(await profileOutput(ctx.tx, account, p, false));
    return { InstanceProfiles: items, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
  },

  async TagInstanceProfile(input: TagInstanceProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const p = await authorizedProfile(ctx, 'iam:TagInstanceProfile', input.InstanceProfileName!, tagContext(input.Tags));
    await saveProfile(ctx, { ...p, Tags: mergeTags(p.Tags, input.Tags) });
  },

  async UntagInstanceProfile(input: UntagInstanceProfileCommandInput, ctx: ServiceContext): Promise<void> {
    const p = await authorizedProfile(ctx, 'iam:UntagInstanceProfile', input.InstanceProfileName!, { 'aws:TagKeys': input.TagKeys ?? [] });
    await saveProfile(ctx, { ...p, Tags: removeTags(p.Tags, input.TagKeys) });
  },

  async ListInstanceProfileTags(input: ListInstanceProfileTagsCommandInput, ctx: ServiceContext): Promise<Out<ListInstanceProfileTagsCommandOutput>> {
    const p = await authorizedProfile(ctx, 'iam:ListInstanceProfileTags', input.InstanceProfileName!);
    const pg = page(p.Tags, input.Marker, input.MaxItems);
    return { Tags: pg.items, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
  },
};
