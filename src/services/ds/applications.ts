/**
 * AWS applications authorized on a directory: AuthorizeApplication, UnauthorizeApplication,
 * ListAuthorizedApplications. These are IAM actions without a public API ("Some AWS
 * applications may require use of non-public AWS Directory Service APIs such as
 * ds:AuthorizeApplication ... and ds:UnauthorizeApplication": admin guide, API
 * permissions reference); Client VPN calls them as AWSServiceRoleForClientVPN, whose
 * policy allows them (ClientVPNServiceRolePolicy; the older copy also lists
 * ds:ListAuthorizedApplications).
 *
 * They are handlers here so that a service reaches them through `ctx.asServiceRole(...)` or
 * `ctx.onBehalfOf(...)`.call('ds', ...), authorized and recorded in CloudTrail like any
 * call; they are not in the ds model, so the wire refuses them (UnknownOperationException),
 * as AWS's public endpoint does. Their shapes are Gatehouse's (below).
 *
 * While an application is authorized, DeleteDirectory refuses (directories.ts). An
 * application authorizes once per resource that uses the directory (each Client VPN
 * endpoint), so one endpoint letting go leaves the others' authorizations in place.
 */
import type { Handler, ServiceContext } from '../types.js';
import { KIND, directoryArn, directoryAuthorization, directoryNotFound, dsError, findDirectory, stageOf, type AuthorizedApplication, type DirectoryRecord } from './records.js';

export interface AuthorizeApplicationInput {
  readonly DirectoryId: string;
  /** The application: `ClientVPN`, `WorkSpaces`... */
  readonly ApplicationType: string;
  /** The application's resource that uses the directory. */
  readonly ResourceArn?: string;
}

export type UnauthorizeApplicationInput = AuthorizeApplicationInput;

export interface ListAuthorizedApplicationsInput {
  readonly DirectoryId: string;
}

export interface ListAuthorizedApplicationsOutput {
  readonly Applications: { readonly ApplicationType: string; readonly ResourceArn?: string; readonly AuthorizedAt: Date }[];
}

const same = (a: AuthorizedApplication, i: AuthorizeApplicationInput): boolean => a.ApplicationType === i.ApplicationType && (a.ResourceArn ?? '') === (i.ResourceArn ?? '');

async function directoryFor(ctx: ServiceContext, action: string, id: string): Promise<DirectoryRecord> {
  const d = await findDirectory(ctx, id);
  await ctx.authorize(action, directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d));
  if (!d || d.DeletedAt) throw directoryNotFound(ctx, id);
  return d;
}

export const applicationHandlers: Record<string, Handler> = {
  /** Idempotent for the same application and resource. The directory must be Active. */
  async AuthorizeApplication(input: AuthorizeApplicationInput, ctx: ServiceContext): Promise<object> {
    const d = await directoryFor(ctx, 'ds:AuthorizeApplication', input.DirectoryId);
    const stage = stageOf(d, ctx.now);
    if (stage !== 'Active') throw dsError(ctx, 'DirectoryUnavailableException', `Directory ${d.DirectoryId} is not Active (stage ${stage}).`);
    if (!d.Applications.some((a) => same(a, input))) {
      const app: AuthorizedApplication = { ApplicationType: input.ApplicationType, ...(input.ResourceArn ? { ResourceArn: input.ResourceArn } : {}), AuthorizedAt: ctx.now.toISOString() };
      await ctx.tx.update<DirectoryRecord>(ctx.caller.account, KIND.directory, d.DirectoryId, { ...d, Applications: [...d.Applications, app] });
    }
    return {};
  },

  /** Removing an authorization that is not there is not an error (the application's clean-up may repeat). */
  async UnauthorizeApplication(input: UnauthorizeApplicationInput, ctx: ServiceContext): Promise<object> {
    const d = await directoryFor(ctx, 'ds:UnauthorizeApplication', input.DirectoryId);
    await ctx.tx.update<DirectoryRecord>(ctx.caller.account, KIND.directory, d.DirectoryId, { ...d, Applications: d.Applications.filter((a) => !same(a, input)) });
    return {};
  },

  async ListAuthorizedApplications(input: ListAuthorizedApplicationsInput, ctx: ServiceContext): Promise<ListAuthorizedApplicationsOutput> {
    const d = await directoryFor(ctx, 'ds:ListAuthorizedApplications', input.DirectoryId);
    return { Applications: d.Applications.map((a) => ({ ApplicationType: a.ApplicationType, ...(a.ResourceArn ? { ResourceArn: a.ResourceArn } : {}), AuthorizedAt: new Date(a.AuthorizedAt) })) };
  },
};

/** Operations that are IAM actions only: not in the ds model, reachable only from other services. */
export const PERMISSION_ONLY_OPERATIONS = Object.keys(applicationHandlers);
