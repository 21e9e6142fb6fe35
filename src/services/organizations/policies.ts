/**
 * Organization policies: service control policies and resource control policies (the
 * types Gatehouse enforces), their types enabled per root, attachments, and tags on
 * policies, OUs, the root and accounts. Management account only, except the Describe/List
 * operations, which a delegated administrator may also call (`requireReader`).
 */
import type * as O from '@aws-sdk/client-organizations';
import { parsePolicy, type PolicyKind } from '../../policy/index.js';
import type { Handler, ServiceContext } from '../types.js';
import {
  allPolicies,
  arnOr,
  err,
  findTarget,
  invalidInput,
  isAwsManaged,
  loadFor,
  managedFor,
  newPolicyId,
  page,
  policyArn,
  requireManagement,
  resourceTagContext,
  rootArn,
  save,
  tagContext,
  toTags,
  typeEnabled,
  type OrgState,
  type PolicyRecord,
  type PolicyTypeName,
} from './state.js';
import { requireReader } from './delegations.js';

type Out<T> = Omit<T, '$metadata'>;

const KINDS: Readonly<Record<PolicyTypeName, PolicyKind>> = { SERVICE_CONTROL_POLICY: 'scp', RESOURCE_CONTROL_POLICY: 'rcp' };
const CONTENT_LIMIT = 5120;
/** Quota: five policies of a type per root, OU or account. */
const ATTACHMENT_LIMIT = 5;

function controlType(type: string | undefined): PolicyTypeName {
  if (type === 'SERVICE_CONTROL_POLICY' || type === 'RESOURCE_CONTROL_POLICY') return type;
  // AWS also has declarative, tag, backup, AI opt-out, chatbot... policies: not (yet) in Gatehouse.
  throw invalidInput('INVALID_ENUM_POLICY_TYPE', `Gatehouse supports the policy types SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY, not ${type ?? '(none)'}.`);
}

/** Validate a document with the policy engine's parser for the type (SCP or RCP grammar). */
function validateContent(type: PolicyTypeName, content: string): void {
  if (content.length > CONTENT_LIMIT) {
    throw err.constraint('POLICY_CONTENT_LIMIT_EXCEEDED', 'You attempted to create a policy with content that exceeds the maximum size for that policy type.');
  }
  const parsed = parsePolicy(content, KINDS[type]);
  if (!parsed.document) throw err.malformedPolicy(parsed.errors[0]?.message);
}

const summary = (s: OrgState, p: PolicyRecord): O.PolicySummary => ({
  Id: p.Id,
  Arn: policyArn(s, p),
  Name: p.Name,
  Description: p.Description,
  Type: p.Type,
  AwsManaged: isAwsManaged(p.Id),
});

const policyView = (s: OrgState, p: PolicyRecord): O.Policy => ({ PolicySummary: summary(s, p), Content: p.Content });

function policyOf(s: OrgState, id: string): PolicyRecord {
  const p = allPolicies(s).find((x) => x.Id === id);
  if (!p) throw err.policyNotFound();
  return p;
}

const policyResource = (s: OrgState | undefined, id: string): string => {
  const p = s ? allPolicies(s).find((x) => x.Id === id) : undefined;
  return s && p ? policyArn(s, p) : '*';
};

const rootView = (s: OrgState): O.Root => ({ Id: s.Root.Id, Arn: rootArn(s), Name: s.Root.Name, PolicyTypes: s.Root.PolicyTypes.map((t) => ({ ...t })) });

function targetResource(s: OrgState | undefined, id: string): string {
  return s ? (findTarget(s, id)?.arn ?? '*') : '*';
}

export const policyHandlers: Record<string, Handler> = {
  async EnablePolicyType(input: O.EnablePolicyTypeCommandInput, ctx: ServiceContext): Promise<Out<O.EnablePolicyTypeCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:EnablePolicyType', arnOr(s, rootArn), { context: { 'organizations:PolicyType': input.PolicyType! } });
    const org = await requireManagement(ctx);
    if (input.RootId !== org.Root.Id) throw err.rootNotFound();
    const type = controlType(input.PolicyType);
    if (typeEnabled(org, type)) throw err.typeAlreadyEnabled();
    org.Root.PolicyTypes.push({ Type: type, Status: 'ENABLED' });
    // The type's AWS managed policy goes on the root, every OU and every account.
    const managed = managedFor(type).Id;
    for (const id of [org.Root.Id, ...org.Ous.map((o) => o.Id), ...org.Accounts.map((a) => a.Id)]) org.Attachments.push({ PolicyId: managed, TargetId: id });
    await save(ctx, org);
    return { Root: rootView(org) };
  },

  async DisablePolicyType(input: O.DisablePolicyTypeCommandInput, ctx: ServiceContext): Promise<Out<O.DisablePolicyTypeCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:DisablePolicyType', arnOr(s, rootArn), { context: { 'organizations:PolicyType': input.PolicyType! } });
    const org = await requireManagement(ctx);
    if (input.RootId !== org.Root.Id) throw err.rootNotFound();
    const type = controlType(input.PolicyType);
    if (!typeEnabled(org, type)) throw err.typeNotEnabled();
    org.Root.PolicyTypes = org.Root.PolicyTypes.filter((t) => t.Type !== type);
    // Every policy of the type is detached from every target.
    const ofType = new Set(allPolicies(org).filter((p) => p.Type === type).map((p) => p.Id));
    org.Attachments = org.Attachments.filter((a) => !ofType.has(a.PolicyId));
    await save(ctx, org);
    return { Root: rootView(org) };
  },

  async CreatePolicy(input: O.CreatePolicyCommandInput, ctx: ServiceContext): Promise<Out<O.CreatePolicyCommandOutput>> {
    const tags = toTags(input.Tags);
    await ctx.authorize('organizations:CreatePolicy', '*', { context: { ...tagContext(tags), 'organizations:PolicyType': input.Type! } });
    const org = await requireManagement(ctx);
    const type = controlType(input.Type);
    validateContent(type, input.Content!);
    if (allPolicies(org).some((p) => p.Type === type && p.Name === input.Name)) throw err.duplicatePolicy();
    const p: PolicyRecord = { Id: newPolicyId(), Name: input.Name!, Description: input.Description ?? '', Type: type, Content: input.Content!, Tags: tags };
    org.Policies.push(p);
    await save(ctx, org);
    return { Policy: policyView(org, p) };
  },

  async UpdatePolicy(input: O.UpdatePolicyCommandInput, ctx: ServiceContext): Promise<Out<O.UpdatePolicyCommandOutput>> {
    const s = await loadFor(ctx);
    const existing = s ? allPolicies(s).find((x) => x.Id === input.PolicyId) : undefined;
    await ctx.authorize('organizations:UpdatePolicy', policyResource(s, input.PolicyId!), { context: resourceTagContext(existing?.Tags ?? []) });
    const org = await requireManagement(ctx);
    const found = policyOf(org, input.PolicyId!);
    if (isAwsManaged(found.Id)) throw err.immutablePolicy();
    const p = org.Policies.find((x) => x.Id === found.Id)!;
    if (input.Content !== undefined) validateContent(p.Type, input.Content);
    if (input.Name !== undefined && input.Name !== p.Name && allPolicies(org).some((x) => x.Type === p.Type && x.Name === input.Name)) throw err.duplicatePolicy();
    if (input.Name !== undefined) p.Name = input.Name;
    if (input.Description !== undefined) p.Description = input.Description;
    if (input.Content !== undefined) p.Content = input.Content;
    await save(ctx, org);
    return { Policy: policyView(org, p) };
  },

  async DeletePolicy(input: O.DeletePolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    const existing = s ? allPolicies(s).find((x) => x.Id === input.PolicyId) : undefined;
    await ctx.authorize('organizations:DeletePolicy', policyResource(s, input.PolicyId!), { context: resourceTagContext(existing?.Tags ?? []) });
    const org = await requireManagement(ctx);
    const p = policyOf(org, input.PolicyId!);
    if (isAwsManaged(p.Id)) throw err.immutablePolicy();
    if (org.Attachments.some((a) => a.PolicyId === p.Id)) throw err.policyInUse();
    org.Policies = org.Policies.filter((x) => x.Id !== p.Id);
    await save(ctx, org);
  },

  async DescribePolicy(input: O.DescribePolicyCommandInput, ctx: ServiceContext): Promise<Out<O.DescribePolicyCommandOutput>> {
    const s = await loadFor(ctx);
    const existing = s ? allPolicies(s).find((x) => x.Id === input.PolicyId) : undefined;
    await ctx.authorize('organizations:DescribePolicy', policyResource(s, input.PolicyId!), { context: resourceTagContext(existing?.Tags ?? []) });
    const org = await requireReader(ctx);
    return { Policy: policyView(org, policyOf(org, input.PolicyId!)) };
  },

  async ListPolicies(input: O.ListPoliciesCommandInput, ctx: ServiceContext): Promise<Out<O.ListPoliciesCommandOutput>> {
    await ctx.authorize('organizations:ListPolicies', '*', { context: { 'organizations:PolicyType': input.Filter! } });
    const org = await requireReader(ctx);
    const list = input.Filter === 'SERVICE_CONTROL_POLICY' || input.Filter === 'RESOURCE_CONTROL_POLICY' ? allPolicies(org).filter((p) => p.Type === input.Filter) : [];
    const p = page(
      list.map((x) => summary(org, x)),
      input,
    );
    return { Policies: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async AttachPolicy(input: O.AttachPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:AttachPolicy', policyResource(s, input.PolicyId!));
    await ctx.authorize('organizations:AttachPolicy', targetResource(s, input.TargetId!));
    const org = await requireManagement(ctx);
    const p = policyOf(org, input.PolicyId!);
    if (!findTarget(org, input.TargetId!)) throw err.targetNotFound();
    if (!typeEnabled(org, p.Type)) throw err.typeNotEnabled();
    if (org.Attachments.some((a) => a.PolicyId === p.Id && a.TargetId === input.TargetId)) throw err.duplicateAttachment();
    const ofType = new Set(allPolicies(org).filter((x) => x.Type === p.Type).map((x) => x.Id));
    if (org.Attachments.filter((a) => a.TargetId === input.TargetId && ofType.has(a.PolicyId)).length >= ATTACHMENT_LIMIT) {
      throw err.constraint('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED', 'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.');
    }
    org.Attachments.push({ PolicyId: p.Id, TargetId: input.TargetId! });
    await save(ctx, org);
  },

  async DetachPolicy(input: O.DetachPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:DetachPolicy', policyResource(s, input.PolicyId!));
    await ctx.authorize('organizations:DetachPolicy', targetResource(s, input.TargetId!));
    const org = await requireManagement(ctx);
    const p = policyOf(org, input.PolicyId!);
    if (!findTarget(org, input.TargetId!)) throw err.targetNotFound();
    if (!org.Attachments.some((a) => a.PolicyId === p.Id && a.TargetId === input.TargetId)) throw err.policyNotAttached();
    const ofType = new Set(allPolicies(org).filter((x) => x.Type === p.Type).map((x) => x.Id));
    if (org.Attachments.filter((a) => a.TargetId === input.TargetId && ofType.has(a.PolicyId)).length <= 1) {
      throw err.constraint(
        'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
        'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
      );
    }
    org.Attachments = org.Attachments.filter((a) => !(a.PolicyId === p.Id && a.TargetId === input.TargetId));
    await save(ctx, org);
  },

  async ListPoliciesForTarget(input: O.ListPoliciesForTargetCommandInput, ctx: ServiceContext): Promise<Out<O.ListPoliciesForTargetCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:ListPoliciesForTarget', targetResource(s, input.TargetId!), { context: { 'organizations:PolicyType': input.Filter! } });
    const org = await requireReader(ctx);
    if (!findTarget(org, input.TargetId!)) throw err.targetNotFound();
    const list = org.Attachments.filter((a) => a.TargetId === input.TargetId)
      .map((a) => policyOf(org, a.PolicyId))
      .filter((p) => p.Type === input.Filter);
    const p = page(
      list.map((x) => summary(org, x)),
      input,
    );
    return { Policies: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async ListTargetsForPolicy(input: O.ListTargetsForPolicyCommandInput, ctx: ServiceContext): Promise<Out<O.ListTargetsForPolicyCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:ListTargetsForPolicy', policyResource(s, input.PolicyId!));
    const org = await requireReader(ctx);
    const p = policyOf(org, input.PolicyId!);
    const targets = org.Attachments.filter((a) => a.PolicyId === p.Id).flatMap((a): O.PolicyTargetSummary[] => {
      const t = findTarget(org, a.TargetId);
      return t ? [{ TargetId: a.TargetId, Arn: t.arn, Name: t.name, Type: t.type }] : [];
    });
    const pg = page(targets, input);
    return { Targets: pg.items, ...(pg.NextToken ? { NextToken: pg.NextToken } : {}) };
  },

  async TagResource(input: O.TagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    const tags = toTags(input.Tags);
    const t = s ? taggable(s, input.ResourceId!) : undefined;
    await ctx.authorize('organizations:TagResource', t?.arn ?? '*', { context: { ...resourceTagContext(t?.tags ?? []), ...tagContext(tags) } });
    const org = await requireManagement(ctx);
    const target = taggable(org, input.ResourceId!);
    if (!target) throw err.targetNotFound();
    const merged = [...target.tags.filter((x) => !tags.some((n) => n.Key === x.Key)), ...tags];
    if (merged.length > 50) throw err.constraint('MAX_TAG_LIMIT_EXCEEDED', 'You have exceeded the number of tags allowed on this resource.');
    target.setTags(merged);
    await save(ctx, org);
  },

  async UntagResource(input: O.UntagResourceCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    const t = s ? taggable(s, input.ResourceId!) : undefined;
    await ctx.authorize('organizations:UntagResource', t?.arn ?? '*', { context: { ...resourceTagContext(t?.tags ?? []), ...((input.TagKeys ?? []).length ? { 'aws:TagKeys': input.TagKeys! } : {}) } });
    const org = await requireManagement(ctx);
    const target = taggable(org, input.ResourceId!);
    if (!target) throw err.targetNotFound();
    target.setTags(target.tags.filter((x) => !(input.TagKeys ?? []).includes(x.Key)));
    await save(ctx, org);
  },

  async ListTagsForResource(input: O.ListTagsForResourceCommandInput, ctx: ServiceContext): Promise<Out<O.ListTagsForResourceCommandOutput>> {
    const s = await loadFor(ctx);
    const t = s ? taggable(s, input.ResourceId!) : undefined;
    await ctx.authorize('organizations:ListTagsForResource', t?.arn ?? '*', { context: resourceTagContext(t?.tags ?? []) });
    const org = await requireReader(ctx);
    const target = taggable(org, input.ResourceId!);
    if (!target) throw err.targetNotFound();
    const p = page(
      target.tags.map((x) => ({ ...x })),
      input,
    );
    return { Tags: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },
};

/** What TagResource and friends accept: a root, an OU, an account, or a customer managed policy. */
function taggable(s: OrgState, id: string): { arn: string; tags: { Key: string; Value: string }[]; setTags(t: { Key: string; Value: string }[]): void } | undefined {
  const t = findTarget(s, id);
  if (t) return t;
  const p = s.Policies.find((x) => x.Id === id);
  if (p) return { arn: policyArn(s, p), tags: p.Tags, setTags: (tags) => (p.Tags = tags) };
  return undefined;
}

