/**
 * Account assignments: a user or group of the identity store gets a permission set in an
 * account. Creating the first assignment of a set in an account provisions the set's role
 * there (provisioning.ts); deleting the last one removes it. ProvisionPermissionSet brings
 * provisioned roles up to date after the set changes. Each is a task with a status
 * (assignment-records.ts).
 *
 * Choices where AWS's documentation is silent:
 * - A principal that is not in the instance's identity store, or an account outside the
 *   organization (for an account instance: any other account), is refused at once with
 *   ResourceNotFoundException / ValidationException rather than as a failed task.
 * - Assigning what is already assigned succeeds (the task SUCCEEDED, nothing changes).
 */
import { randomUUID } from 'node:crypto';
import type * as S from '@aws-sdk/client-sso-admin';
import type { SecretBox } from '../../auth/secrets.js';
import { AwsError } from '../../models/errors.js';
import { principalExists } from '../identitystore/directory.js';
import type { Handler, ServiceContext } from '../types.js';
import {
  ASSIGNMENT_KIND,
  TASK_KIND,
  assignmentId,
  assignmentsOf,
  type AssignmentRecord,
  type AssignmentTask,
  type PrincipalType,
  type ProvisioningTask,
} from './assignment-records.js';
import type { InstanceRecord } from './instances.js';
import { instanceOf, permissionSetOf, PERMISSION_SET_KIND, type PermissionSetRecord } from './permission-sets.js';
import { deprovision, provision, provisionedId, provisionedRecords, PROVISIONED_KIND, type ProvisionedRecord } from './provisioning.js';

type Out<T> = Omit<T, '$metadata'>;

const accountArn = (account: string): string => `arn:aws:sso:::account/${account}`;
const validation = (message: string): AwsError => new AwsError('ValidationException', message);
const notFound = (message: string): AwsError => new AwsError('ResourceNotFoundException', message);

/** Offset paging; the token is opaque to clients. */
function page<T>(items: readonly T[], input: { NextToken?: string; MaxResults?: number }): { items: T[]; NextToken?: string } {
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation('The NextToken is not valid.');
  const max = input.MaxResults ?? 100;
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return { items: items.slice(start, start + max), ...(next ? { NextToken: next } : {}) };
}

/** The account can hold the instance's roles: for an organization instance, a member of its organization. */
async function checkTarget(ctx: ServiceContext, instance: InstanceRecord, account: string): Promise<void> {
  if (account === instance.OwnerAccountId) return;
  const org = instance.Organization ? await ctx.organizationOf(account) : undefined;
  if (org?.principalKeys['aws:PrincipalOrgMasterAccountId'] !== instance.OwnerAccountId) throw validation(`The account ${account} is not a member of the organization of this instance.`);
}

async function checkPrincipal(ctx: ServiceContext, instance: InstanceRecord, type: string, id: string): Promise<void> {
  if (!(await principalExists(ctx.tx, instance.OwnerAccountId, instance.IdentityStoreId, type as PrincipalType, id))) {
    throw notFound(`${type === 'GROUP' ? 'Group' : 'User'} ${id} does not exist in the identity store ${instance.IdentityStoreId}.`);
  }
}

/** Run a task's work; a failure becomes the task's FailureReason and undoes the work. */
async function runTask(ctx: ServiceContext, work: () => Promise<void>): Promise<{ Status: 'SUCCEEDED' } | { Status: 'FAILED'; FailureReason: string }> {
  try {
    await ctx.tx.savepoint(work);
    return { Status: 'SUCCEEDED' };
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    return { Status: 'FAILED', FailureReason: `${e.code}: ${e.message}` };
  }
}

const taskView = (t: AssignmentTask, asked = false): S.AccountAssignmentOperationStatus => ({
  // The starting operation answers IN_PROGRESS; the status operations, the outcome.
  Status: asked ? t.Status : 'IN_PROGRESS',
  RequestId: t.RequestId,
  ...(asked && t.FailureReason ? { FailureReason: t.FailureReason } : {}),
  TargetId: t.TargetId,
  TargetType: t.TargetType,
  PermissionSetArn: t.PermissionSetArn,
  PrincipalType: t.PrincipalType,
  PrincipalId: t.PrincipalId,
  CreatedDate: new Date(t.CreatedDate),
});

const provisioningView = (t: ProvisioningTask, asked = false): S.PermissionSetProvisioningStatus => ({
  Status: asked ? t.Status : 'IN_PROGRESS',
  RequestId: t.RequestId,
  ...(t.AccountId ? { AccountId: t.AccountId } : {}),
  PermissionSetArn: t.PermissionSetArn,
  ...(asked && t.FailureReason ? { FailureReason: t.FailureReason } : {}),
  CreatedDate: new Date(t.CreatedDate),
});

interface AssignmentInput {
  InstanceArn?: string;
  TargetId?: string;
  TargetType?: string;
  PermissionSetArn?: string;
  PrincipalType?: string;
  PrincipalId?: string;
}

async function assignmentTarget(ctx: ServiceContext, action: string, input: AssignmentInput): Promise<{ instance: InstanceRecord; set: PermissionSetRecord }> {
  // The instance, the permission set and the account (every account, when none is named).
  for (const arn of [input.InstanceArn!, input.PermissionSetArn!, accountArn(input.TargetId ?? '*')]) await ctx.authorize(action, arn);
  const instance = await instanceOf(ctx, input.InstanceArn);
  const set = await permissionSetOf(ctx, instance, input.PermissionSetArn);
  return { instance, set };
}

export function assignmentHandlers(box: SecretBox): Record<string, Handler> {
  return {
    async CreateAccountAssignment(input: S.CreateAccountAssignmentCommandInput, ctx: ServiceContext): Promise<Out<S.CreateAccountAssignmentCommandOutput>> {
      const { instance, set } = await assignmentTarget(ctx, 'sso:CreateAccountAssignment', input);
      const account = input.TargetId!;
      await checkTarget(ctx, instance, account);
      await checkPrincipal(ctx, instance, input.PrincipalType!, input.PrincipalId!);
      const record: AssignmentRecord = {
        InstanceArn: instance.InstanceArn,
        PermissionSetArn: set.PermissionSetArn,
        AccountId: account,
        PrincipalType: input.PrincipalType as PrincipalType,
        PrincipalId: input.PrincipalId!,
        CreatedDate: ctx.now.toISOString(),
      };
      const outcome = await runTask(ctx, async () => {
        if (await ctx.tx.get(instance.OwnerAccountId, ASSIGNMENT_KIND, assignmentId(record))) return;
        const provisioned = await ctx.tx.get<ProvisionedRecord>(instance.OwnerAccountId, PROVISIONED_KIND, provisionedId(set.PermissionSetArn, account));
        if (!provisioned) await provision(ctx, box, instance, set, account);
        await ctx.tx.insert(instance.OwnerAccountId, ASSIGNMENT_KIND, assignmentId(record), record, { parent: instance.InstanceArn });
      });
      const task: AssignmentTask = { RequestId: randomUUID(), ...outcome, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: set.PermissionSetArn, PrincipalType: record.PrincipalType, PrincipalId: record.PrincipalId, CreatedDate: record.CreatedDate };
      await ctx.tx.insert(instance.OwnerAccountId, TASK_KIND.creation, task.RequestId, task, { parent: instance.InstanceArn });
      return { AccountAssignmentCreationStatus: taskView(task) };
    },

    async DeleteAccountAssignment(input: S.DeleteAccountAssignmentCommandInput, ctx: ServiceContext): Promise<Out<S.DeleteAccountAssignmentCommandOutput>> {
      const { instance, set } = await assignmentTarget(ctx, 'sso:DeleteAccountAssignment', input);
      const account = input.TargetId!;
      const id = assignmentId({ PermissionSetArn: set.PermissionSetArn, AccountId: account, PrincipalType: input.PrincipalType!, PrincipalId: input.PrincipalId! });
      if (!(await ctx.tx.get(instance.OwnerAccountId, ASSIGNMENT_KIND, id))) throw notFound('The account assignment does not exist.');
      const outcome = await runTask(ctx, async () => {
        await ctx.tx.delete(instance.OwnerAccountId, ASSIGNMENT_KIND, id);
        // The role goes with the last assignment of the set in the account.
        const remaining = (await assignmentsOf(ctx, instance)).some((a) => a.PermissionSetArn === set.PermissionSetArn && a.AccountId === account);
        const provisioned = await ctx.tx.get<ProvisionedRecord>(instance.OwnerAccountId, PROVISIONED_KIND, provisionedId(set.PermissionSetArn, account));
        if (!remaining && provisioned) await deprovision(ctx, instance, provisioned);
      });
      const task: AssignmentTask = { RequestId: randomUUID(), ...outcome, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: set.PermissionSetArn, PrincipalType: input.PrincipalType as PrincipalType, PrincipalId: input.PrincipalId!, CreatedDate: ctx.now.toISOString() };
      await ctx.tx.insert(instance.OwnerAccountId, TASK_KIND.deletion, task.RequestId, task, { parent: instance.InstanceArn });
      return { AccountAssignmentDeletionStatus: taskView(task) };
    },

    async DescribeAccountAssignmentCreationStatus(input: S.DescribeAccountAssignmentCreationStatusCommandInput, ctx: ServiceContext): Promise<Out<S.DescribeAccountAssignmentCreationStatusCommandOutput>> {
      return { AccountAssignmentCreationStatus: taskView(await assignmentTask(ctx, 'sso:DescribeAccountAssignmentCreationStatus', TASK_KIND.creation, input.InstanceArn, input.AccountAssignmentCreationRequestId), true) };
    },

    async DescribeAccountAssignmentDeletionStatus(input: S.DescribeAccountAssignmentDeletionStatusCommandInput, ctx: ServiceContext): Promise<Out<S.DescribeAccountAssignmentDeletionStatusCommandOutput>> {
      return { AccountAssignmentDeletionStatus: taskView(await assignmentTask(ctx, 'sso:DescribeAccountAssignmentDeletionStatus', TASK_KIND.deletion, input.InstanceArn, input.AccountAssignmentDeletionRequestId), true) };
    },

    async ListAccountAssignmentCreationStatus(input: S.ListAccountAssignmentCreationStatusCommandInput, ctx: ServiceContext): Promise<Out<S.ListAccountAssignmentCreationStatusCommandOutput>> {
      const { items, NextToken } = await listTasks<AssignmentTask>(ctx, 'sso:ListAccountAssignmentCreationStatus', TASK_KIND.creation, input);
      return { AccountAssignmentsCreationStatus: items.map((t) => ({ Status: t.Status, RequestId: t.RequestId, CreatedDate: new Date(t.CreatedDate) })), ...(NextToken ? { NextToken } : {}) };
    },

    async ListAccountAssignmentDeletionStatus(input: S.ListAccountAssignmentDeletionStatusCommandInput, ctx: ServiceContext): Promise<Out<S.ListAccountAssignmentDeletionStatusCommandOutput>> {
      const { items, NextToken } = await listTasks<AssignmentTask>(ctx, 'sso:ListAccountAssignmentDeletionStatus', TASK_KIND.deletion, input);
      return { AccountAssignmentsDeletionStatus: items.map((t) => ({ Status: t.Status, RequestId: t.RequestId, CreatedDate: new Date(t.CreatedDate) })), ...(NextToken ? { NextToken } : {}) };
    },

    async ListAccountAssignments(input: S.ListAccountAssignmentsCommandInput, ctx: ServiceContext): Promise<Out<S.ListAccountAssignmentsCommandOutput>> {
      const { instance, set } = await assignmentTarget(ctx, 'sso:ListAccountAssignments', { ...input, TargetId: input.AccountId! });
      const all = (await assignmentsOf(ctx, instance)).filter((a) => a.PermissionSetArn === set.PermissionSetArn && a.AccountId === input.AccountId);
      const { items, NextToken } = page(all, input);
      return { AccountAssignments: items.map((a) => ({ AccountId: a.AccountId, PermissionSetArn: a.PermissionSetArn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId })), ...(NextToken ? { NextToken } : {}) };
    },

    async ListAccountAssignmentsForPrincipal(input: S.ListAccountAssignmentsForPrincipalCommandInput, ctx: ServiceContext): Promise<Out<S.ListAccountAssignmentsForPrincipalCommandOutput>> {
      await ctx.authorize('sso:ListAccountAssignmentsForPrincipal', input.InstanceArn!);
      const instance = await instanceOf(ctx, input.InstanceArn);
      const all = (await assignmentsOf(ctx, instance)).filter(
        (a) => a.PrincipalType === input.PrincipalType && a.PrincipalId === input.PrincipalId && (!input.Filter?.AccountId || a.AccountId === input.Filter.AccountId),
      );
      const { items, NextToken } = page(all, input);
      return { AccountAssignments: items.map((a) => ({ AccountId: a.AccountId, PermissionSetArn: a.PermissionSetArn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId })), ...(NextToken ? { NextToken } : {}) };
    },

    async ProvisionPermissionSet(input: S.ProvisionPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.ProvisionPermissionSetCommandOutput>> {
      const all = input.TargetType === 'ALL_PROVISIONED_ACCOUNTS';
      if (all === (input.TargetId !== undefined)) throw validation(all ? 'TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS.' : 'TargetId is required when TargetType is AWS_ACCOUNT.');
      const { instance, set } = await assignmentTarget(ctx, 'sso:ProvisionPermissionSet', input);
      if (!all) await checkTarget(ctx, instance, input.TargetId!);
      const provisioned = (await provisionedRecords(ctx, instance)).filter((p) => p.PermissionSetArn === set.PermissionSetArn);
      const outcome = await runTask(ctx, async () => {
        if (all) for (const p of provisioned) await provision(ctx, box, instance, set, p.AccountId, p);
        else await provision(ctx, box, instance, set, input.TargetId!, provisioned.find((p) => p.AccountId === input.TargetId));
      });
      const task: ProvisioningTask = { RequestId: randomUUID(), ...outcome, ...(all ? {} : { AccountId: input.TargetId! }), PermissionSetArn: set.PermissionSetArn, CreatedDate: ctx.now.toISOString() };
      await ctx.tx.insert(instance.OwnerAccountId, TASK_KIND.provisioning, task.RequestId, task, { parent: instance.InstanceArn });
      return { PermissionSetProvisioningStatus: provisioningView(task) };
    },

    async DescribePermissionSetProvisioningStatus(input: S.DescribePermissionSetProvisioningStatusCommandInput, ctx: ServiceContext): Promise<Out<S.DescribePermissionSetProvisioningStatusCommandOutput>> {
      await ctx.authorize('sso:DescribePermissionSetProvisioningStatus', input.InstanceArn!);
      const instance = await instanceOf(ctx, input.InstanceArn);
      const task = await ctx.tx.get<ProvisioningTask>(instance.OwnerAccountId, TASK_KIND.provisioning, input.ProvisionPermissionSetRequestId!);
      if (!task) throw notFound(`The provisioning request ${input.ProvisionPermissionSetRequestId!} does not exist.`);
      return { PermissionSetProvisioningStatus: provisioningView(task, true) };
    },

    async ListPermissionSetProvisioningStatus(input: S.ListPermissionSetProvisioningStatusCommandInput, ctx: ServiceContext): Promise<Out<S.ListPermissionSetProvisioningStatusCommandOutput>> {
      const { items, NextToken } = await listTasks<ProvisioningTask>(ctx, 'sso:ListPermissionSetProvisioningStatus', TASK_KIND.provisioning, input);
      return { PermissionSetsProvisioningStatus: items.map((t) => ({ Status: t.Status, RequestId: t.RequestId, CreatedDate: new Date(t.CreatedDate) })), ...(NextToken ? { NextToken } : {}) };
    },

    async ListAccountsForProvisionedPermissionSet(input: S.ListAccountsForProvisionedPermissionSetCommandInput, ctx: ServiceContext): Promise<Out<S.ListAccountsForProvisionedPermissionSetCommandOutput>> {
      await ctx.authorize('sso:ListAccountsForProvisionedPermissionSet', input.PermissionSetArn!);
      await ctx.authorize('sso:ListAccountsForProvisionedPermissionSet', input.InstanceArn!);
      const instance = await instanceOf(ctx, input.InstanceArn);
      const set = await permissionSetOf(ctx, instance, input.PermissionSetArn);
      const all = (await provisionedRecords(ctx, instance)).filter((p) => p.PermissionSetArn === set.PermissionSetArn && statusMatches(p, set, input.ProvisioningStatus));
      const { items, NextToken } = page(all, input);
      return { AccountIds: items.map((p) => p.AccountId), ...(NextToken ? { NextToken } : {}) };
    },

    async ListPermissionSetsProvisionedToAccount(input: S.ListPermissionSetsProvisionedToAccountCommandInput, ctx: ServiceContext): Promise<Out<S.ListPermissionSetsProvisionedToAccountCommandOutput>> {
      await ctx.authorize('sso:ListPermissionSetsProvisionedToAccount', input.InstanceArn!);
      await ctx.authorize('sso:ListPermissionSetsProvisionedToAccount', accountArn(input.AccountId!));
      const instance = await instanceOf(ctx, input.InstanceArn);
      const out: string[] = [];
      for (const p of await provisionedRecords(ctx, instance)) {
        if (p.AccountId !== input.AccountId) continue;
        const set = await ctx.tx.get<PermissionSetRecord>(instance.OwnerAccountId, PERMISSION_SET_KIND, p.PermissionSetArn);
        if (set && statusMatches(p, set, input.ProvisioningStatus)) out.push(p.PermissionSetArn);
      }
      const { items, NextToken } = page(out, input);
      return { PermissionSets: items, ...(NextToken ? { NextToken } : {}) };
    },
  };
}

/** LATEST_PERMISSION_SET_PROVISIONED: the role reflects the set as it is now. */
function statusMatches(p: ProvisionedRecord, set: PermissionSetRecord, wanted: string | undefined): boolean {
  if (!wanted) return true;
  const latest = p.Revision === (set.Revision ?? 0);
  return wanted === 'LATEST_PERMISSION_SET_PROVISIONED' ? latest : !latest;
}

async function assignmentTask(ctx: ServiceContext, action: string, kind: string, instanceArn: string | undefined, requestId: string | undefined): Promise<AssignmentTask> {
  await ctx.authorize(action, instanceArn!);
  const instance = await instanceOf(ctx, instanceArn);
  const task = await ctx.tx.get<AssignmentTask>(instance.OwnerAccountId, kind, requestId!);
  if (!task) throw notFound(`The request ${requestId!} does not exist.`);
  return task;
}

async function listTasks<T extends { Status: string }>(ctx: ServiceContext, action: string, kind: string, input: { InstanceArn?: string; Filter?: { Status?: string }; NextToken?: string; MaxResults?: number }): Promise<{ items: T[]; NextToken?: string }> {
  await ctx.authorize(action, input.InstanceArn!);
  const instance = await instanceOf(ctx, input.InstanceArn);
  const all = (await ctx.tx.list<T>(instance.OwnerAccountId, kind, { parent: instance.InstanceArn })).filter((t) => !input.Filter?.Status || t.Status === input.Filter.Status);
  return page(all, input);
}
