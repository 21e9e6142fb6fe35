/**
 * Directory Service Data access: EnableDirectoryDataAccess, DisableDirectoryDataAccess,
 * DescribeDirectoryDataAccess. Directory Service Data works on a Managed Microsoft AD only
 * after it is enabled ("To use this feature, it must be enabled": admin guide, User and
 * group management); until then its calls are AccessDeniedException with reason
 * DATA_DISABLED. The status passes through `Enabling` / `Disabling` (timing.ts).
 *
 * Errors are the model's (DirectoryDoesNotExistException, UnsupportedOperationException
 * for other directory types, DirectoryUnavailableException unless Active,
 * DirectoryInDesiredStateException); their wording is Gatehouse's.
 */
import type {
  DescribeDirectoryDataAccessCommandInput,
  DescribeDirectoryDataAccessCommandOutput,
  DisableDirectoryDataAccessCommandInput,
  DisableDirectoryDataAccessCommandOutput,
  EnableDirectoryDataAccessCommandInput,
  EnableDirectoryDataAccessCommandOutput,
} from '@aws-sdk/client-directory-service';
import type { Handler, ServiceContext } from '../types.js';
import { KIND, dataAccessStatus, directoryArn, directoryAuthorization, directoryNotFound, dsError, findDirectory, stageOf, type DirectoryRecord } from './records.js';

type Out<T> = Omit<T, '$metadata'>;

/** The directory, authorized for `action`, that Directory Service Data can apply to. */
async function target(ctx: ServiceContext, action: string, id: string, needActive: boolean): Promise<DirectoryRecord> {
  const d = await findDirectory(ctx, id);
  await ctx.authorize(action, directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d));
  if (!d || d.DeletedAt) throw directoryNotFound(ctx, id, 'DirectoryDoesNotExistException');
  if (d.Type !== 'MicrosoftAD') throw dsError(ctx, 'UnsupportedOperationException', `Directory Service Data is only supported for AWS Managed Microsoft AD directories; ${id} is a ${d.Type} directory.`);
  if (needActive && stageOf(d, ctx.now) !== 'Active') throw dsError(ctx, 'DirectoryUnavailableException', `Directory ${id} is not Active (stage ${stageOf(d, ctx.now)}).`);
  return d;
}

async function change(ctx: ServiceContext, action: string, id: string, enable: boolean): Promise<void> {
  const d = await target(ctx, action, id, true);
  const status = dataAccessStatus(d, ctx.now);
  if (status === (enable ? 'Enabled' : 'Disabled') || status === (enable ? 'Enabling' : 'Disabling')) {
    throw dsError(ctx, 'DirectoryInDesiredStateException', `Directory data access is already ${enable ? 'enabled' : 'disabled'} for directory ${id}.`);
  }
  await ctx.tx.update<DirectoryRecord>(ctx.caller.account, KIND.directory, id, { ...d, DataAccess: { Enabled: enable, Since: ctx.now.toISOString() } });
}

export const dataAccessHandlers: Record<string, Handler> = {
  async EnableDirectoryDataAccess(input: EnableDirectoryDataAccessCommandInput, ctx: ServiceContext): Promise<Out<EnableDirectoryDataAccessCommandOutput>> {
    await change(ctx, 'ds:EnableDirectoryDataAccess', input.DirectoryId!, true);
    return {};
  },

  async DisableDirectoryDataAccess(input: DisableDirectoryDataAccessCommandInput, ctx: ServiceContext): Promise<Out<DisableDirectoryDataAccessCommandOutput>> {
    await change(ctx, 'ds:DisableDirectoryDataAccess', input.DirectoryId!, false);
    return {};
  },

  async DescribeDirectoryDataAccess(input: DescribeDirectoryDataAccessCommandInput, ctx: ServiceContext): Promise<Out<DescribeDirectoryDataAccessCommandOutput>> {
    const d = await target(ctx, 'ds:DescribeDirectoryDataAccess', input.DirectoryId!, false);
    return { DataAccessStatus: dataAccessStatus(d, ctx.now) };
  },
};
