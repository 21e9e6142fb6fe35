/**
 * Account assignments and the records of IAM Identity Center's asynchronous tasks, kept in
 * the instance's account with the instance as parent.
 *
 * The tasks (assignment creation and deletion, permission set provisioning) run within
 * the request that starts them, so their effects are committed with it; the operation
 * answers `IN_PROGRESS`, as AWS's does, and the status operations report how the task
 * ended (`SUCCEEDED`, or `FAILED` with the reason).
 */
import type { ServiceContext } from '../types.js';
import type { InstanceRecord } from './instances.js';

export const ASSIGNMENT_KIND = 'sso:account-assignment';
export const TASK_KIND = {
  creation: 'sso:assignment-creation',
  deletion: 'sso:assignment-deletion',
  provisioning: 'sso:permission-set-provisioning',
} as const;

export type PrincipalType = 'USER' | 'GROUP';

export interface AssignmentRecord {
  readonly InstanceArn: string;
  readonly PermissionSetArn: string;
  readonly AccountId: string;
  readonly PrincipalType: PrincipalType;
  readonly PrincipalId: string;
  readonly CreatedDate: string;
}

export const assignmentId = (a: { PermissionSetArn: string; AccountId: string; PrincipalType: string; PrincipalId: string }): string =>
  `${a.PermissionSetArn}|${a.AccountId}|${a.PrincipalType}|${a.PrincipalId}`;

/** An assignment task (creation or deletion) as its status operations show it. */
export interface AssignmentTask {
  readonly RequestId: string;
  readonly Status: 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';
  readonly FailureReason?: string;
  readonly TargetId: string;
  readonly TargetType: 'AWS_ACCOUNT';
  readonly PermissionSetArn: string;
  readonly PrincipalType: PrincipalType;
  readonly PrincipalId: string;
  readonly CreatedDate: string;
}

export interface ProvisioningTask {
  readonly RequestId: string;
  readonly Status: 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';
  readonly FailureReason?: string;
  readonly AccountId?: string;
  readonly PermissionSetArn: string;
  readonly CreatedDate: string;
}

export async function assignmentsOf(ctx: ServiceContext, instance: InstanceRecord): Promise<AssignmentRecord[]> {
  return ctx.tx.list<AssignmentRecord>(instance.OwnerAccountId, ASSIGNMENT_KIND, { parent: instance.InstanceArn });
}
