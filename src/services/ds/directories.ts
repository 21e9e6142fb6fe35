/**
 * Directories: CreateDirectory (Simple AD), CreateMicrosoftAD, DescribeDirectories,
 * DeleteDirectory, GetDirectoryLimits.
 *
 * A new directory is `Creating`, then `Active` once the create delay has passed
 * (timing.ts); a deleted one is `Deleting` for the delete delay, then gone. Creating a
 * directory builds its network in the VPC through EC2 on the caller's behalf (network.ts)
 * and its built-in accounts (src/services/ds-data/objects.ts); the administrator's
 * password is kept only as a scrypt hash.
 */
import type {
  CreateDirectoryCommandInput,
  CreateDirectoryCommandOutput,
  CreateMicrosoftADCommandInput,
  CreateMicrosoftADCommandOutput,
  DeleteDirectoryCommandInput,
  DeleteDirectoryCommandOutput,
  DescribeDirectoriesCommandInput,
  DescribeDirectoriesCommandOutput,
  DirectoryDescription,
  GetDirectoryLimitsCommandOutput,
} from '@aws-sdk/client-directory-service';
import { hashPassword } from '../../auth/secrets.js';
import { FIRST_RID, removeDirectoryObjects, seedDirectoryObjects } from '../ds-data/objects.js';
import type { Handler, ServiceContext } from '../types.js';
import { releaseNetwork, provisionNetwork } from './network.js';
import { issueToken, readToken } from './paging.js';
import {
  KIND,
  directoriesIn,
  directoryArn,
  directoryAuthorization,
  directoryNotFound,
  dsError,
  findDirectory,
  newDirectoryId,
  newDomainSid,
  stageOf,
  stageSince,
  sweepDeleted,
  type DirectoryRecord,
  type DirectoryType,
} from './records.js';
import { checkTags, storedTags, tagContext } from './tags.js';

type Out<T> = Omit<T, '$metadata'>;

/**
 * AWS's default quotas per Region ("Directory Service quotas"): 10 Simple AD, 20 Managed
 * Microsoft AD, 10 AD Connector directories. Deleting directories still count.
 */
export const LIMITS = { SimpleAD: 10, MicrosoftAD: 20, ADConnector: 10 } as const;

/** DescribeDirectories' largest page (AWS: "the limitations of the operation"; a choice). */
const MAX_PAGE = 100;

/** The NetBIOS name defaults to the first label of the DNS name, upper case (CreateMicrosoftAD's ShortName doc). */
const defaultShortName = (name: string): string => name.split('.')[0]!.toUpperCase();

interface CreateInput {
  readonly Name?: string;
  readonly ShortName?: string;
  readonly Password?: string;
  readonly Description?: string;
  readonly VpcSettings?: { readonly VpcId?: string; readonly SubnetIds?: readonly string[] };
  readonly Tags?: readonly { Key?: string; Value?: string }[];
  readonly NetworkType?: string;
}

async function create(ctx: ServiceContext, type: DirectoryType, input: CreateInput, extra: Pick<DirectoryRecord, 'Size' | 'Edition'>): Promise<string> {
  const tags = storedTags(input.Tags);
  await ctx.authorize(type === 'SimpleAD' ? 'ds:CreateDirectory' : 'ds:CreateMicrosoftAD', '*', { context: tagContext(tags) });
  // The model leaves VpcSettings optional for CreateDirectory; a Simple AD cannot exist without one.
  if (!input.VpcSettings) throw dsError(ctx, 'InvalidParameterException', 'VpcSettings must be specified.');
  // Gatehouse's subnets are IPv4-only: a dual-stack or IPv6 directory has no addresses to use.
  if (input.NetworkType && input.NetworkType !== 'IPv4') {
    throw dsError(ctx, 'InvalidParameterException', `NetworkType ${input.NetworkType} requires subnets with IPv6 CIDR blocks.`);
  }
  checkTags(ctx, tags);
  await sweepDeleted(ctx);
  const count = (await directoriesIn(ctx)).filter((d) => d.Type === type).length;
  if (count >= LIMITS[type]) {
    throw dsError(ctx, 'DirectoryLimitExceededException', `Directory limit exceeded. A maximum of ${LIMITS[type]} directories may be created.`);
  }
  const id = newDirectoryId();
  const network = await provisionNetwork(ctx, id, input.VpcSettings);
  const record: DirectoryRecord = {
    DirectoryId: id,
    Region: ctx.region,
    Type: type,
    Name: input.Name!,
    ShortName: input.ShortName ?? defaultShortName(input.Name!),
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ...extra,
    NetworkType: 'IPv4',
    ...network,
    LaunchTime: ctx.now.toISOString(),
    DomainSid: newDomainSid(),
    NextRid: FIRST_RID,
    Applications: [],
    Tags: tags,
  };
  await ctx.tx.insert(ctx.caller.account, KIND.directory, id, record);
  await seedDirectoryObjects(ctx.tx, ctx.caller.account, record, hashPassword(input.Password!));
  ctx.recordResource(type === 'SimpleAD' ? 'AWS::DirectoryService::SimpleAD' : 'AWS::DirectoryService::MicrosoftAD', directoryArn(ctx.region, ctx.caller.account, id));
  return id;
}

/** DescribeDirectories' view. DNS addresses are shown once the domain controllers are up (Active). */
export function directoryDescription(d: DirectoryRecord, now: Date): DirectoryDescription {
  const stage = stageOf(d, now);
  const microsoft = d.Type === 'MicrosoftAD';
  return {
    DirectoryId: d.DirectoryId,
    Name: d.Name,
    ShortName: d.ShortName,
    ...(d.Size ? { Size: d.Size } : {}),
    ...(d.Edition ? { Edition: d.Edition } : {}),
    Alias: d.DirectoryId,
    AccessUrl: `${d.DirectoryId}.awsapps.com`,
    ...(d.Description !== undefined ? { Description: d.Description } : {}),
    DnsIpAddrs: stage === 'Active' ? [...d.DnsIpAddrs] : [],
    Stage: stage,
    LaunchTime: new Date(d.LaunchTime),
    StageLastUpdatedDateTime: stageSince(d, now),
    Type: d.Type,
    VpcSettings: { VpcId: d.VpcId, SubnetIds: [...d.SubnetIds], SecurityGroupId: d.SecurityGroupId, AvailabilityZones: [...d.AvailabilityZones] },
    SsoEnabled: false,
    ...(microsoft ? { DesiredNumberOfDomainControllers: 2, RegionsInfo: { PrimaryRegion: d.Region, AdditionalRegions: [] }, OsVersion: 'SERVER_2019' as const } : {}),
    NetworkType: d.NetworkType,
  };
}

export const directoryHandlers: Record<string, Handler> = {
  async CreateDirectory(input: CreateDirectoryCommandInput, ctx: ServiceContext): Promise<Out<CreateDirectoryCommandOutput>> {
    return { DirectoryId: await create(ctx, 'SimpleAD', input, { Size: input.Size! }) };
  },

  async CreateMicrosoftAD(input: CreateMicrosoftADCommandInput, ctx: ServiceContext): Promise<Out<CreateMicrosoftADCommandOutput>> {
    // Hybrid Edition directories are made by CreateHybridAD, from self-managed domain controllers.
    if (input.Edition === 'Hybrid') {
      await ctx.authorize('ds:CreateMicrosoftAD', '*', { context: tagContext(storedTags(input.Tags)) });
      throw dsError(ctx, 'InvalidParameterException', 'Edition Hybrid is not valid for CreateMicrosoftAD. Use CreateHybridAD.');
    }
    // Enterprise is the default edition (CreateMicrosoftAD's Edition doc).
    return { DirectoryId: await create(ctx, 'MicrosoftAD', input, { Edition: input.Edition ?? 'Enterprise' }) };
  },

  async DescribeDirectories(input: DescribeDirectoriesCommandInput, ctx: ServiceContext): Promise<Out<DescribeDirectoriesCommandOutput>> {
    await ctx.authorize('ds:DescribeDirectories', '*');
    let all = await directoriesIn(ctx);
    if (input.DirectoryIds) {
      // "An empty list results in an InvalidParameterException being thrown."
      if (input.DirectoryIds.length === 0) throw dsError(ctx, 'InvalidParameterException', 'DirectoryIds must contain at least one directory identifier.');
      const missing = input.DirectoryIds.find((id) => !all.some((d) => d.DirectoryId === id));
      if (missing) throw directoryNotFound(ctx, missing);
      all = all.filter((d) => input.DirectoryIds!.includes(d.DirectoryId));
    }
    if (input.Limit !== undefined && input.Limit < 0) throw dsError(ctx, 'InvalidParameterException', 'Limit must be greater than or equal to 0.');
    const limit = input.Limit ? Math.min(input.Limit, MAX_PAGE) : MAX_PAGE;
    const query = JSON.stringify(['DescribeDirectories', input.DirectoryIds ?? null]);
    // Keyset paging in launch order: a directory deleted between pages does not shift the rest.
    const key = (d: DirectoryRecord): string => `${d.LaunchTime}|${d.DirectoryId}`;
    let rest = [...all].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    if (input.NextToken) {
      const after = readToken(input.NextToken, query);
      if (after === undefined) throw dsError(ctx, 'InvalidNextTokenException', 'The NextToken value is not valid.');
      rest = rest.filter((d) => key(d) > after);
    }
    const page = rest.slice(0, limit);
    return {
      DirectoryDescriptions: page.map((d) => directoryDescription(d, ctx.now)),
      ...(rest.length > limit ? { NextToken: issueToken(key(page[page.length - 1]!), query) } : {}),
    };
  },

  async DeleteDirectory(input: DeleteDirectoryCommandInput, ctx: ServiceContext): Promise<Out<DeleteDirectoryCommandOutput>> {
    const id = input.DirectoryId!;
    const d = await findDirectory(ctx, id);
    await ctx.authorize('ds:DeleteDirectory', directoryArn(ctx.region, ctx.caller.account, id), directoryAuthorization(d));
    if (!d) throw directoryNotFound(ctx, id);
    if (d.DeletedAt) throw dsError(ctx, 'ClientException', `Directory ${id} is already being deleted.`);
    // An application still using the directory (Client VPN...) must let go of it first.
    // AWS does not document the wording; the list names the applications, as the console does.
    if (d.Applications.length > 0) {
      const apps = [...new Set(d.Applications.map((a) => a.ApplicationType))].join(', ');
      throw dsError(ctx, 'ClientException', `Cannot delete the directory because it is still authorized for use by AWS applications: ${apps}. Remove the directory from those applications first.`);
    }
    await releaseNetwork(ctx, d);
    await removeDirectoryObjects(ctx.tx, ctx.caller.account, id);
    await ctx.tx.update<DirectoryRecord>(ctx.caller.account, KIND.directory, id, { ...d, DeletedAt: ctx.now.toISOString() });
    ctx.recordResource(d.Type === 'SimpleAD' ? 'AWS::DirectoryService::SimpleAD' : 'AWS::DirectoryService::MicrosoftAD', directoryArn(ctx.region, ctx.caller.account, id));
    return { DirectoryId: id };
  },

  async GetDirectoryLimits(_input: object, ctx: ServiceContext): Promise<Out<GetDirectoryLimitsCommandOutput>> {
    await ctx.authorize('ds:GetDirectoryLimits', '*');
    const all = await directoriesIn(ctx);
    const simple = all.filter((d) => d.Type === 'SimpleAD').length;
    const microsoft = all.filter((d) => d.Type === 'MicrosoftAD').length;
    return {
      DirectoryLimits: {
        CloudOnlyDirectoriesLimit: LIMITS.SimpleAD,
        CloudOnlyDirectoriesCurrentCount: simple,
        CloudOnlyDirectoriesLimitReached: simple >= LIMITS.SimpleAD,
        CloudOnlyMicrosoftADLimit: LIMITS.MicrosoftAD,
        CloudOnlyMicrosoftADCurrentCount: microsoft,
        CloudOnlyMicrosoftADLimitReached: microsoft >= LIMITS.MicrosoftAD,
        ConnectedDirectoriesLimit: LIMITS.ADConnector,
        ConnectedDirectoriesCurrentCount: 0,
        ConnectedDirectoriesLimitReached: false,
      },
    };
  },
};
