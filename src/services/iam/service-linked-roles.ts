/**
 * IAM: service-linked roles (iam.md §12). CreateServiceLinkedRole makes the role exactly
 * as AWS does (path `/aws-service-role/<principal>/`, a trust policy for that principal,
 * the service's AWS managed policy attached); DeleteServiceLinkedRole starts a deletion
 * task; GetServiceLinkedRoleDeletionStatus reports it.
 *
 * Deletion is asynchronous, as in AWS, without a background worker: a task stores its
 * creation time and its status is derived from the time elapsed (`NOT_STARTED`, then
 * `IN_PROGRESS`, then a conclusion; see `setSlrDeletionTiming`). The task concludes the
 * first time GetServiceLinkedRoleDeletionStatus sees it due: the owning service's usage
 * checks (`registerRoleUsageCheck`) are asked whether anything still uses the role; if
 * nothing does the role is deleted (`SUCCEEDED`), otherwise it stays and the task is
 * `FAILED` with the usage list. Until someone polls a due task the role is still there
 * (GetRole, ListRoles see it); the SDKs, CLI and Terraform all poll.
 *
 * Also here, for other services:
 * - `ensureServiceLinkedRole` / `createServiceLinkedRole`, for services that create
 *   their SLR on first use (Client VPN's first endpoint);
 * - IAM's implementation of the PassRole role lookup (src/auth/pass-role.ts), registered
 *   when this module loads (the IAM service index always imports it).
 *
 * The attached AWS managed policy is counted (and uncounted on deletion) with the
 * policies family's `countAttachment` (a `KIND.awsPolicyUsage` record per account).
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateServiceLinkedRoleCommandInput,
  CreateServiceLinkedRoleCommandOutput,
  DeleteServiceLinkedRoleCommandInput,
  DeleteServiceLinkedRoleCommandOutput,
  DeletionTaskStatusType,
  GetServiceLinkedRoleDeletionStatusCommandInput,
  GetServiceLinkedRoleDeletionStatusCommandOutput,
} from '@aws-sdk/client-iam';
import { serviceLinkedRoleFor, type ServiceLinkedRoleSpec } from '../../catalog/service-linked-roles.js';
import { awsId } from '../../auth/credentials.js';
import { setRoleLookup, type RoleLookup } from '../../auth/pass-role.js';
import type { Tx } from '../../store/index.js';
import { KIND, arn, insertNamed, invalidInput, noSuchEntity, type RoleRecord } from './records.js';
import { roleOutput } from './roles.js';
import { iamChanged } from './policy-source.js';
import { countAttachment } from './policies.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export const SLR_PATH_PREFIX = '/aws-service-role/';

// ---------------------------------------------------------------------------------
// Usage checks: what the owning service still has that uses its role

export interface RoleUsage {
  readonly region: string;
  /** ARNs of the resources that use the role. */
  readonly resources: readonly string[];
}

/**
 * Asked when a deletion task concludes: which of the service's resources in `account`
 * still use the role. `tx` is the store handle of the request that concludes the task;
 * read through it (another handle would wait on the connection the request holds).
 */
export type RoleUsageCheck = (account: string, roleArn: string, tx: Tx) => Promise<readonly RoleUsage[]>;

const usageChecks = new Map<string, RoleUsageCheck[]>();

/** Register a service's usage check for its service-linked role; returns an unregister function. */
export function registerRoleUsageCheck(principal: string, check: RoleUsageCheck): () => void {
  const list = usageChecks.get(principal) ?? [];
  list.push(check);
  usageChecks.set(principal, list);
  return () => {
    const l = usageChecks.get(principal);
    const i = l?.indexOf(check) ?? -1;
    if (l && i >= 0) l.splice(i, 1);
  };
}

async function roleUsage(principal: string, account: string, roleArn: string, tx: Tx): Promise<RoleUsage[]> {
  const byRegion = new Map<string, string[]>();
  for (const check of usageChecks.get(principal) ?? []) {
    for (const u of await check(account, roleArn, tx)) {
      if (u.resources.length === 0) continue;
      const list = byRegion.get(u.region) ?? [];
      for (const r of u.resources) if (!list.includes(r)) list.push(r);
      byRegion.set(u.region, list);
    }
  }
  return [...byRegion].map(([region, resources]) => ({ region, resources }));
}

// ---------------------------------------------------------------------------------
// Deletion timing

export interface SlrDeletionTiming {
  /** A task reads NOT_STARTED for this long after DeleteServiceLinkedRole. */
  readonly notStartedMs: number;
  /** ...then IN_PROGRESS until this long after it, when it concludes. */
  readonly completeAfterMs: number;
}

let timing: SlrDeletionTiming = { notStartedMs: 50, completeAfterMs: 200 };

/** Change how long deletion tasks take (tests, or a slower, more AWS-like pace); returns the previous timing. */
export function setSlrDeletionTiming(t: Partial<SlrDeletionTiming>): SlrDeletionTiming {
  const previous = timing;
  timing = { ...timing, ...t };
  return previous;
}

// ---------------------------------------------------------------------------------
// Records

export interface SlrDeletionRecord {
  readonly DeletionTaskId: string;
  readonly RoleName: string;
  readonly RoleId: string;
  readonly RoleArn: string;
  readonly ServiceName: string;
  readonly CreateDate: string;
  /** Set once the task has concluded. */
  readonly Status?: 'SUCCEEDED' | 'FAILED';
  readonly CompletedDate?: string;
  readonly Reason?: { readonly Reason: string; readonly RoleUsageList: readonly { readonly Region: string; readonly Resources: readonly string[] }[] };
}

/** The trust policy AWS writes for an SLR, byte for byte (Action and Service are strings). */
export const slrTrustPolicy = (principal: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: principal } }] });

const slrArn = (account: string, principal: string, roleName: string): string => arn(account, 'role', `${SLR_PATH_PREFIX}${principal}/`, roleName);

/** `task/aws-service-role/<principal>/<RoleName>/<uuid>` */
const TASK_ID = /^task\/aws-service-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const isServiceLinked = (r: RoleRecord): r is RoleRecord & { ServiceLinked: string } => r.ServiceLinked !== undefined && r.Path.startsWith(SLR_PATH_PREFIX);

// ---------------------------------------------------------------------------------
// Creation, shared with services that create their SLR on first use

export interface CreateSlrOptions {
  readonly description?: string;
  readonly customSuffix?: string;
  /**
   * The service creates the role itself (on first use): the role gets the service's own
   * description when it sets one.
   */
  readonly serviceCreated?: boolean;
  /** How to authorize iam:CreateServiceLinkedRole (a service acting for its caller passes its forward-access authorize). */
  readonly authorize?: ServiceContext['authorize'];
}

function specFor(service: string): ServiceLinkedRoleSpec {
  const spec = serviceLinkedRoleFor(service);
  // Undocumented — choice (iam.md §12.1): an unknown service name is InvalidInput.
  if (!spec) throw invalidInput(`Invalid ServiceName: ${service} is not a service that supports service-linked roles.`);
  return spec;
}

/** Create the service's SLR in the caller's account, as CreateServiceLinkedRole does. */
export async function createServiceLinkedRole(ctx: ServiceContext, service: string, options: CreateSlrOptions = {}): Promise<RoleRecord> {
  const account = ctx.caller.account;
  const spec = specFor(service);
  if (options.customSuffix !== undefined && !spec.customSuffix) throw invalidInput(`Custom suffix is not allowed for ${service}`);
  const roleName = options.customSuffix !== undefined ? `${spec.roleName}_${options.customSuffix}` : spec.roleName;
  const roleArn = slrArn(account, service, roleName);
  await (options.authorize ?? ctx.authorize)('iam:CreateServiceLinkedRole', roleArn, { context: { 'iam:AWSServiceName': service } });
  // Role names are at most 64 characters (roleNameType); a suffix can push one over.
  if (roleName.length > 64) throw invalidInput(`Service role name ${roleName} is longer than 64 characters, please try a shorter suffix.`);
  const taken = `Service role name ${roleName} has been taken in this account, please try a different suffix.`;
  if (await ctx.tx.getByName<RoleRecord>(account, KIND.role, roleName)) throw invalidInput(taken);
  const description = options.description ?? (options.serviceCreated ? spec.description : undefined);
  const record: RoleRecord = {
    RoleName: roleName,
    RoleId: awsId('AROA', 17),
    Arn: roleArn,
    Path: `${SLR_PATH_PREFIX}${service}/`,
    CreateDate: ctx.now.toISOString(),
    AssumeRolePolicyDocument: slrTrustPolicy(service),
    ...(description !== undefined ? { Description: description } : {}),
    MaxSessionDuration: 3600,
    Tags: [],
    AttachedPolicies: [{ PolicyName: spec.policyArn.slice(spec.policyArn.lastIndexOf('/') + 1), PolicyArn: spec.policyArn }],
    ServiceLinked: service,
  };
  // SLRs count toward the role quota but may be created beyond it (iam.md §12.1): no quota check.
  await insertNamed(ctx.tx, account, KIND.role, record.RoleId, record, roleName, () => invalidInput(taken));
  await countAttachment(ctx.tx, account, spec.policyArn, 1);
  iamChanged();
  ctx.recordResource('AWS::IAM::Role', roleArn);
  return record;
}

/**
 * The service's SLR in the caller's account, created (as the service does, on the
 * caller's behalf) when it is missing. No permission is needed when it exists.
 */
export async function ensureServiceLinkedRole(ctx: ServiceContext, service: string, options: Omit<CreateSlrOptions, 'serviceCreated' | 'customSuffix'> = {}): Promise<RoleRecord> {
  const existing = await ctx.tx.getByName<RoleRecord>(ctx.caller.account, KIND.role, specFor(service).roleName);
  if (existing && existing.ServiceLinked === service) return existing;
  return createServiceLinkedRole(ctx, service, { ...options, serviceCreated: true });
}

// ---------------------------------------------------------------------------------
// Deletion

function derivedStatus(task: SlrDeletionRecord, now: Date): DeletionTaskStatusType | 'DUE' {
  if (task.Status) return task.Status;
  const elapsed = now.getTime() - Date.parse(task.CreateDate);
  if (elapsed < timing.notStartedMs) return 'NOT_STARTED';
  if (elapsed < timing.completeAfterMs) return 'IN_PROGRESS';
  return 'DUE';
}

/**
 * Conclude a due task. GetServiceLinkedRoleDeletionStatus runs outside a transaction, so
 * each write stands alone; the order makes any interruption harmless: the role is
 * deleted first (only the request whose delete removed it adjusts the policy count),
 * then the task records its outcome; a task whose role is already gone has succeeded.
 */
async function conclude(ctx: ServiceContext, task: SlrDeletionRecord): Promise<SlrDeletionRecord> {
  const account = ctx.caller.account;
  const role = await ctx.tx.get<RoleRecord>(account, KIND.role, task.RoleId);
  let done: SlrDeletionRecord;
  const usage = role ? await roleUsage(task.ServiceName, account, role.Arn, ctx.tx) : [];
  if (usage.length > 0) {
    done = {
      ...task,
      Status: 'FAILED',
      CompletedDate: ctx.now.toISOString(),
      // Undocumented — choice: the reason's wording.
      Reason: {
        Reason: `Service-linked role ${task.RoleName} is in use by ${task.ServiceName}: delete the resources that use it, then try again.`,
        RoleUsageList: usage.map((u) => ({ Region: u.region, Resources: [...u.resources] })),
      },
    };
  } else {
    if (role && (await ctx.tx.delete(account, KIND.role, role.RoleId))) {
      for (const a of role.AttachedPolicies) await countAttachment(ctx.tx, account, a.PolicyArn, -1);
      iamChanged();
    }
    done = { ...task, Status: 'SUCCEEDED', CompletedDate: ctx.now.toISOString() };
  }
  await ctx.tx.update(account, KIND.slrDeletion, task.DeletionTaskId, done);
  return done;
}

export const serviceLinkedRolesHandlers: Record<string, Handler> = {
  async CreateServiceLinkedRole(input: CreateServiceLinkedRoleCommandInput, ctx: ServiceContext): Promise<Out<CreateServiceLinkedRoleCommandOutput>> {
    const record = await createServiceLinkedRole(ctx, input.AWSServiceName!, {
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.CustomSuffix !== undefined ? { customSuffix: input.CustomSuffix } : {}),
    });
    // As CreateRole's answer: no tags, boundary or RoleLastUsed.
    return { Role: roleOutput(record, false) };
  },

  async DeleteServiceLinkedRole(input: DeleteServiceLinkedRoleCommandInput, ctx: ServiceContext): Promise<Out<DeleteServiceLinkedRoleCommandOutput>> {
    const account = ctx.caller.account;
    const name = input.RoleName!;
    const role = await ctx.tx.getByName<RoleRecord>(account, KIND.role, name);
    await ctx.authorize('iam:DeleteServiceLinkedRole', role?.Arn ?? arn(account, 'role', '/', name));
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    // Undocumented — choice (iam.md §12.3): a role that is not service-linked is InvalidInput.
    if (!isServiceLinked(role)) throw invalidInput(`Role ${role.RoleName} is not a service-linked role; delete it with DeleteRole.`);
    ctx.recordResource('AWS::IAM::Role', role.Arn);
    // A task not yet concluded is still the deletion in progress: its id again.
    const tasks = await ctx.tx.list<SlrDeletionRecord>(account, KIND.slrDeletion, { parent: role.RoleId });
    const pending = tasks.find((t) => !t.Status);
    if (pending) return { DeletionTaskId: pending.DeletionTaskId };
    const id = `task/aws-service-role/${role.ServiceLinked}/${role.RoleName}/${randomUUID()}`;
    const task: SlrDeletionRecord = { DeletionTaskId: id, RoleName: role.RoleName, RoleId: role.RoleId, RoleArn: role.Arn, ServiceName: role.ServiceLinked, CreateDate: ctx.now.toISOString() };
    await ctx.tx.insert(account, KIND.slrDeletion, id, task, { parent: role.RoleId });
    // The service deleting its own role as part of its cleanup (IAM Identity Center when an
    // account leaves the organization): no one will poll the task, so it concludes now,
    // with the same usage check.
    if (ctx.caller.type === 'AssumedRole' && ctx.caller.roleId === role.RoleId) await conclude(ctx, task);
    return { DeletionTaskId: id };
  },

  async GetServiceLinkedRoleDeletionStatus(input: GetServiceLinkedRoleDeletionStatusCommandInput, ctx: ServiceContext): Promise<Out<GetServiceLinkedRoleDeletionStatusCommandOutput>> {
    const account = ctx.caller.account;
    const id = input.DeletionTaskId!;
    const m = TASK_ID.exec(id);
    // Undocumented — choice (iam.md §12.3): malformed → InvalidInput, unknown → NoSuchEntity.
    if (!m) throw invalidInput(`Invalid DeletionTaskId: ${id}. It must have the form task/aws-service-role/<service-principal-name>/<role-name>/<task-uuid>.`);
    const roleArn = slrArn(account, m[1]!, m[2]!);
    await ctx.authorize('iam:GetServiceLinkedRoleDeletionStatus', roleArn);
    let task = await ctx.tx.get<SlrDeletionRecord>(account, KIND.slrDeletion, id);
    if (!task) throw noSuchEntity(`The deletion task with id ${id} cannot be found.`);
    ctx.recordResource('AWS::IAM::Role', task.RoleArn);
    const status = derivedStatus(task, ctx.now);
    if (status === 'DUE') task = await conclude(ctx, task);
    else if (!task.Status) return { Status: status };
    return { Status: task.Status!, ...(task.Reason ? { Reason: { Reason: task.Reason.Reason, RoleUsageList: task.Reason.RoleUsageList.map((u) => ({ Region: u.Region, Resources: [...u.Resources] })) } } : {}) };
  },
};

// ---------------------------------------------------------------------------------
// PassRole: IAM answers the role lookup for src/auth/pass-role.ts

/** A role by ARN, in the account: found by name, and the ARN (path included) must be its own. */
export const iamRoleLookup: RoleLookup = {
  async roleByArn(tx, account, roleArn) {
    const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    if (!name) return undefined;
    const role = await tx.getByName<RoleRecord>(account, KIND.role, name);
    if (!role || role.Arn !== roleArn) return undefined;
    return { arn: role.Arn, roleId: role.RoleId, roleName: role.RoleName, trustPolicy: role.AssumeRolePolicyDocument, ...(role.ServiceLinked ? { serviceLinked: role.ServiceLinked } : {}) };
  },
};
setRoleLookup(iamRoleLookup);
