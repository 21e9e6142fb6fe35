/**
 * CreateAccount: a new member account, made by the management account. Gatehouse creates
 * the account with fresh root keys (readable with `gatehouse accounts list`, so tests can
 * act as its root), puts it under the root, attaches the default policies, and creates the
 * role AWS creates in it, `OrganizationAccountAccessRole` (or the RoleName given): trusting
 * the management account, with AdministratorAccess. The role is created through IAM in the
 * new account, invoked by Organizations (CloudTrail shows it). The request is asynchronous
 * as in AWS: `IN_PROGRESS`, then `SUCCEEDED` with the account id after a short delay.
 */
import type * as O from '@aws-sdk/client-organizations';
import { createAccount } from '../../auth/accounts.js';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceContext } from '../types.js';
import { accountJoined, attachDefaults, invalidInput, orgError, MEMBERSHIP_ID, KIND, page, requireManagement, save, tagContext, toTags, randomChars, type Membership, type OrgState } from './state.js';
import { requireReader } from './delegations.js';

type Out<T> = Omit<T, '$metadata'>;

const SERVICE = 'organizations.amazonaws.com';
const ADMINISTRATOR = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** How long a CreateAccount request stays IN_PROGRESS (AWS: minutes; Gatehouse: a moment). */
let settleMs = 100;
export function setCreateAccountDelay(ms: number): number {
  const before = settleMs;
  settleMs = ms;
  return before;
}

export interface CreateAccountRequestRecord {
  readonly Id: string;
  readonly AccountName: string;
  readonly AccountId: string;
  readonly RequestedTimestamp: string;
}

const statusOf = (r: CreateAccountRequestRecord, now: Date): O.CreateAccountStatus => {
  const done = now.getTime() - Date.parse(r.RequestedTimestamp) >= settleMs;
  return {
    Id: r.Id,
    AccountName: r.AccountName,
    State: done ? 'SUCCEEDED' : 'IN_PROGRESS',
    RequestedTimestamp: new Date(r.RequestedTimestamp),
    ...(done ? { CompletedTimestamp: new Date(Date.parse(r.RequestedTimestamp) + settleMs), AccountId: r.AccountId } : {}),
  };
};

const requestsOf = (s: OrgState): CreateAccountRequestRecord[] => ((s as OrgState & { CreateAccountRequests?: CreateAccountRequestRecord[] }).CreateAccountRequests ??= []);

/** Told of each account CreateAccount makes, with its root keys (the server logs them: the user acts as that root). */
export type AccountCreatedLog = (account: { readonly id: string; readonly accessKeyId: string; readonly secretAccessKey: string }) => void;

export function createAccountHandlers(credentials: Credentials, logCreated: AccountCreatedLog = () => undefined): Record<string, Handler> {
  return {
    async CreateAccount(input: O.CreateAccountCommandInput, ctx: ServiceContext): Promise<Out<O.CreateAccountCommandOutput>> {
      const tags = toTags(input.Tags);
      await ctx.authorize('organizations:CreateAccount', '*', { context: tagContext(tags) });
      const s = await requireManagement(ctx);
      const roleName = input.RoleName ?? 'OrganizationAccountAccessRole';
      if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw invalidInput('INVALID_ROLE_NAME', 'You provided a role name that is not valid.');
      const created = await createAccount(ctx.tx, credentials, SERVICE, ctx.now);
      s.Accounts.push({ Id: created.id, Name: input.AccountName!, Email: input.Email!, ParentId: s.Root.Id, JoinedMethod: 'CREATED', JoinedTimestamp: ctx.now.toISOString(), Tags: tags });
      attachDefaults(s, created.id);
      await ctx.tx.insert<Membership>(created.id, KIND.membership, MEMBERSHIP_ID, { OrganizationId: s.Id, ManagementAccountId: s.ManagementAccountId });
      // The access role, made in the new account by Organizations.
      const iam = ctx.asAccount(created.id, SERVICE);
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${s.ManagementAccountId}:root` }, Action: 'sts:AssumeRole' }] };
      await iam.call('iam', 'CreateRole', { RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) });
      await iam.call('iam', 'AttachRolePolicy', { RoleName: roleName, PolicyArn: ADMINISTRATOR });
      await accountJoined(ctx, s, created.id);
      const request: CreateAccountRequestRecord = { Id: `car-${randomChars(32, '0123456789abcdef')}`, AccountName: input.AccountName!, AccountId: created.id, RequestedTimestamp: ctx.now.toISOString() };
      requestsOf(s).push(request);
      await save(ctx, s);
      logCreated(created);
      return { CreateAccountStatus: statusOf(request, ctx.now) };
    },

    async DescribeCreateAccountStatus(input: O.DescribeCreateAccountStatusCommandInput, ctx: ServiceContext): Promise<Out<O.DescribeCreateAccountStatusCommandOutput>> {
      await ctx.authorize('organizations:DescribeCreateAccountStatus', '*');
      const s = await requireReader(ctx);
      const r = requestsOf(s).find((x) => x.Id === input.CreateAccountRequestId);
      if (!r) throw orgError('CreateAccountStatusNotFoundException', 'We can\'t find an create account request with the CreateAccountRequestId that you specified.');
      return { CreateAccountStatus: statusOf(r, ctx.now) };
    },

    async ListCreateAccountStatus(input: O.ListCreateAccountStatusCommandInput, ctx: ServiceContext): Promise<Out<O.ListCreateAccountStatusCommandOutput>> {
      await ctx.authorize('organizations:ListCreateAccountStatus', '*');
      const s = await requireReader(ctx);
      const all = requestsOf(s).map((r) => statusOf(r, ctx.now)).filter((x) => !input.States?.length || input.States.includes(x.State!));
      const p = page(all, input);
      return { CreateAccountStatuses: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
    },
  };
}
