/**
 * IAM access keys: an IAM user's long-term keys (and the root user's own), registered as
 * credentials so they really authenticate. Each key lives twice: the IAM record (listed
 * per user) and the credential the pipeline resolves by key id; status changes and
 * deletions write both in the request's transaction, so an inactive or deleted key is
 * refused (`InvalidClientTokenId`) from the next request on.
 */
import type {
  AccessKeyMetadata,
  CreateAccessKeyCommandInput,
  CreateAccessKeyCommandOutput,
  DeleteAccessKeyCommandInput,
  GetAccessKeyLastUsedCommandInput,
  GetAccessKeyLastUsedCommandOutput,
  ListAccessKeysCommandInput,
  ListAccessKeysCommandOutput,
  UpdateAccessKeyCommandInput,
} from '@aws-sdk/client-iam';
import { awsId, newSecret, CREDENTIAL, GLOBAL, type CredentialRecord, type Credentials } from '../../auth/credentials.js';
import { AwsError } from '../../models/errors.js';
import { KIND, getUser, limitExceeded, noSuchEntity, page, toDate, type AccessKeyRecord, type UserRecord } from './records.js';
import { nonUserCaller, userFor } from './users.js';
import { resourceTagContext } from './tags.js';
import type { Tx } from '../../store/index.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const KEYS_PER_USER = 2;

/** Whose keys an operation is about: a user, or (root calling without a name) the root user. */
type Owner = { readonly root: false; readonly user: UserRecord; readonly arn: string } | { readonly root: true; readonly arn: string };

/**
 * The owner named by `UserName`, else the caller itself: an IAM user's own keys, or the
 * root user's. Other callers must name a user. Authorizes `action` on the owner's ARN
 * before looking the user up, as IAM does.
 */
async function ownerFor(ctx: ServiceContext, userName: string | undefined, action: string): Promise<Owner> {
  const account = ctx.caller.account;
  if (userName === undefined && ctx.caller.type === 'Account') {
    await ctx.authorize(action, ctx.caller.arn);
    return { root: true, arn: ctx.caller.arn };
  }
  const name = userName ?? (ctx.caller.type === 'User' ? ctx.caller.userName : undefined);
  if (name === undefined) throw nonUserCaller();
  const { user: found, arn: userArn } = await userFor(ctx, name);
  await ctx.authorize(action, userArn, { context: resourceTagContext(found?.Tags, true) });
  const user = await getUser(ctx.tx, account, name);
  return { root: false, user, arn: user.Arn };
}

const parentOf = (ctx: ServiceContext, o: Owner): string => (o.root ? ctx.caller.account : o.user.UserId);

const notFound = (id: string): AwsError => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

/** The credential behind `id`, if it is one of the owner's keys. */
async function ownedKey(ctx: ServiceContext, o: Owner, id: string): Promise<CredentialRecord> {
  const cred = await ctx.tx.get<CredentialRecord>(GLOBAL, CREDENTIAL, id);
  const mine = cred && cred.account === ctx.caller.account && (o.root ? cred.kind === 'root' : cred.kind === 'user' && cred.userId === o.user.UserId);
  if (!mine) throw notFound(id);
  return cred;
}

/** The root user's keys: those created through IAM, and the one Gatehouse was configured with. */
async function rootKeys(ctx: ServiceContext): Promise<AccessKeyRecord[]> {
  const account = ctx.caller.account;
  const created = await ctx.tx.list<AccessKeyRecord>(account, KIND.accessKey, { parent: account });
  const acct = await ctx.tx.get<{ rootAccessKeyId?: string; createdAt?: string }>(GLOBAL, 'account', account);
  const configured = acct?.rootAccessKeyId ? await ctx.tx.get<CredentialRecord>(GLOBAL, CREDENTIAL, acct.rootAccessKeyId) : undefined;
  if (!configured || configured.account !== account || created.some((k) => k.AccessKeyId === configured.accessKeyId)) return created;
  return [{ UserName: '', UserId: account, AccessKeyId: configured.accessKeyId, Status: configured.status, CreateDate: acct?.createdAt ?? new Date(0).toISOString() }, ...created];
}

const metadata = (k: AccessKeyRecord): AccessKeyMetadata => ({
  ...(k.UserName ? { UserName: k.UserName } : {}),
  AccessKeyId: k.AccessKeyId,
  Status: k.Status,
  CreateDate: toDate(k.CreateDate)!,
});

/**
 * After a rename or a new path: the user's key records and the caller snapshots their
 * credentials carry take the new name and ARN (same transaction as the rename).
 */
export async function renameKeyOwner(tx: Tx, account: string, user: UserRecord): Promise<void> {
  for (const k of await tx.list<AccessKeyRecord>(account, KIND.accessKey, { parent: user.UserId })) {
    await tx.update<AccessKeyRecord>(account, KIND.accessKey, k.AccessKeyId, { ...k, UserName: user.UserName });
    const cred = await tx.get<CredentialRecord>(GLOBAL, CREDENTIAL, k.AccessKeyId);
    if (cred) await tx.update<CredentialRecord>(GLOBAL, CREDENTIAL, k.AccessKeyId, { ...cred, caller: { ...cred.caller, arn: user.Arn, userName: user.UserName } });
  }
}

export function accessKeysHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    async CreateAccessKey(input: CreateAccessKeyCommandInput, ctx: ServiceContext): Promise<Out<CreateAccessKeyCommandOutput>> {
      const account = ctx.caller.account;
      const owner = await ownerFor(ctx, input.UserName, 'iam:CreateAccessKey');
      const existing = owner.root ? (await rootKeys(ctx)).length : await ctx.tx.count(account, KIND.accessKey, { parent: owner.user.UserId });
      if (existing >= KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      const id = awsId('AKIA');
      const secret = newSecret();
      await credentials.put(ctx.tx, {
        accessKeyId: id,
        account,
        kind: owner.root ? 'root' : 'user',
        status: 'Active',
        secret,
        caller: owner.root
          ? { account, type: 'Account', arn: owner.arn, userId: account }
          : { account, type: 'User', arn: owner.user.Arn, userId: owner.user.UserId, userName: owner.user.UserName },
        ...(owner.root ? {} : { userId: owner.user.UserId }),
      });
      const record: AccessKeyRecord = {
        UserName: owner.root ? '' : owner.user.UserName,
        UserId: owner.root ? account : owner.user.UserId,
        AccessKeyId: id,
        Status: 'Active',
        CreateDate: ctx.now.toISOString(),
      };
      await ctx.tx.insert(account, KIND.accessKey, id, record, { parent: parentOf(ctx, owner) });
      if (!owner.root) ctx.recordResource('AWS::IAM::User', owner.user.Arn);
      ctx.recordResource('AWS::IAM::AccessKey', id);
      return { AccessKey: { ...(owner.root ? {} : { UserName: record.UserName }), AccessKeyId: id, Status: 'Active', SecretAccessKey: secret, CreateDate: ctx.now } as Out<CreateAccessKeyCommandOutput>['AccessKey'] };
    },

    async ListAccessKeys(input: ListAccessKeysCommandInput, ctx: ServiceContext): Promise<Out<ListAccessKeysCommandOutput>> {
      const owner = await ownerFor(ctx, input.UserName, 'iam:ListAccessKeys');
      const keys = owner.root ? await rootKeys(ctx) : await ctx.tx.list<AccessKeyRecord>(ctx.caller.account, KIND.accessKey, { parent: owner.user.UserId });
      const p = page(keys, input.Marker, input.MaxItems);
      return { AccessKeyMetadata: p.items.map(metadata), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
    },

    async UpdateAccessKey(input: UpdateAccessKeyCommandInput, ctx: ServiceContext): Promise<void> {
      const account = ctx.caller.account;
      const owner = await ownerFor(ctx, input.UserName, 'iam:UpdateAccessKey');
      const cred = await ownedKey(ctx, owner, input.AccessKeyId!);
      const status = input.Status as 'Active' | 'Inactive';
      // The credential's status is what authentication checks: it changes with the record.
      await ctx.tx.update<CredentialRecord>(GLOBAL, CREDENTIAL, cred.accessKeyId, { ...cred, status });
      const record = await ctx.tx.get<AccessKeyRecord>(account, KIND.accessKey, cred.accessKeyId);
      if (record) await ctx.tx.update<AccessKeyRecord>(account, KIND.accessKey, record.AccessKeyId, { ...record, Status: status });
      if (!owner.root) ctx.recordResource('AWS::IAM::User', owner.user.Arn);
      ctx.recordResource('AWS::IAM::AccessKey', cred.accessKeyId);
    },

    async DeleteAccessKey(input: DeleteAccessKeyCommandInput, ctx: ServiceContext): Promise<void> {
      const account = ctx.caller.account;
      const owner = await ownerFor(ctx, input.UserName, 'iam:DeleteAccessKey');
      const cred = await ownedKey(ctx, owner, input.AccessKeyId!);
      await ctx.tx.delete(GLOBAL, CREDENTIAL, cred.accessKeyId);
      await ctx.tx.delete(account, KIND.accessKey, cred.accessKeyId);
      if (!owner.root) ctx.recordResource('AWS::IAM::User', owner.user.Arn);
      ctx.recordResource('AWS::IAM::AccessKey', cred.accessKeyId);
    },

    async GetAccessKeyLastUsed(input: GetAccessKeyLastUsedCommandInput, ctx: ServiceContext): Promise<Out<GetAccessKeyLastUsedCommandOutput>> {
      const account = ctx.caller.account;
      const id = input.AccessKeyId!;
      const cred = await ctx.tx.get<CredentialRecord>(GLOBAL, CREDENTIAL, id);
      const user = cred?.kind === 'user' && cred.userId ? await ctx.tx.get<UserRecord>(account, KIND.user, cred.userId) : undefined;
      // IAM answers a key it cannot place in the caller's account with this AccessDenied,
      // whoever asks (recorded against AWS), before any policy is consulted.
      if (!cred || cred.account !== account || (cred.kind === 'user' && !user) || cred.kind === 'session') {
        throw new AwsError('AccessDenied', `User: ${ctx.caller.arn} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${id}`, { status: 403 });
      }
      await ctx.authorize('iam:GetAccessKeyLastUsed', user?.Arn ?? `arn:aws:iam::${account}:root`, { context: resourceTagContext(user?.Tags, true) });
      const used = cred.lastUsed;
      return {
        ...(user ? { UserName: user.UserName } : {}),
        AccessKeyLastUsed: used ? { LastUsedDate: new Date(used.date), ServiceName: used.service, Region: used.region } : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },
  };
}
