/**
 * How KMS authorizes an operation on a key, as AWS does:
 *
 * - the key policy is the resource policy and must allow explicitly
 *   (`resourcePolicyRequired`): an identity policy counts only when the key policy
 *   delegates to the account (`"Principal": {"AWS": "arn:aws:iam::<acct>:root"}`);
 * - the request context carries KMS's keys: `kms:CallerAccount`, `kms:ViaService` (for a
 *   call a service makes on the caller's behalf), the key's own properties
 *   (`kms:KeyOrigin`, `kms:KeySpec`, `kms:KeyUsage`, `kms:MultiRegion`,
 *   `kms:ResourceAliases`, `aws:ResourceTag/*`) and the operation's own;
 * - a grant whose grantee is the caller also allows the operations it lists, when policies
 *   alone do not (an explicit Deny still wins).
 */
import { AwsError } from '../../models/errors.js';
import { principalArn } from '../../auth/caller.js';
import type { Evaluation } from '../../policy/index.js';
import type { ServiceContext } from '../types.js';
import { compiledKeyPolicy } from './policy.js';
import { KIND, aliasesOf, type GrantRecord, type KeyRecord } from './records.js';

type Context = Record<string, string | string[]>;

/** A KMS denial: AccessDeniedException with AWS's message, and whether a grant may still allow. */
export class KmsAccessDenied extends AwsError {
  constructor(
    message: string,
    readonly evaluation: Evaluation,
  ) {
    super('AccessDeniedException', message, { status: 400 });
  }
}

/** `kms:ViaService`: the service that called KMS for the caller, as `<service>.<region>.amazonaws.com`. */
export function viaService(ctx: ServiceContext): string | undefined {
  const last = ctx.via?.calledVia[ctx.via.calledVia.length - 1];
  if (!last) return undefined;
  return `${last.replace(/\.amazonaws\.com$/, '')}.${ctx.region}.amazonaws.com`;
}

/** The keys every KMS request carries. */
export function kmsContext(ctx: ServiceContext): Context {
  const via = viaService(ctx);
  return { 'kms:CallerAccount': ctx.caller.account, ...(via ? { 'kms:ViaService': via } : {}) };
}

/** `kms:GrantIsForAWSResource`: true when an AWS service makes the grant call for the caller. */
export const grantIsForAwsResource = (ctx: ServiceContext): Context => ({ 'kms:GrantIsForAWSResource': ctx.via ? 'true' : 'false' });

/** `kms:EncryptionContext:<key>` and `kms:EncryptionContextKeys` for an encryption context. */
export function encryptionContextKeys(ec: Record<string, string> | undefined): Context {
  if (!ec || Object.keys(ec).length === 0) return {};
  const out: Context = { 'kms:EncryptionContextKeys': Object.keys(ec) };
  for (const [k, v] of Object.entries(ec)) out[`kms:EncryptionContext:${k}`] = v;
  return out;
}

/** The condition keys a key itself puts in the context of operations on it. */
async function keyContext(ctx: ServiceContext, key: KeyRecord): Promise<Context> {
  const out: Context = {
    'kms:KeyOrigin': key.Origin,
    'kms:KeySpec': key.KeySpec,
    'kms:KeyUsage': key.KeyUsage,
    'kms:MultiRegion': String(key.MultiRegion),
  };
  if (key.MultiRegion) out['kms:MultiRegionKeyType'] = 'PRIMARY';
  const aliases = await aliasesOf(ctx.tx, key);
  if (aliases.length) out['kms:ResourceAliases'] = aliases.map((a) => a.AliasName);
  for (const t of key.Tags) out[`aws:ResourceTag/${t.TagKey}`] = t.TagValue;
  return out;
}

/** The caller's names a grant's GranteePrincipal or RetiringPrincipal may use. */
export function callerNames(ctx: ServiceContext): string[] {
  const c = ctx.caller;
  const names = [c.arn, principalArn(c)];
  if (c.roleArn) names.push(c.roleArn);
  if (c.type === 'Account') names.push(`arn:aws:iam::${c.account}:root`, c.account);
  return [...new Set(names)];
}

/** Does a grant's constraint hold for the request's encryption context? */
function constraintHolds(g: GrantRecord, ec: Record<string, string> | undefined): boolean {
  const c = g.Constraints;
  if (!c) return true;
  const given = ec ?? {};
  if (c.EncryptionContextEquals) {
    const want = c.EncryptionContextEquals;
    return Object.keys(want).length === Object.keys(given).length && Object.entries(want).every(([k, v]) => given[k] === v);
  }
  return Object.entries(c.EncryptionContextSubset ?? {}).every(([k, v]) => given[k] === v);
}

/** A grant on the key naming the caller as grantee for `operation`. */
async function grantFor(ctx: ServiceContext, key: KeyRecord, operation: string, ec: Record<string, string> | undefined): Promise<GrantRecord | undefined> {
  const names = new Set(callerNames(ctx));
  const grants = await ctx.tx.list<GrantRecord>(key.AWSAccountId, KIND.grant, { parent: key.KeyId });
  // Constraints do not apply to DescribeKey and RetireGrant (KMS Developer Guide, grant constraints).
  const constrained = !['DescribeKey', 'RetireGrant'].includes(operation);
  return grants.find((g) => names.has(g.GranteePrincipal) && g.Operations.includes(operation) && (!constrained || constraintHolds(g, ec)));
}

export interface KeyAuthorization {
  /** The operation's own condition keys. */
  readonly context?: Context;
  /** The grant operation that may allow the call, with the request's encryption context. */
  readonly grant?: { readonly operation: string; readonly encryptionContext?: Record<string, string> };
}

/** Authorize `action` on `key` with its key policy; throws AccessDeniedException. */
export async function authorizeKey(ctx: ServiceContext, action: string, key: KeyRecord, options: KeyAuthorization = {}): Promise<void> {
  const context = { ...kmsContext(ctx), ...(await keyContext(ctx, key)), ...(options.context ?? {}) };
  try {
    await ctx.authorize(action, key.Arn, { context, resourcePolicy: compiledKeyPolicy(key), resourcePolicyRequired: true, resourceAccount: key.AWSAccountId });
  } catch (e) {
    if (!(e instanceof KmsAccessDenied) || e.evaluation.decision !== 'implicitDeny' || !options.grant) throw e;
    if (!(await grantFor(ctx, key, options.grant.operation, options.grant.encryptionContext))) throw e;
  }
  ctx.recordResource('AWS::KMS::Key', key.Arn);
}

/** DryRun: the checks passed; say so instead of doing the work (KMS's DryRunOperationException). */
export function dryRun(input: { DryRun?: boolean }): void {
  if (input.DryRun) throw new AwsError('DryRunOperationException', 'The request was rejected because the DryRun parameter was specified.', { status: 412 });
}
