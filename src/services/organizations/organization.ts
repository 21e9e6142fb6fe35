/**
 * The organization, its root and OUs, its accounts (invitations for accounts that exist in
 * Gatehouse, removal, leaving), trusted service access and tags.
 *
 * Who may call: the management account for everything here, except DescribeOrganization
 * and LeaveOrganization (members), the handshake operations an invited account uses
 * (AcceptHandshake, DeclineHandshake, DescribeHandshake, ListHandshakesForAccount), and the
 * Describe/List operations a delegated administrator may also call (`requireReader`).
 */
import type * as O from '@aws-sdk/client-organizations';
import type { Handler, ServiceContext } from '../types.js';
import {
  ACCOUNT_REGISTRY,
  KIND,
  MEMBERSHIP_ID,
  accountArn,
  accountJoined,
  accountLeaving,
  accountEmail,
  ancestors,
  arnOr,
  attachDefaults,
  err,
  findParent,
  handshakeArn,
  invalidInput,
  loadFor,
  membershipOf,
  newHandshakeId,
  newOrganizationId,
  newOuId,
  newRootId,
  organizationArn,
  ouArn,
  page,
  requireManagement,
  requireOrg,
  resourceTagContext,
  rootArn,
  save,
  tagContext,
  toTags,
  type HandshakeRecord,
  type Invitation,
  type Membership,
  type MemberRecord,
  type OrgState,
  type OuRecord,
  type Tag,
} from './state.js';
import { assertNotDelegatedAdministrator, requireReader } from './delegations.js';

type Out<T> = Omit<T, '$metadata'>;

export function organizationView(s: OrgState): O.Organization {
  return {
    Id: s.Id,
    Arn: organizationArn(s),
    FeatureSet: s.FeatureSet,
    MasterAccountArn: accountArn(s, s.ManagementAccountId),
    MasterAccountId: s.ManagementAccountId,
    MasterAccountEmail: s.ManagementEmail,
    // Deprecated in the API ("Do not use"); Gatehouse mirrors the root's enabled types.
    AvailablePolicyTypes: s.Root.PolicyTypes.map((t) => ({ ...t })),
  };
}

const rootView = (s: OrgState): O.Root => ({ Id: s.Root.Id, Arn: rootArn(s), Name: s.Root.Name, PolicyTypes: s.Root.PolicyTypes.map((t) => ({ ...t })) });
const ouView = (s: OrgState, o: OuRecord): O.OrganizationalUnit => ({ Id: o.Id, Arn: ouArn(s, o.Id), Name: o.Name });
export const accountView = (s: OrgState, a: MemberRecord): O.Account => ({
  Id: a.Id,
  Arn: accountArn(s, a.Id),
  Email: a.Email,
  Name: a.Name,
  Status: 'ACTIVE',
  State: 'ACTIVE',
  JoinedMethod: a.JoinedMethod,
  JoinedTimestamp: new Date(a.JoinedTimestamp),
});

export function handshakeView(s: { Id: string; ManagementAccountId: string; ManagementEmail: string; ManagementName: string }, h: HandshakeRecord): O.Handshake {
  return {
    Id: h.Id,
    Arn: handshakeArn(s, h.Id),
    Parties: [
      { Id: s.Id, Type: 'ORGANIZATION' },
      { Id: h.AccountId, Type: 'ACCOUNT' },
    ],
    State: h.State,
    RequestedTimestamp: new Date(h.RequestedTimestamp),
    ExpirationTimestamp: new Date(h.ExpirationTimestamp),
    Action: 'INVITE',
    Resources: [
      {
        Type: 'ORGANIZATION',
        Value: s.Id,
        Resources: [
          { Type: 'MASTER_EMAIL', Value: s.ManagementEmail },
          { Type: 'MASTER_NAME', Value: s.ManagementName },
          { Type: 'ORGANIZATION_FEATURE_SET', Value: 'ALL' },
        ],
      },
      { Type: 'ACCOUNT', Value: h.AccountId },
      ...(h.Notes !== undefined ? [{ Type: 'NOTES' as const, Value: h.Notes }] : []),
    ],
  };
}

async function accountExists(ctx: ServiceContext, id: string): Promise<boolean> {
  return (await ctx.tx.get(ACCOUNT_REGISTRY.account, ACCOUNT_REGISTRY.kind, id)) !== undefined;
}

function requireParent(s: OrgState, id: string): void {
  if (!findParent(s, id)) throw err.parentNotFound();
}

function ouOf(s: OrgState, id: string): OuRecord {
  const ou = s.Ous.find((o) => o.Id === id);
  if (!ou) throw err.ouNotFound();
  return ou;
}

function memberOf(s: OrgState, id: string): MemberRecord {
  const a = s.Accounts.find((x) => x.Id === id);
  if (!a) throw err.accountNotFound();
  return a;
}

/** Take an account out of its organization: its attachments, its membership record. */
async function removeMember(ctx: ServiceContext, s: OrgState, id: string): Promise<void> {
  await accountLeaving(ctx, s, id);
  s.Accounts = s.Accounts.filter((a) => a.Id !== id);
  s.Attachments = s.Attachments.filter((a) => a.TargetId !== id);
  await ctx.tx.delete(id, KIND.membership, MEMBERSHIP_ID);
}

async function addMember(ctx: ServiceContext, s: OrgState, id: string, method: 'INVITED' | 'CREATED', tags: Tag[] = []): Promise<void> {
  s.Accounts.push({ Id: id, Name: id, Email: accountEmail(id), ParentId: s.Root.Id, JoinedMethod: method, JoinedTimestamp: ctx.now.toISOString(), Tags: tags });
  attachDefaults(s, id);
  await ctx.tx.insert<Membership>(id, KIND.membership, MEMBERSHIP_ID, { OrganizationId: s.Id, ManagementAccountId: s.ManagementAccountId });
  await accountJoined(ctx, s, id);
}

const HANDSHAKE_DAYS = 15;

/** An invited account's handshakes: its invitation records, each read from its organization. */
async function invitationsFor(ctx: ServiceContext, account: string): Promise<{ s: OrgState; h: HandshakeRecord }[]> {
  const out: { s: OrgState; h: HandshakeRecord }[] = [];
  for (const inv of await ctx.tx.list<Invitation & { HandshakeId: string }>(account, KIND.invitation)) {
    const s = await ctx.tx.get<OrgState>(inv.ManagementAccountId, KIND.organization, inv.OrganizationId);
    const h = s?.Handshakes.find((x) => x.Id === inv.HandshakeId);
    if (s && h) out.push({ s, h: expire(h, ctx.now) });
  }
  return out;
}

function expire(h: HandshakeRecord, now: Date): HandshakeRecord {
  if ((h.State === 'OPEN' || h.State === 'REQUESTED') && now > new Date(h.ExpirationTimestamp)) h.State = 'EXPIRED';
  return h;
}

/** The handshake an id names, seen by the caller (the organization's management account or the invited account). */
async function findHandshake(ctx: ServiceContext, id: string): Promise<{ s: OrgState; h: HandshakeRecord } | undefined> {
  const own = await loadFor(ctx);
  const mine = own?.ManagementAccountId === ctx.caller.account ? own.Handshakes.find((h) => h.Id === id) : undefined;
  if (own && mine) return { s: own, h: expire(mine, ctx.now) };
  return (await invitationsFor(ctx, ctx.caller.account)).find((x) => x.h.Id === id);
}

async function handshakeArnFor(ctx: ServiceContext, id: string): Promise<string> {
  const inv = await ctx.tx.get<Invitation>(ctx.caller.account, KIND.invitation, id);
  if (inv) return handshakeArn({ Id: inv.OrganizationId, ManagementAccountId: inv.ManagementAccountId }, id);
  const s = await loadFor(ctx);
  return s && s.Handshakes.some((h) => h.Id === id) ? handshakeArn(s, id) : '*';
}

export const organizationHandlers: Record<string, Handler> = {
  async CreateOrganization(input: O.CreateOrganizationCommandInput, ctx: ServiceContext): Promise<Out<O.CreateOrganizationCommandOutput>> {
    await ctx.authorize('organizations:CreateOrganization', '*');
    if (input.FeatureSet === 'CONSOLIDATED_BILLING') {
      // Gatehouse models organizations with all features (SCPs and RCPs need them).
      throw invalidInput('INVALID_ENUM', 'Gatehouse supports only organizations with all features enabled (FeatureSet ALL).');
    }
    if (await membershipOf(ctx)) throw err.alreadyInOrganization();
    const account = ctx.caller.account;
    const s: OrgState = {
      Id: newOrganizationId(),
      ManagementAccountId: account,
      ManagementEmail: accountEmail(account),
      ManagementName: account,
      FeatureSet: 'ALL',
      Revision: '',
      Root: { Id: newRootId(), Name: 'Root', PolicyTypes: [], Tags: [] },
      Ous: [],
      Accounts: [],
      Policies: [],
      Attachments: [],
      Handshakes: [],
      ServiceAccess: [],
    };
    await ctx.tx.insert(account, KIND.organization, s.Id, s);
    await addMember(ctx, s, account, 'INVITED');
    await save(ctx, s);
    ctx.recordResource('AWS::Organizations::Organization', organizationArn(s));
    return { Organization: organizationView(s) };
  },

  async DescribeOrganization(_input: O.DescribeOrganizationCommandInput, ctx: ServiceContext): Promise<Out<O.DescribeOrganizationCommandOutput>> {
    await ctx.authorize('organizations:DescribeOrganization', '*');
    return { Organization: organizationView(await requireOrg(ctx)) };
  },

  async DeleteOrganization(_input: O.DeleteOrganizationCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('organizations:DeleteOrganization', '*');
    const s = await requireManagement(ctx);
    if (s.Accounts.some((a) => a.Id !== s.ManagementAccountId)) throw err.organizationNotEmpty();
    for (const h of s.Handshakes) await ctx.tx.delete(h.AccountId, KIND.invitation, h.Id);
    await ctx.tx.delete(s.ManagementAccountId, KIND.membership, MEMBERSHIP_ID);
    await ctx.tx.delete(s.ManagementAccountId, KIND.organization, s.Id);
  },

  async ListRoots(input: O.ListRootsCommandInput, ctx: ServiceContext): Promise<Out<O.ListRootsCommandOutput>> {
    await ctx.authorize('organizations:ListRoots', '*');
    const s = await requireReader(ctx);
    const p = page([rootView(s)], input);
    return { Roots: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async CreateOrganizationalUnit(input: O.CreateOrganizationalUnitCommandInput, ctx: ServiceContext): Promise<Out<O.CreateOrganizationalUnitCommandOutput>> {
    const s = await loadFor(ctx);
    const tags = toTags(input.Tags);
    await ctx.authorize('organizations:CreateOrganizationalUnit', arnOr(s, (x) => findParent(x, input.ParentId!)?.arn ?? rootArn(x)), { context: tagContext(tags) });
    const org = await requireManagement(ctx);
    requireParent(org, input.ParentId!);
    if (ancestors(org, input.ParentId!).length >= 6) throw err.constraint('OU_DEPTH_LIMIT_EXCEEDED', 'You attempted to create an OU tree that is too many levels deep.');
    if (org.Ous.some((o) => o.ParentId === input.ParentId && o.Name === input.Name)) throw err.duplicateOu();
    const ou: OuRecord = { Id: newOuId(org.Root.Id), Name: input.Name!, ParentId: input.ParentId!, Tags: tags };
    org.Ous.push(ou);
    attachDefaults(org, ou.Id);
    await save(ctx, org);
    return { OrganizationalUnit: ouView(org, ou) };
  },

  async DescribeOrganizationalUnit(input: O.DescribeOrganizationalUnitCommandInput, ctx: ServiceContext): Promise<Out<O.DescribeOrganizationalUnitCommandOutput>> {
    const s = await loadFor(ctx);
    const ou = s?.Ous.find((o) => o.Id === input.OrganizationalUnitId);
    await ctx.authorize('organizations:DescribeOrganizationalUnit', arnOr(s, (x) => ouArn(x, input.OrganizationalUnitId!)), { context: resourceTagContext(ou?.Tags ?? []) });
    const org = await requireReader(ctx);
    return { OrganizationalUnit: ouView(org, ouOf(org, input.OrganizationalUnitId!)) };
  },

  async UpdateOrganizationalUnit(input: O.UpdateOrganizationalUnitCommandInput, ctx: ServiceContext): Promise<Out<O.UpdateOrganizationalUnitCommandOutput>> {
    const s = await loadFor(ctx);
    const found = s?.Ous.find((o) => o.Id === input.OrganizationalUnitId);
    await ctx.authorize('organizations:UpdateOrganizationalUnit', arnOr(s, (x) => ouArn(x, input.OrganizationalUnitId!)), { context: resourceTagContext(found?.Tags ?? []) });
    const org = await requireManagement(ctx);
    const ou = ouOf(org, input.OrganizationalUnitId!);
    if (input.Name !== undefined && input.Name !== ou.Name) {
      if (org.Ous.some((o) => o.ParentId === ou.ParentId && o.Name === input.Name)) throw err.duplicateOu();
      ou.Name = input.Name;
      await save(ctx, org);
    }
    return { OrganizationalUnit: ouView(org, ou) };
  },

  async DeleteOrganizationalUnit(input: O.DeleteOrganizationalUnitCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    const found = s?.Ous.find((o) => o.Id === input.OrganizationalUnitId);
    await ctx.authorize('organizations:DeleteOrganizationalUnit', arnOr(s, (x) => ouArn(x, input.OrganizationalUnitId!)), { context: resourceTagContext(found?.Tags ?? []) });
    const org = await requireManagement(ctx);
    const ou = ouOf(org, input.OrganizationalUnitId!);
    if (org.Ous.some((o) => o.ParentId === ou.Id) || org.Accounts.some((a) => a.ParentId === ou.Id)) throw err.ouNotEmpty();
    org.Ous = org.Ous.filter((o) => o.Id !== ou.Id);
    org.Attachments = org.Attachments.filter((a) => a.TargetId !== ou.Id);
    await save(ctx, org);
  },

  async ListOrganizationalUnitsForParent(input: O.ListOrganizationalUnitsForParentCommandInput, ctx: ServiceContext): Promise<Out<O.ListOrganizationalUnitsForParentCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:ListOrganizationalUnitsForParent', arnOr(s, (x) => findParent(x, input.ParentId!)?.arn ?? rootArn(x)));
    const org = await requireReader(ctx);
    requireParent(org, input.ParentId!);
    const p = page(
      org.Ous.filter((o) => o.ParentId === input.ParentId).map((o) => ouView(org, o)),
      input,
    );
    return { OrganizationalUnits: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async ListChildren(input: O.ListChildrenCommandInput, ctx: ServiceContext): Promise<Out<O.ListChildrenCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:ListChildren', arnOr(s, (x) => findParent(x, input.ParentId!)?.arn ?? rootArn(x)));
    const org = await requireReader(ctx);
    requireParent(org, input.ParentId!);
    const children: O.Child[] =
      input.ChildType === 'ACCOUNT'
        ? org.Accounts.filter((a) => a.ParentId === input.ParentId).map((a) => ({ Id: a.Id, Type: 'ACCOUNT' }))
        : org.Ous.filter((o) => o.ParentId === input.ParentId).map((o) => ({ Id: o.Id, Type: 'ORGANIZATIONAL_UNIT' }));
    const p = page(children, input);
    return { Children: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async ListParents(input: O.ListParentsCommandInput, ctx: ServiceContext): Promise<Out<O.ListParentsCommandOutput>> {
    const s = await loadFor(ctx);
    const id = input.ChildId!;
    await ctx.authorize('organizations:ListParents', arnOr(s, (x) => (id.startsWith('ou-') ? ouArn(x, id) : accountArn(x, id))));
    const org = await requireReader(ctx);
    const parentId = org.Ous.find((o) => o.Id === id)?.ParentId ?? org.Accounts.find((a) => a.Id === id)?.ParentId;
    if (!parentId) throw err.childNotFound();
    return { Parents: [{ Id: parentId, Type: findParent(org, parentId)!.type }] };
  },

  async ListAccounts(input: O.ListAccountsCommandInput, ctx: ServiceContext): Promise<Out<O.ListAccountsCommandOutput>> {
    await ctx.authorize('organizations:ListAccounts', '*');
    const org = await requireReader(ctx);
    const p = page(
      org.Accounts.map((a) => accountView(org, a)),
      input,
    );
    return { Accounts: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async ListAccountsForParent(input: O.ListAccountsForParentCommandInput, ctx: ServiceContext): Promise<Out<O.ListAccountsForParentCommandOutput>> {
    const s = await loadFor(ctx);
    await ctx.authorize('organizations:ListAccountsForParent', arnOr(s, (x) => findParent(x, input.ParentId!)?.arn ?? rootArn(x)));
    const org = await requireReader(ctx);
    requireParent(org, input.ParentId!);
    const p = page(
      org.Accounts.filter((a) => a.ParentId === input.ParentId).map((a) => accountView(org, a)),
      input,
    );
    return { Accounts: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async DescribeAccount(input: O.DescribeAccountCommandInput, ctx: ServiceContext): Promise<Out<O.DescribeAccountCommandOutput>> {
    const s = await loadFor(ctx);
    const found = s?.Accounts.find((a) => a.Id === input.AccountId);
    await ctx.authorize('organizations:DescribeAccount', arnOr(s, (x) => accountArn(x, input.AccountId!)), { context: resourceTagContext(found?.Tags ?? []) });
    const org = await requireReader(ctx);
    return { Account: accountView(org, memberOf(org, input.AccountId!)) };
  },

  async MoveAccount(input: O.MoveAccountCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    const found = s?.Accounts.find((a) => a.Id === input.AccountId);
    await ctx.authorize('organizations:MoveAccount', arnOr(s, (x) => accountArn(x, input.AccountId!)), { context: resourceTagContext(found?.Tags ?? []) });
    const org = await requireManagement(ctx);
    if (!findParent(org, input.SourceParentId!)) throw err.sourceParentNotFound();
    if (!findParent(org, input.DestinationParentId!)) throw err.destinationParentNotFound();
    const a = memberOf(org, input.AccountId!);
    if (a.ParentId === input.DestinationParentId) throw err.duplicateAccount();
    if (a.ParentId !== input.SourceParentId) throw err.sourceParentNotFound();
    a.ParentId = input.DestinationParentId!;
    await save(ctx, org);
  },

  async InviteAccountToOrganization(input: O.InviteAccountToOrganizationCommandInput, ctx: ServiceContext): Promise<Out<O.InviteAccountToOrganizationCommandOutput>> {
    const tags = toTags(input.Tags);
    await ctx.authorize('organizations:InviteAccountToOrganization', '*', { context: tagContext(tags) });
    const org = await requireManagement(ctx);
    const target = input.Target!;
    let account: string | undefined;
    if (target.Type === 'ACCOUNT') account = target.Id;
    else if (target.Type === 'EMAIL') account = /^(\d{12})@gatehouse\.invalid$/.exec(target.Id ?? '')?.[1];
    else throw invalidInput('INVALID_PARTY_TYPE_TARGET', "You specified the wrong type for the handshake's target party.");
    // AWS would send an invitation to any account; Gatehouse can only invite accounts it has.
    if (!account || !/^\d{12}$/.test(account) || !(await accountExists(ctx, account))) throw err.accountNotFound();
    if (await membershipOf(ctx, account)) {
      throw err.handshakeConstraint('ALREADY_IN_AN_ORGANIZATION', 'The handshake request is invalid because the invited account is already a member of an organization.');
    }
    if (org.Handshakes.some((h) => h.AccountId === account && expire(h, ctx.now).State === 'OPEN')) throw err.duplicateHandshake();
    const h: HandshakeRecord = {
      Id: newHandshakeId(),
      AccountId: account,
      ...(input.Notes !== undefined ? { Notes: input.Notes } : {}),
      State: 'OPEN',
      RequestedTimestamp: ctx.now.toISOString(),
      ExpirationTimestamp: new Date(ctx.now.getTime() + HANDSHAKE_DAYS * 86_400_000).toISOString(),
      Tags: tags,
    };
    org.Handshakes.push(h);
    await ctx.tx.insert<Invitation & { HandshakeId: string }>(account, KIND.invitation, h.Id, { OrganizationId: org.Id, ManagementAccountId: org.ManagementAccountId, HandshakeId: h.Id });
    await save(ctx, org);
    return { Handshake: handshakeView(org, h) };
  },

  async AcceptHandshake(input: O.AcceptHandshakeCommandInput, ctx: ServiceContext): Promise<Out<O.AcceptHandshakeCommandOutput>> {
    await ctx.authorize('organizations:AcceptHandshake', await handshakeArnFor(ctx, input.HandshakeId!));
    const found = (await invitationsFor(ctx, ctx.caller.account)).find((x) => x.h.Id === input.HandshakeId);
    if (!found) throw err.handshakeNotFound();
    const { s, h } = found;
    if (h.State === 'ACCEPTED') throw err.handshakeAlreadyInState();
    if (h.State !== 'OPEN') throw err.invalidHandshakeTransition();
    if (await membershipOf(ctx)) {
      throw err.handshakeConstraint('ALREADY_IN_AN_ORGANIZATION', 'The handshake request is invalid because the invited account is already a member of an organization.');
    }
    h.State = 'ACCEPTED';
    await addMember(ctx, s, ctx.caller.account, 'INVITED', h.Tags);
    await save(ctx, s);
    return { Handshake: handshakeView(s, h) };
  },

  async DeclineHandshake(input: O.DeclineHandshakeCommandInput, ctx: ServiceContext): Promise<Out<O.DeclineHandshakeCommandOutput>> {
    await ctx.authorize('organizations:DeclineHandshake', await handshakeArnFor(ctx, input.HandshakeId!));
    const found = (await invitationsFor(ctx, ctx.caller.account)).find((x) => x.h.Id === input.HandshakeId);
    if (!found) throw err.handshakeNotFound();
    const { s, h } = found;
    if (h.State === 'DECLINED') throw err.handshakeAlreadyInState();
    if (h.State !== 'OPEN') throw err.invalidHandshakeTransition();
    h.State = 'DECLINED';
    await save(ctx, s);
    return { Handshake: handshakeView(s, h) };
  },

  async CancelHandshake(input: O.CancelHandshakeCommandInput, ctx: ServiceContext): Promise<Out<O.CancelHandshakeCommandOutput>> {
    await ctx.authorize('organizations:CancelHandshake', await handshakeArnFor(ctx, input.HandshakeId!));
    const s = await requireManagement(ctx);
    const h = s.Handshakes.find((x) => x.Id === input.HandshakeId);
    if (!h) throw err.handshakeNotFound();
    expire(h, ctx.now);
    if (h.State === 'CANCELED') throw err.handshakeAlreadyInState();
    if (h.State !== 'OPEN') throw err.invalidHandshakeTransition();
    h.State = 'CANCELED';
    await save(ctx, s);
    return { Handshake: handshakeView(s, h) };
  },

  async DescribeHandshake(input: O.DescribeHandshakeCommandInput, ctx: ServiceContext): Promise<Out<O.DescribeHandshakeCommandOutput>> {
    await ctx.authorize('organizations:DescribeHandshake', await handshakeArnFor(ctx, input.HandshakeId!));
    const found = await findHandshake(ctx, input.HandshakeId!);
    if (!found) throw err.handshakeNotFound();
    return { Handshake: handshakeView(found.s, found.h) };
  },

  async ListHandshakesForAccount(input: O.ListHandshakesForAccountCommandInput, ctx: ServiceContext): Promise<Out<O.ListHandshakesForAccountCommandOutput>> {
    await ctx.authorize('organizations:ListHandshakesForAccount', '*');
    const all = (await invitationsFor(ctx, ctx.caller.account)).filter(() => !input.Filter?.ActionType || input.Filter.ActionType === 'INVITE');
    const p = page(
      all.map(({ s, h }) => handshakeView(s, h)),
      input,
    );
    return { Handshakes: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async ListHandshakesForOrganization(input: O.ListHandshakesForOrganizationCommandInput, ctx: ServiceContext): Promise<Out<O.ListHandshakesForOrganizationCommandOutput>> {
    await ctx.authorize('organizations:ListHandshakesForOrganization', '*');
    const s = await requireReader(ctx);
    const list = s.Handshakes.filter(() => !input.Filter?.ActionType || input.Filter.ActionType === 'INVITE').map((h) => handshakeView(s, expire(h, ctx.now)));
    const p = page(list, input);
    return { Handshakes: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },

  async RemoveAccountFromOrganization(input: O.RemoveAccountFromOrganizationCommandInput, ctx: ServiceContext): Promise<void> {
    const s = await loadFor(ctx);
    const found = s?.Accounts.find((a) => a.Id === input.AccountId);
    await ctx.authorize('organizations:RemoveAccountFromOrganization', arnOr(s, (x) => accountArn(x, input.AccountId!)), { context: resourceTagContext(found?.Tags ?? []) });
    const org = await requireManagement(ctx);
    memberOf(org, input.AccountId!);
    if (input.AccountId === org.ManagementAccountId) throw err.managementCannotLeave();
    assertNotDelegatedAdministrator(org, input.AccountId!);
    await removeMember(ctx, org, input.AccountId!);
    await save(ctx, org);
  },

  async LeaveOrganization(_input: O.LeaveOrganizationCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('organizations:LeaveOrganization', '*');
    const org = await requireOrg(ctx);
    if (org.ManagementAccountId === ctx.caller.account) throw err.managementCannotLeave();
    assertNotDelegatedAdministrator(org, ctx.caller.account);
    await removeMember(ctx, org, ctx.caller.account);
    await save(ctx, org);
  },

  async EnableAWSServiceAccess(input: O.EnableAWSServiceAccessCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('organizations:EnableAWSServiceAccess', '*', { context: { 'organizations:ServicePrincipal': input.ServicePrincipal! } });
    const org = await requireManagement(ctx);
    if (!org.ServiceAccess.some((x) => x.ServicePrincipal === input.ServicePrincipal)) {
      org.ServiceAccess.push({ ServicePrincipal: input.ServicePrincipal!, DateEnabled: ctx.now.toISOString() });
      await save(ctx, org);
    }
  },

  async DisableAWSServiceAccess(input: O.DisableAWSServiceAccessCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('organizations:DisableAWSServiceAccess', '*', { context: { 'organizations:ServicePrincipal': input.ServicePrincipal! } });
    const org = await requireManagement(ctx);
    org.ServiceAccess = org.ServiceAccess.filter((x) => x.ServicePrincipal !== input.ServicePrincipal);
    await save(ctx, org);
  },

  async ListAWSServiceAccessForOrganization(input: O.ListAWSServiceAccessForOrganizationCommandInput, ctx: ServiceContext): Promise<Out<O.ListAWSServiceAccessForOrganizationCommandOutput>> {
    await ctx.authorize('organizations:ListAWSServiceAccessForOrganization', '*');
    const org = await requireReader(ctx);
    const p = page(
      org.ServiceAccess.map((x) => ({ ServicePrincipal: x.ServicePrincipal, DateEnabled: new Date(x.DateEnabled) })),
      input,
    );
    return { EnabledServicePrincipals: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  },
};
