/**
 * Account-level IAM: the account alias, the summary of IAM usage and quotas, the
 * password policy, and GetAccountAuthorizationDetails (every user, group, role and
 * managed policy with their policies, read straight from the store's records).
 * These operations have no resource type: they authorize on `*`.
 */
import { createHash } from 'node:crypto';
import type {
  AttachedPolicy,
  CreateAccountAliasCommandInput,
  DeleteAccountAliasCommandInput,
  GetAccountAuthorizationDetailsCommandInput,
  GetAccountAuthorizationDetailsCommandOutput,
  GetAccountPasswordPolicyCommandOutput,
  GetAccountSummaryCommandOutput,
  GroupDetail,
  InstanceProfile,
  ListAccountAliasesCommandInput,
  ListAccountAliasesCommandOutput,
  ManagedPolicyDetail,
  PolicyDetail,
  Role,
  RoleDetail,
  UpdateAccountPasswordPolicyCommandInput,
  UserDetail,
} from '@aws-sdk/client-iam';
import { managedPolicyByArn } from '../../catalog/managed-policies.js';
import { CREDENTIAL, GLOBAL } from '../../auth/credentials.js';
import {
  KIND,
  encodeDocument,
  entityAlreadyExists,
  noSuchEntity,
  page,
  toDate,
  type GroupRecord,
  type InlinePolicyRecord,
  type ManagedPolicyRecord,
  type PolicyVersionRecord,
  type RoleRecord,
  type Tag,
  type UserRecord,
} from './records.js';
import { isAwsManaged } from './managed.js';
import { MFA_DEVICE } from './users.js';
import { PASSWORD_POLICY_ID, passwordPolicy, type PasswordPolicyRecord } from './login-profiles.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** IAM's default quotas, as GetAccountSummary reports them. */
const QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  AccessKeysPerUserQuota: 2,
  SigningCertificatesPerUserQuota: 2,
  GroupsPerUserQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  PolicySizeQuota: 6144,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  RolePolicySizeQuota: 10240,
  AssumeRolePolicySizeQuota: 2048,
  VersionsPerPolicyQuota: 5,
  PolicyVersionsInUseQuota: 10000,
} as const;

/** Instance profiles as their family stores them (only what this file reads). */
interface InstanceProfileRecord {
  readonly InstanceProfileName: string;
  readonly InstanceProfileId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  /** Role ids. */
  readonly Roles: readonly string[];
  readonly Tags?: readonly Tag[];
}

const byName = <T>(key: (x: T) => string) => (a: T, b: T): number => {
  const x = key(a).toLowerCase();
  const y = key(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

/** AWS managed policies have fixed ids in AWS; the catalog has none, so one is derived from the ARN. */
function awsManagedPolicyId(policyArn: string): string {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(policyArn).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += ALPHABET[digest[i]! & 31];
  return id;
}

function passwordPolicyOutput(p: PasswordPolicyRecord): GetAccountPasswordPolicyCommandOutput['PasswordPolicy'] {
  return {
    MinimumPasswordLength: p.MinimumPasswordLength,
    RequireSymbols: p.RequireSymbols,
    RequireNumbers: p.RequireNumbers,
    RequireUppercaseCharacters: p.RequireUppercaseCharacters,
    RequireLowercaseCharacters: p.RequireLowercaseCharacters,
    AllowUsersToChangePassword: p.AllowUsersToChangePassword,
    ExpirePasswords: (p.MaxPasswordAge ?? 0) > 0,
    ...(p.MaxPasswordAge ? { MaxPasswordAge: p.MaxPasswordAge } : {}),
    ...(p.PasswordReusePrevention ? { PasswordReusePrevention: p.PasswordReusePrevention } : {}),
    ...(p.HardExpiry !== undefined ? { HardExpiry: p.HardExpiry } : {}),
  };
}

/** Everything GetAccountAuthorizationDetails and GetAccountSummary read, loaded once. */
async function loadAccount(ctx: ServiceContext): Promise<{ users: UserRecord[]; groups: GroupRecord[]; roles: RoleRecord[]; policies: ManagedPolicyRecord[] }> {
  const account = ctx.caller.account;
  const [users, groups, roles, policies] = await Promise.all([
    ctx.tx.list<UserRecord>(account, KIND.user),
    ctx.tx.list<GroupRecord>(account, KIND.group),
    ctx.tx.list<RoleRecord>(account, KIND.role),
    ctx.tx.list<ManagedPolicyRecord>(account, KIND.policy),
  ]);
  return { users, groups, roles, policies };
}

/** How many entities have a managed policy attached, and how many use it as their boundary. */
function usage(a: { users: UserRecord[]; groups: GroupRecord[]; roles: RoleRecord[] }): { attachments: Map<string, number>; boundaries: Map<string, number> } {
  const attachments = new Map<string, number>();
  const boundaries = new Map<string, number>();
  const attach = (list: readonly AttachedPolicy[]): void => {
    for (const p of list) attachments.set(p.PolicyArn!, (attachments.get(p.PolicyArn!) ?? 0) + 1);
  };
  for (const u of a.users) {
    attach(u.AttachedPolicies);
    if (u.PermissionsBoundary) boundaries.set(u.PermissionsBoundary.PermissionsBoundaryArn, (boundaries.get(u.PermissionsBoundary.PermissionsBoundaryArn) ?? 0) + 1);
  }
  for (const g of a.groups) attach(g.AttachedPolicies);
  for (const r of a.roles) {
    attach(r.AttachedPolicies);
    if (r.PermissionsBoundary) boundaries.set(r.PermissionsBoundary.PermissionsBoundaryArn, (boundaries.get(r.PermissionsBoundary.PermissionsBoundaryArn) ?? 0) + 1);
  }
  return { attachments, boundaries };
}

async function inlineList(ctx: ServiceContext, kind: string, parent: string): Promise<PolicyDetail[]> {
  const list = await ctx.tx.list<InlinePolicyRecord>(ctx.caller.account, kind, { parent });
  return list.sort(byName((p) => p.PolicyName)).map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.PolicyDocument) }));
}

const attached = (list: readonly AttachedPolicy[]): AttachedPolicy[] => list.map((p) => ({ PolicyName: p.PolicyName, PolicyArn: p.PolicyArn }));

const roleBasics = (r: RoleRecord): Role => ({
  Path: r.Path,
  RoleName: r.RoleName,
  RoleId: r.RoleId,
  Arn: r.Arn,
  CreateDate: toDate(r.CreateDate)!,
  AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
});

/** A customer managed policy's versions, newest first (IAM never reuses a version number). */
async function localVersions(ctx: ServiceContext, p: ManagedPolicyRecord): Promise<PolicyVersionRecord[]> {
  const out: PolicyVersionRecord[] = [];
  for (let n = p.NextVersion - 1; n >= 1; n--) {
    const v = await ctx.tx.get<PolicyVersionRecord>(ctx.caller.account, KIND.policyVersion, `${p.Arn}#v${n}`);
    if (v) out.push(v);
  }
  return out;
}

const versionNumber = (v: string): number => Number(v.replace(/^v/, ''));

type DetailItem = { kind: 'User'; user: UserRecord } | { kind: 'Group'; group: GroupRecord } | { kind: 'Role'; role: RoleRecord } | { kind: 'LocalManagedPolicy'; policy: ManagedPolicyRecord } | { kind: 'AWSManagedPolicy'; arn: string };

export const accountHandlers: Record<string, Handler> = {
  async CreateAccountAlias(input: CreateAccountAliasCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    const alias = input.AccountAlias!;
    await ctx.authorize('iam:CreateAccountAlias', '*');
    // Aliases are unique across all accounts; an account has at most one (a new one replaces it).
    const holders = await ctx.tx.accountsWith(KIND.accountAlias, alias);
    if (holders.some((a) => a !== account)) throw entityAlreadyExists(`The account alias ${alias} already exists.`);
    if (holders.includes(account)) return;
    for (const old of await ctx.tx.list<{ AccountAlias: string }>(account, KIND.accountAlias)) await ctx.tx.delete(account, KIND.accountAlias, old.AccountAlias);
    await ctx.tx.insert(account, KIND.accountAlias, alias, { AccountAlias: alias });
  },

  async DeleteAccountAlias(input: DeleteAccountAliasCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('iam:DeleteAccountAlias', '*');
    if (!(await ctx.tx.delete(ctx.caller.account, KIND.accountAlias, input.AccountAlias!))) throw noSuchEntity(`The account alias ${input.AccountAlias!} does not exist.`);
  },

  async ListAccountAliases(input: ListAccountAliasesCommandInput, ctx: ServiceContext): Promise<Out<ListAccountAliasesCommandOutput>> {
    await ctx.authorize('iam:ListAccountAliases', '*');
    const aliases = (await ctx.tx.list<{ AccountAlias: string }>(ctx.caller.account, KIND.accountAlias)).map((a) => a.AccountAlias);
    const p = page(aliases, input.Marker, input.MaxItems);
    return { AccountAliases: p.items, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },

  async GetAccountSummary(_input: object, ctx: ServiceContext): Promise<Out<GetAccountSummaryCommandOutput>> {
    const account = ctx.caller.account;
    await ctx.authorize('iam:GetAccountSummary', '*');
    const a = await loadAccount(ctx);
    const { attachments } = usage(a);
    const count = (kind: string, parent?: string): Promise<number> => ctx.tx.count(account, kind, parent === undefined ? {} : { parent });
    const acct = await ctx.tx.get<{ rootAccessKeyId?: string }>(GLOBAL, 'account', account);
    const configuredRootKey = acct?.rootAccessKeyId ? await ctx.tx.get<{ status: string }>(GLOBAL, CREDENTIAL, acct.rootAccessKeyId) : undefined;
    const rootKeys = (await count(KIND.accessKey, account)) + (configuredRootKey ? 1 : 0);
    const mfa = await count(MFA_DEVICE);
    return {
      SummaryMap: {
        Users: a.users.length,
        Groups: a.groups.length,
        Roles: a.roles.length,
        Policies: a.policies.length,
        InstanceProfiles: await count(KIND.instanceProfile),
        Providers: (await count(KIND.samlProvider)) + (await count(KIND.oidcProvider)),
        ServerCertificates: 0,
        MFADevices: mfa,
        MFADevicesInUse: mfa,
        PolicyVersionsInUse: [...attachments.values()].reduce((s, n) => s + n, 0),
        AccountMFAEnabled: 0,
        AccountAccessKeysPresent: rootKeys > 0 ? 1 : 0,
        AccountPasswordPresent: 0,
        AccountSigningCertificatesPresent: 0,
        GlobalEndpointTokenVersion: 1,
        ...QUOTAS,
      },
    };
  },

  async UpdateAccountPasswordPolicy(input: UpdateAccountPasswordPolicyCommandInput, ctx: ServiceContext): Promise<void> {
    const account = ctx.caller.account;
    await ctx.authorize('iam:UpdateAccountPasswordPolicy', '*');
    // No partial updates: every member left out takes its default (IAM API reference).
    const record: PasswordPolicyRecord = {
      MinimumPasswordLength: input.MinimumPasswordLength ?? 6,
      RequireSymbols: input.RequireSymbols ?? false,
      RequireNumbers: input.RequireNumbers ?? false,
      RequireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
      RequireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
      AllowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
      ...(input.MaxPasswordAge !== undefined ? { MaxPasswordAge: input.MaxPasswordAge } : {}),
      ...(input.PasswordReusePrevention !== undefined ? { PasswordReusePrevention: input.PasswordReusePrevention } : {}),
      ...(input.HardExpiry !== undefined ? { HardExpiry: input.HardExpiry } : {}),
    };
    if (await ctx.tx.get(account, KIND.passwordPolicy, PASSWORD_POLICY_ID)) await ctx.tx.update(account, KIND.passwordPolicy, PASSWORD_POLICY_ID, record);
    else await ctx.tx.insert(account, KIND.passwordPolicy, PASSWORD_POLICY_ID, record);
  },

  async GetAccountPasswordPolicy(_input: object, ctx: ServiceContext): Promise<Out<GetAccountPasswordPolicyCommandOutput>> {
    const policy = await passwordPolicy(ctx);
    // Letting users change their own password lets them read the policy too, without a grant.
    if (policy?.AllowUsersToChangePassword && ctx.caller.type === 'User') ctx.noPermissionRequired('the account password policy allows users to change their own password');
    else await ctx.authorize('iam:GetAccountPasswordPolicy', '*');
    if (!policy) throw noSuchEntity(`The Password Policy with domain name ${ctx.caller.account} cannot be found.`);
    return { PasswordPolicy: passwordPolicyOutput(policy) };
  },

  async DeleteAccountPasswordPolicy(_input: object, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('iam:DeleteAccountPasswordPolicy', '*');
    if (!(await ctx.tx.delete(ctx.caller.account, KIND.passwordPolicy, PASSWORD_POLICY_ID))) throw noSuchEntity('The account policy with name PasswordPolicy cannot be found.');
  },

  async GetAccountAuthorizationDetails(input: GetAccountAuthorizationDetailsCommandInput, ctx: ServiceContext): Promise<Out<GetAccountAuthorizationDetailsCommandOutput>> {
    const account = ctx.caller.account;
    await ctx.authorize('iam:GetAccountAuthorizationDetails', '*');
    const filter = new Set<string>(input.Filter?.length ? input.Filter : ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy']);
    const a = await loadAccount(ctx);
    const { attachments, boundaries } = usage(a);
    const groupsById = new Map(a.groups.map((g) => [g.GroupId, g]));
    const rolesById = new Map(a.roles.map((r) => [r.RoleId, r]));

    // One ordered list of everything the filter selects; Marker/MaxItems page through it.
    const items: DetailItem[] = [];
    if (filter.has('User')) items.push(...[...a.users].sort(byName((u) => u.UserName)).map((user) => ({ kind: 'User' as const, user })));
    if (filter.has('Group')) items.push(...[...a.groups].sort(byName((g) => g.GroupName)).map((group) => ({ kind: 'Group' as const, group })));
    if (filter.has('Role')) items.push(...[...a.roles].sort(byName((r) => r.RoleName)).map((role) => ({ kind: 'Role' as const, role })));
    if (filter.has('LocalManagedPolicy')) items.push(...[...a.policies].sort(byName((p) => p.PolicyName)).map((policy) => ({ kind: 'LocalManagedPolicy' as const, policy })));
    if (filter.has('AWSManagedPolicy')) {
      // AWS managed policies appear only when the account uses them.
      const used = [...new Set([...attachments.keys(), ...boundaries.keys()])].filter(isAwsManaged).sort(byName((x) => x.slice(x.lastIndexOf('/') + 1)));
      items.push(...used.filter((x) => managedPolicyByArn(x)).map((x) => ({ kind: 'AWSManagedPolicy' as const, arn: x })));
    }
    const p = page(items, input.Marker, input.MaxItems);

    const profiles = p.items.some((i) => i.kind === 'Role') ? await ctx.tx.list<InstanceProfileRecord>(account, KIND.instanceProfile) : [];
    const UserDetailList: UserDetail[] = [];
    const GroupDetailList: GroupDetail[] = [];
    const RoleDetailList: RoleDetail[] = [];
    const Policies: ManagedPolicyDetail[] = [];
    for (const item of p.items) {
      switch (item.kind) {
        case 'User': {
          const u = item.user;
          UserDetailList.push({
            Path: u.Path,
            UserName: u.UserName,
            UserId: u.UserId,
            Arn: u.Arn,
            CreateDate: toDate(u.CreateDate)!,
            UserPolicyList: await inlineList(ctx, KIND.userPolicy, u.UserId),
            GroupList: u.Groups.map((id) => groupsById.get(id)?.GroupName).filter((n): n is string => n !== undefined),
            AttachedManagedPolicies: attached(u.AttachedPolicies),
            ...(u.PermissionsBoundary ? { PermissionsBoundary: u.PermissionsBoundary } : {}),
            ...(u.Tags.length ? { Tags: [...u.Tags] } : {}),
          });
          break;
        }
        case 'Group': {
          const g = item.group;
          GroupDetailList.push({
            Path: g.Path,
            GroupName: g.GroupName,
            GroupId: g.GroupId,
            Arn: g.Arn,
            CreateDate: toDate(g.CreateDate)!,
            GroupPolicyList: await inlineList(ctx, KIND.groupPolicy, g.GroupId),
            AttachedManagedPolicies: attached(g.AttachedPolicies),
          });
          break;
        }
        case 'Role': {
          const r = item.role;
          const instanceProfiles: InstanceProfile[] = profiles
            .filter((ip) => ip.Roles.includes(r.RoleId))
            .map((ip) => ({
              Path: ip.Path,
              InstanceProfileName: ip.InstanceProfileName,
              InstanceProfileId: ip.InstanceProfileId,
              Arn: ip.Arn,
              CreateDate: toDate(ip.CreateDate)!,
              Roles: ip.Roles.map((id) => rolesById.get(id)).filter((x): x is RoleRecord => x !== undefined).map(roleBasics),
              ...(ip.Tags?.length ? { Tags: [...ip.Tags] } : {}),
            }));
          RoleDetailList.push({
            ...roleBasics(r),
            InstanceProfileList: instanceProfiles,
            RolePolicyList: await inlineList(ctx, KIND.rolePolicy, r.RoleId),
            AttachedManagedPolicies: attached(r.AttachedPolicies),
            ...(r.PermissionsBoundary ? { PermissionsBoundary: r.PermissionsBoundary } : {}),
            ...(r.Tags.length ? { Tags: [...r.Tags] } : {}),
            RoleLastUsed: r.RoleLastUsed?.LastUsedDate ? { LastUsedDate: toDate(r.RoleLastUsed.LastUsedDate)!, ...(r.RoleLastUsed.Region ? { Region: r.RoleLastUsed.Region } : {}) } : {},
          });
          break;
        }
        case 'LocalManagedPolicy': {
          const pol = item.policy;
          Policies.push({
            PolicyName: pol.PolicyName,
            PolicyId: pol.PolicyId,
            Arn: pol.Arn,
            Path: pol.Path,
            DefaultVersionId: pol.DefaultVersionId,
            AttachmentCount: attachments.get(pol.Arn) ?? 0,
            PermissionsBoundaryUsageCount: boundaries.get(pol.Arn) ?? 0,
            IsAttachable: pol.IsAttachable,
            ...(pol.Description !== undefined ? { Description: pol.Description } : {}),
            CreateDate: toDate(pol.CreateDate)!,
            UpdateDate: toDate(pol.UpdateDate)!,
            PolicyVersionList: (await localVersions(ctx, pol)).map((v) => ({ Document: encodeDocument(v.Document), VersionId: v.VersionId, IsDefaultVersion: v.VersionId === pol.DefaultVersionId, CreateDate: toDate(v.CreateDate)! })),
          });
          break;
        }
        case 'AWSManagedPolicy': {
          const m = managedPolicyByArn(item.arn)!;
          Policies.push({
            PolicyName: m.name,
            PolicyId: awsManagedPolicyId(m.arn),
            Arn: m.arn,
            Path: m.path,
            DefaultVersionId: m.defaultVersionId,
            AttachmentCount: attachments.get(m.arn) ?? 0,
            PermissionsBoundaryUsageCount: boundaries.get(m.arn) ?? 0,
            IsAttachable: true,
            CreateDate: new Date(m.createDate),
            UpdateDate: new Date(m.updateDate),
            PolicyVersionList: [...m.versions]
              .sort((x, y) => versionNumber(y.versionId) - versionNumber(x.versionId))
              .map((v) => ({ Document: encodeDocument(JSON.stringify(v.document)), VersionId: v.versionId, IsDefaultVersion: v.versionId === m.defaultVersionId, CreateDate: new Date(v.createDate) })),
          });
          break;
        }
      }
    }
    return { UserDetailList, GroupDetailList, RoleDetailList, Policies, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
  },
};
