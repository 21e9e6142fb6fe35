/**
 * Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant. A grant lets its grantee (an
 * IAM principal or an AWS service principal such as `acm.amazonaws.com`) use the key for
 * the operations it lists; the authorizer honours it (authorize.ts). Grant ids are 64 hex
 * digits; a grant token names its grant and is good for RetireGrant.
 *
 * Who may retire a grant (KMS Developer Guide, "Retiring and revoking grants"): its
 * retiring principal, its grantee when the grant allows RetireGrant, the account that
 * issued it, and principals a policy allows kms:RetireGrant. A service that is the retiring
 * principal retires grants when it calls on the caller's behalf (ACM retiring the grant it
 * created for a certificate's user).
 */
import { randomBytes } from 'node:crypto';
import type {
  CreateGrantCommandInput,
  CreateGrantCommandOutput,
  GrantListEntry,
  ListGrantsCommandInput,
  ListGrantsResponse,
  RetireGrantCommandInput,
  RevokeGrantCommandInput,
} from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { Handler, ServiceContext } from '../types.js';
import { authorizeKey, callerNames, dryRun, encryptionContextKeys, grantIsForAwsResource } from './authorize.js';
import { KIND, assertNotPendingDeletion, pageOf, type GrantRecord, type KeyRecord } from './records.js';
import { resolveKey } from './resolve.js';

type Out<T> = Omit<T, '$metadata'>;

const PRINCIPAL = /^(?:arn:aws:iam::\d{12}:(?:root|user\/.+|role\/.+)|arn:aws:sts::\d{12}:(?:assumed-role|federated-user)\/.+|\d{12}|[a-z0-9.-]+\.amazonaws\.com)$/;
const GRANT_ID = /^[0-9a-f]{64}$/;

/** Grantee and retiring principals: IAM principal ARNs, account ids or AWS service principals. */
function checkPrincipal(p: string): void {
  if (!PRINCIPAL.test(p)) throw new AwsError('InvalidArnException', `The request was rejected because the principal ${p} is not a valid ARN or AWS service principal.`);
}

function checkGrantId(id: string): void {
  if (!GRANT_ID.test(id)) throw new AwsError('InvalidGrantIdException', `Invalid grant ID ${id}`);
}

/** A grant token: the grant's account, region and id, and 32 random bytes; base64. */
function issueToken(account: string, region: string, grantId: string): string {
  return Buffer.concat([Buffer.from([0x01]), Buffer.from(account), Buffer.from([region.length]), Buffer.from(region), Buffer.from(grantId, 'hex'), randomBytes(32)]).toString('base64');
}

function readToken(token: string): { account: string; region: string; grantId: string } {
  const raw = Buffer.from(token, 'base64');
  const invalid = new AwsError('InvalidGrantTokenException', 'The grant token is not valid.');
  if (raw.length < 14 || raw[0] !== 0x01) throw invalid;
  const account = raw.subarray(1, 13).toString('utf8');
  const len = raw[13]!;
  if (raw.length !== 14 + len + 64 || !/^\d{12}$/.test(account)) throw invalid;
  return { account, region: raw.subarray(14, 14 + len).toString('utf8'), grantId: raw.subarray(14 + len, 14 + len + 32).toString('hex') };
}

function grantEntry(g: GrantRecord): GrantListEntry {
  return {
    KeyId: g.KeyArn,
    GrantId: g.GrantId,
    ...(g.Name ? { Name: g.Name } : {}),
    CreationDate: new Date(g.CreationDate),
    GranteePrincipal: g.GranteePrincipal,
    ...(g.RetiringPrincipal ? { RetiringPrincipal: g.RetiringPrincipal } : {}),
    IssuingAccount: g.IssuingAccount,
    Operations: [...g.Operations] as GrantListEntry['Operations'],
    ...(g.Constraints ? { Constraints: g.Constraints } : {}),
  };
}

const sameGrant = (g: GrantRecord, input: CreateGrantCommandInput): boolean =>
  g.Name === input.Name &&
  g.GranteePrincipal === input.GranteePrincipal &&
  g.RetiringPrincipal === input.RetiringPrincipal &&
  JSON.stringify([...g.Operations].sort()) === JSON.stringify([...(input.Operations ?? [])].sort()) &&
  JSON.stringify(g.Constraints ?? null) === JSON.stringify(input.Constraints ?? null);

/** May the caller retire this grant by the grant's own terms? */
function retiresByGrant(ctx: ServiceContext, g: GrantRecord): boolean {
  const names = new Set(callerNames(ctx));
  const via = ctx.via?.calledVia[ctx.via.calledVia.length - 1];
  if (g.RetiringPrincipal && (names.has(g.RetiringPrincipal) || via === g.RetiringPrincipal)) return true;
  if (g.Operations.includes('RetireGrant') && (names.has(g.GranteePrincipal) || via === g.GranteePrincipal)) return true;
  return ctx.caller.type === 'Account' && g.IssuingAccount === `arn:aws:iam::${ctx.caller.account}:root`;
}

async function grantOf(ctx: ServiceContext, key: KeyRecord, grantId: string): Promise<GrantRecord> {
  const g = await ctx.tx.get<GrantRecord>(key.AWSAccountId, KIND.grant, grantId);
  if (!g || g.KeyId !== key.KeyId) throw new AwsError('NotFoundException', `Grant ID ${grantId} not found`);
  return g;
}

export const grantHandlers: Record<string, Handler> = {
  async CreateGrant(input: CreateGrantCommandInput, ctx: ServiceContext): Promise<Out<CreateGrantCommandOutput>> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    const operations = [...(input.Operations ?? [])];
    const constraint = input.Constraints?.EncryptionContextEquals ? 'EncryptionContextEquals' : input.Constraints?.EncryptionContextSubset ? 'EncryptionContextSubset' : undefined;
    await authorizeKey(ctx, 'kms:CreateGrant', key, {
      context: {
        'kms:GrantOperations': operations,
        'kms:GranteePrincipal': input.GranteePrincipal!,
        ...(input.RetiringPrincipal ? { 'kms:RetiringPrincipal': input.RetiringPrincipal } : {}),
        ...grantIsForAwsResource(ctx),
        ...(constraint ? { 'kms:GrantConstraintType': constraint } : {}),
        ...encryptionContextKeys(input.Constraints?.EncryptionContextEquals ?? input.Constraints?.EncryptionContextSubset),
      },
      grant: { operation: 'CreateGrant' },
    });
    assertNotPendingDeletion(key);
    checkPrincipal(input.GranteePrincipal!);
    if (input.RetiringPrincipal) checkPrincipal(input.RetiringPrincipal);
    if (operations.length === 0) throw new AwsError('ValidationException', '1 validation error detected: Value \'[]\' at \'operations\' failed to satisfy constraint: Member must have length greater than or equal to 1');
    dryRun(input);
    const existing = await ctx.tx.list<GrantRecord>(key.AWSAccountId, KIND.grant, { parent: key.KeyId });
    // A repeated request with the same name and terms gets the same grant (KMS: grant names make CreateGrant idempotent).
    const same = input.Name ? existing.find((g) => sameGrant(g, input)) : undefined;
    if (same) return { GrantId: same.GrantId, GrantToken: same.GrantToken };
    const grantId = randomBytes(32).toString('hex');
    const grant: GrantRecord = {
      GrantId: grantId,
      GrantToken: issueToken(key.AWSAccountId, key.Region, grantId),
      KeyId: key.KeyId,
      KeyArn: key.Arn,
      ...(input.Name ? { Name: input.Name } : {}),
      CreationDate: ctx.now.toISOString(),
      GranteePrincipal: input.GranteePrincipal!,
      ...(input.RetiringPrincipal ? { RetiringPrincipal: input.RetiringPrincipal } : {}),
      IssuingAccount: `arn:aws:iam::${ctx.caller.account}:root`,
      Operations: operations,
      ...(constraint ? { Constraints: { ...input.Constraints } } : {}),
    };
    await ctx.tx.insert(key.AWSAccountId, KIND.grant, grantId, grant, { parent: key.KeyId });
    return { GrantId: grantId, GrantToken: grant.GrantToken };
  },

  async ListGrants(input: ListGrantsCommandInput, ctx: ServiceContext): Promise<Out<ListGrantsResponse>> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    await authorizeKey(ctx, 'kms:ListGrants', key, { context: grantIsForAwsResource(ctx) });
    if (input.GrantId) checkGrantId(input.GrantId);
    const grants = (await ctx.tx.list<GrantRecord>(key.AWSAccountId, KIND.grant, { parent: key.KeyId })).filter(
      (g) => (!input.GrantId || g.GrantId === input.GrantId) && (!input.GranteePrincipal || g.GranteePrincipal === input.GranteePrincipal),
    );
    const page = pageOf(grants, input, 50);
    return { Grants: page.items.map(grantEntry), Truncated: page.Truncated, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
  },

  async RetireGrant(input: RetireGrantCommandInput, ctx: ServiceContext): Promise<void> {
    let grant: GrantRecord;
    let key: KeyRecord;
    if (input.GrantToken) {
      const t = readToken(input.GrantToken);
      const g = await ctx.tx.get<GrantRecord>(t.account, KIND.grant, t.grantId);
      if (!g || g.GrantToken !== input.GrantToken) throw new AwsError('InvalidGrantTokenException', 'The grant token is not valid.');
      key = (await resolveKey(ctx, g.KeyArn)).key;
      grant = g;
    } else if (input.KeyId && input.GrantId) {
      checkGrantId(input.GrantId);
      key = (await resolveKey(ctx, input.KeyId)).key;
      grant = await grantOf(ctx, key, input.GrantId);
    } else {
      throw new AwsError('ValidationException', 'Either GrantToken, or both KeyId and GrantId, must be specified.');
    }
    if (retiresByGrant(ctx, grant)) {
      ctx.noPermissionRequired('RetireGrant: the caller is the grant\'s retiring principal, its grantee with RetireGrant, or its issuing account');
      ctx.recordResource('AWS::KMS::Key', key.Arn);
    } else {
      await authorizeKey(ctx, 'kms:RetireGrant', key, { grant: { operation: 'RetireGrant' } });
    }
    dryRun(input);
    await ctx.tx.delete(key.AWSAccountId, KIND.grant, grant.GrantId);
  },

  async RevokeGrant(input: RevokeGrantCommandInput, ctx: ServiceContext): Promise<void> {
    const { key } = await resolveKey(ctx, input.KeyId!);
    await authorizeKey(ctx, 'kms:RevokeGrant', key, { context: grantIsForAwsResource(ctx) });
    checkGrantId(input.GrantId!);
    const grant = await grantOf(ctx, key, input.GrantId!);
    dryRun(input);
    await ctx.tx.delete(key.AWSAccountId, KIND.grant, grant.GrantId);
  },
};
