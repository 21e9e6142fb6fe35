/**
 * Permission sets: what an Identity Center user may do in an account, as the role that an
 * account assignment provisions there. A set carries AWS managed policies, customer managed
 * policy references (by name and path, resolved in each account), an inline policy and a
 * permissions boundary, and a session duration (ISO 8601, PT1H to PT12H).
 */
import { randomBytes } from 'node:crypto';
import type * as S from '@aws-sdk/client-sso-admin';
import { AwsError } from '../../models/errors.js';
import { managedPolicyByArn } from '../../catalog/managed-policies.js';
import { parsePolicy } from '../../policy/index.js';
import type { Handler, ServiceContext } from '../types.js';
import { instancesOf, type InstanceRecord } from './instances.js';
import { deprovision, durationMinutes, provisionedRecords } from './provisioning.js';
import { assignmentsOf } from './assignment-records.js';

type Out<T> = Omit<T, '$metadata'>;

export const PERMISSION_SET_KIND = 'sso:permission-set';

/** Quotas (IAM Identity Center quotas page): 10 managed policies per permission set. */
const MANAGED_PER_SET = 10;

export interface PermissionSetRecord {
  readonly PermissionSetArn: string;
  readonly InstanceArn: string;
  readonly Name: string;
  readonly Description?: string;
  readonly SessionDuration: string;
  readonly RelayState?: string;
  readonly CreatedDate: string;
  readonly ManagedPolicies: readonly string[];
  readonly CustomerManagedPolicies: readonly { readonly Name: string; readonly Path: string }[];
  readonly InlinePolicy?: string;
  readonly PermissionsBoundary?: { readonly ManagedPolicyArn?: string; readonly CustomerManagedPolicyReference?: { readonly Name: string; readonly Path: string } };
  readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
  /** Counts changes: a provisioned role reflects one revision (ListPermissionSetsProvisionedToAccount's status). */
  readonly Revision?: number;
}

const notFound = (what: string): AwsError => new AwsError('ResourceNotFoundException', what);
const validation = (message: string): AwsError => new AwsError('ValidationException', message);

export async function instanceOf(ctx: ServiceContext, arn: string | undefined): Promise<InstanceRecord> {
  const i = (await instancesOf(ctx)).find((x) => x.InstanceArn === arn);
  if (!i) throw notFound(`Instance ${arn ?? ''} does not exist.`);
  return i;
}

export async function permissionSetOf(ctx: ServiceContext, instance: InstanceRecord, arn: string | undefined): Promise<PermissionSetRecord> {
  const p = await ctx.tx.get<PermissionSetRecord>(ctx.caller.account, PERMISSION_SET_KIND, arn ?? '');
  if (!p || p.InstanceArn !== instance.InstanceArn) throw notFound(`PermissionSet ${arn ?? ''} does not exist.`);
  return p;
}

const output = (p: PermissionSetRecord): S.PermissionSet => ({
  Name: p.Name,
  PermissionSetArn: p.PermissionSetArn,
  ...(p.Description ? { Description: p.Description } : {}),
  CreatedDate: new Date(p.CreatedDate),
  SessionDuration: p.SessionDuration,
  ...(p.RelayState ? { RelayState: p.RelayState } : {}),
});

/** PT1H to PT12H, hours and minutes (the console's choices; the API takes ISO 8601). */
function sessionDuration(text: string | undefined): string {
  const d = text ?? 'PT1H';
  const minutes = durationMinutes(d);
  if (!(minutes >= 60 && minutes <= 720)) throw validation(`SessionDuration ${d} is not valid: it must be an ISO 8601 duration from PT1H to PT12H.`);
  return d;
}

async function save(ctx: ServiceContext, p: PermissionSetRecord): Promise<void> {
  await ctx.tx.update(ctx.caller.account, PERMISSION_SET_KIND, p.PermissionSetArn, { ...p, Revision: (p.Revision ?? 0) + 1 });
}

/** Authorize against the permission set and its instance, then load both. */
async function target(ctx: ServiceContext, action: string, input: { InstanceArn?: string; PermissionSetArn?: string }): Promise<{ instance: InstanceRecord; set: PermissionSetRecord }> {
  await ctx.authorize(action, input.PermissionSetArn ?? '*');
  await ctx.authorize(action, input.InstanceArn ?? '*');
  const instance = await instanceOf(ctx, input.InstanceArn);
  return { instance, set: await permissionSetOf(ctx, instance, input.PermissionSetArn) };
}

export const permissionSetHandlers: Record<string, Handler> = {
  async CreatePermissionSet(input: S.CreatePermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.CreatePermissionSetCommandOutput>> {
    await ctx.authorize('sso:CreatePermissionSet', input.InstanceArn!);
    const instance = await instanceOf(ctx, input.InstanceArn);
    const existing = await ctx.tx.list<PermissionSetRecord>(ctx.caller.account, PERMISSION_SET_KIND, { parent: instance.InstanceArn });
    if (existing.some((p) => p.Name.toLowerCase() === input.Name!.toLowerCase())) throw new AwsError('ConflictException', `PermissionSet with name ${input.Name!} already exists.`);
    const record: PermissionSetRecord = {
      PermissionSetArn: `arn:aws:sso:::permissionSet/${instance.InstanceArn.slice(instance.InstanceArn.lastIndexOf('/') + 1)}/ps-${randomBytes(8).toString('hex')}`,
      InstanceArn: instance.InstanceArn,
      Name: input.Name!,
      ...(input.Description ? { Description: input.Description } : {}),
      SessionDuration: sessionDuration(input.SessionDuration),
      ...(input.RelayState ? { RelayState: input.RelayState } : {}),
      CreatedDate: ctx.now.toISOString(),
      ManagedPolicies: [],
      CustomerManagedPolicies: [],
      Tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
    };
    await ctx.tx.insert(ctx.caller.account, PERMISSION_SET_KIND, record.PermissionSetArn, record, { parent: instance.InstanceArn });
    return { PermissionSet: output(record) };
  },

  async DescribePermissionSet(input: S.DescribePermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.DescribePermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:DescribePermissionSet', input);
    return { PermissionSet: output(set) };
  },

  async ListPermissionSets(input: S.ListPermissionSetsCommandInput, ctx: ServiceContext): Promise<Out<S.ListPermissionSetsCommandOutput>> {
    await ctx.authorize('sso:ListPermissionSets', input.InstanceArn!);
    const instance = await instanceOf(ctx, input.InstanceArn);
    const all = await ctx.tx.list<PermissionSetRecord>(ctx.caller.account, PERMISSION_SET_KIND, { parent: instance.InstanceArn });
    return { PermissionSets: all.map((p) => p.PermissionSetArn) };
  },

  async UpdatePermissionSet(input: S.UpdatePermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.UpdatePermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:UpdatePermissionSet', input);
    await save(ctx, {
      ...set,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.SessionDuration !== undefined ? { SessionDuration: sessionDuration(input.SessionDuration) } : {}),
      ...(input.RelayState !== undefined ? { RelayState: input.RelayState } : {}),
    });
    return {};
  },

  async DeletePermissionSet(input: S.DeletePermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.DeletePermissionSetCommandOutput>> {
    const { instance, set } = await target(ctx, 'sso:DeletePermissionSet', input);
    // AWS refuses while accounts are assigned through the set (its wording, as SDKs and
    // Terraform report it); roles provisioned without an assignment are removed, through
    // the service-linked role in member accounts.
    if ((await assignmentsOf(ctx, instance)).some((a) => a.PermissionSetArn === set.PermissionSetArn)) {
      throw new AwsError('ConflictException', 'Could not delete because PermissionSet has ApplicationProfile associated with it.');
    }
    for (const p of await provisionedRecords(ctx, instance)) if (p.PermissionSetArn === set.PermissionSetArn) await deprovision(ctx, instance, p);
    await ctx.tx.delete(ctx.caller.account, PERMISSION_SET_KIND, set.PermissionSetArn);
    return {};
  },

  async AttachManagedPolicyToPermissionSet(input: S.AttachManagedPolicyToPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.AttachManagedPolicyToPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:AttachManagedPolicyToPermissionSet', input);
    const arn = input.ManagedPolicyArn!;
    if (!managedPolicyByArn(arn)) throw validation(`The policy ${arn} does not exist or is not attachable.`);
    if (set.ManagedPolicies.includes(arn)) throw new AwsError('ConflictException', `The policy ${arn} is already attached to the permission set.`);
    if (set.ManagedPolicies.length >= MANAGED_PER_SET) throw new AwsError('ServiceQuotaExceededException', 'The number of managed policies attached to the permission set exceeds the quota.');
    await save(ctx, { ...set, ManagedPolicies: [...set.ManagedPolicies, arn] });
    return {};
  },

  async DetachManagedPolicyFromPermissionSet(input: S.DetachManagedPolicyFromPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.DetachManagedPolicyFromPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:DetachManagedPolicyFromPermissionSet', input);
    if (!set.ManagedPolicies.includes(input.ManagedPolicyArn!)) throw notFound(`The policy ${input.ManagedPolicyArn!} is not attached to the permission set.`);
    await save(ctx, { ...set, ManagedPolicies: set.ManagedPolicies.filter((a) => a !== input.ManagedPolicyArn) });
    return {};
  },

  async ListManagedPoliciesInPermissionSet(input: S.ListManagedPoliciesInPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.ListManagedPoliciesInPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:ListManagedPoliciesInPermissionSet', input);
    return { AttachedManagedPolicies: set.ManagedPolicies.map((arn) => ({ Arn: arn, Name: arn.slice(arn.lastIndexOf('/') + 1) })) };
  },

  async AttachCustomerManagedPolicyReferenceToPermissionSet(input: S.AttachCustomerManagedPolicyReferenceToPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.AttachCustomerManagedPolicyReferenceToPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:AttachCustomerManagedPolicyReferenceToPermissionSet', input);
    const ref = { Name: input.CustomerManagedPolicyReference!.Name!, Path: input.CustomerManagedPolicyReference!.Path ?? '/' };
    if (set.CustomerManagedPolicies.some((r) => r.Name === ref.Name && r.Path === ref.Path)) throw new AwsError('ConflictException', `The customer managed policy ${ref.Path}${ref.Name} is already attached to the permission set.`);
    await save(ctx, { ...set, CustomerManagedPolicies: [...set.CustomerManagedPolicies, ref] });
    return {};
  },

  async ListCustomerManagedPolicyReferencesInPermissionSet(input: S.ListCustomerManagedPolicyReferencesInPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.ListCustomerManagedPolicyReferencesInPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:ListCustomerManagedPolicyReferencesInPermissionSet', input);
    return { CustomerManagedPolicyReferences: set.CustomerManagedPolicies.map((r) => ({ ...r })) };
  },

  async PutInlinePolicyToPermissionSet(input: S.PutInlinePolicyToPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.PutInlinePolicyToPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:PutInlinePolicyToPermissionSet', input);
    // The inline policy becomes an IAM inline policy of each provisioned role: IAM's rules.
    const parsed = parsePolicy(input.InlinePolicy!, 'identity');
    if (parsed.errors.length > 0) throw validation(`The inline policy is not a valid IAM policy: ${parsed.errors[0]!.message}`);
    await save(ctx, { ...set, InlinePolicy: input.InlinePolicy! });
    return {};
  },

  async GetInlinePolicyForPermissionSet(input: S.GetInlinePolicyForPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.GetInlinePolicyForPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:GetInlinePolicyForPermissionSet', input);
    return { InlinePolicy: set.InlinePolicy ?? '' };
  },

  async DeleteInlinePolicyFromPermissionSet(input: S.DeleteInlinePolicyFromPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.DeleteInlinePolicyFromPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:DeleteInlinePolicyFromPermissionSet', input);
    const { InlinePolicy: _gone, ...rest } = set;
    await save(ctx, rest);
    return {};
  },

  async PutPermissionsBoundaryToPermissionSet(input: S.PutPermissionsBoundaryToPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.PutPermissionsBoundaryToPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:PutPermissionsBoundaryToPermissionSet', input);
    const b = input.PermissionsBoundary!;
    if (Boolean(b.ManagedPolicyArn) === Boolean(b.CustomerManagedPolicyReference)) throw validation('A permissions boundary is either an AWS managed policy or a customer managed policy reference.');
    if (b.ManagedPolicyArn && !managedPolicyByArn(b.ManagedPolicyArn)) throw validation(`The policy ${b.ManagedPolicyArn} does not exist.`);
    const boundary = b.ManagedPolicyArn
      ? { ManagedPolicyArn: b.ManagedPolicyArn }
      : { CustomerManagedPolicyReference: { Name: b.CustomerManagedPolicyReference!.Name!, Path: b.CustomerManagedPolicyReference!.Path ?? '/' } };
    await save(ctx, { ...set, PermissionsBoundary: boundary });
    return {};
  },

  async GetPermissionsBoundaryForPermissionSet(input: S.GetPermissionsBoundaryForPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.GetPermissionsBoundaryForPermissionSetCommandOutput>> {
    const { set } = await target(ctx, 'sso:GetPermissionsBoundaryForPermissionSet', input);
    if (!set.PermissionsBoundary) throw notFound('The permission set has no permissions boundary.');
    return { PermissionsBoundary: { ...set.PermissionsBoundary } };
  },
};
