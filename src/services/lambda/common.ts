/**
 * What Lambda's operations share: the stored records, function names in their three
 * forms (name, ARN, partial ARN, each with an optional qualifier), ARNs, Lambda's errors,
 * the configuration as the API returns it, and the authorization every function-level
 * operation makes (the function's resource policy and tags in the decision).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { compilePolicy, type ContextInput } from '../../policy/index.js';
import { AwsError } from '../../models/errors.js';
import type { ServiceContext } from '../types.js';

export const KIND = {
  /** A function's $LATEST: id `<region>:<name>` (names are case-sensitive, so no store name). */
  function: 'lambda:function',
  /** A published version: id `<region>:<name>:<n>`, parent the function's id. */
  version: 'lambda:version',
  /** A deployment package: id the SHA-256 (hex) of the zip, shared by the functions and versions that use it. */
  code: 'lambda:code',
} as const;

/** A statement of a function's resource policy, as AddPermission writes it. */
export type PolicyStatement = Record<string, unknown> & { readonly Sid: string };

/** A function's $LATEST or one of its published versions. */
export interface FunctionRecord {
  readonly FunctionName: string;
  readonly Region: string;
  /** `$LATEST` or a version number. */
  readonly Version: string;
  readonly Runtime?: string;
  readonly Role: string;
  readonly Handler?: string;
  readonly Description: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  /** Environment variables; undefined when the function has no Environment. */
  readonly Variables?: Readonly<Record<string, string>>;
  readonly CodeSha256: string;
  /** The zip's SHA-256 in hex: the code record's id. */
  readonly CodeId: string;
  readonly CodeSize: number;
  readonly LastModified: string;
  readonly RevisionId: string;
  readonly Architectures: readonly string[];
  readonly EphemeralStorage: number;
  /** $LATEST only (versions share the function's tags). */
  readonly Tags: Readonly<Record<string, string>>;
  /** The resource policy's statements (AddPermission), per version. */
  readonly Policy: readonly PolicyStatement[];
  /** $LATEST only: the number the next published version gets. */
  readonly NextVersion: number;
}

export interface CodeRecord {
  /** The zip, base64. */
  readonly ZipFile: string;
}

export const LATEST = '$LATEST';

// ---------------------------------------------------------------------------------
// Errors, as Lambda words them

export const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterValueException', message);
export const notFound = (arn: string): AwsError => new AwsError('ResourceNotFoundException', `Function not found: ${arn}`);
export const conflict = (message: string): AwsError => new AwsError('ResourceConflictException', message);
export const preconditionFailed = (): AwsError =>
  new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');

// ---------------------------------------------------------------------------------
// Names and ARNs

/** A function (and maybe a qualifier) as a request names it, resolved to its account and region. */
export interface FunctionRef {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  /** `$LATEST`, a version number or an alias name, when the request gives one. */
  readonly qualifier?: string;
}

/** Lambda's FunctionName forms (API reference, "FunctionName"): name, ARN or partial ARN, each with an optional `:qualifier`. */
const FUNCTION_NAME = /^(?:arn:aws[a-zA-Z-]*:lambda:)?(?:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Resolve a FunctionName (and the request's Qualifier) against the caller's account and the request's region. */
export function parseFunctionName(ctx: Pick<ServiceContext, 'caller' | 'region'>, functionName: string, qualifier?: string): FunctionRef {
  const m = FUNCTION_NAME.exec(functionName);
  if (!m) throw invalidParameter(`Invalid function name: ${functionName}`);
  const [, region, account, name = '', derived] = m;
  if (region !== undefined && region !== ctx.region) throw invalidParameter(`Functions from '${region}' are not reachable in this region ('${ctx.region}')`);
  if (derived !== undefined && qualifier !== undefined && derived !== qualifier) throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  const q = derived ?? qualifier;
  return { account: account ?? ctx.caller.account, region: ctx.region, name, ...(q !== undefined ? { qualifier: q } : {}) };
}

export const unqualifiedArn = (ref: Pick<FunctionRef, 'account' | 'region' | 'name'>): string => `arn:aws:lambda:${ref.region}:${ref.account}:function:${ref.name}`;
/** The ARN as the request names it: with its qualifier when it has one. */
export const functionArn = (ref: FunctionRef): string => unqualifiedArn(ref) + (ref.qualifier !== undefined ? `:${ref.qualifier}` : '');

export const functionId = (ref: Pick<FunctionRef, 'region' | 'name'>): string => `${ref.region}:${ref.name}`;
export const versionId = (ref: Pick<FunctionRef, 'region' | 'name'>, version: string): string => `${ref.region}:${ref.name}:${version}`;

// ---------------------------------------------------------------------------------
// Records

/** The function's $LATEST, or undefined. */
export function getFunction(ctx: ServiceContext, ref: FunctionRef): Promise<FunctionRecord | undefined> {
  return ctx.tx.get<FunctionRecord>(ref.account, KIND.function, functionId(ref));
}

/**
 * The record a qualified reference names: $LATEST, or a published version. Aliases are
 * not modelled, so any other qualifier names nothing.
 */
export async function getTarget(ctx: ServiceContext, ref: FunctionRef): Promise<FunctionRecord | undefined> {
  if (ref.qualifier === undefined || ref.qualifier === LATEST) return getFunction(ctx, ref);
  if (!/^\d+$/.test(ref.qualifier)) return undefined;
  return ctx.tx.get<FunctionRecord>(ref.account, KIND.version, versionId(ref, ref.qualifier));
}

/** Write a record back where it lives ($LATEST or its version). */
export function saveTarget(ctx: ServiceContext, account: string, record: FunctionRecord): Promise<void> {
  const ref = { region: record.Region, name: record.FunctionName };
  return record.Version === LATEST ? ctx.tx.update(account, KIND.function, functionId(ref), record) : ctx.tx.update(account, KIND.version, versionId(ref, record.Version), record);
}

/** Lambda's LastModified: `2024-05-01T12:34:56.789+0000`. */
export const lastModified = (d: Date): string => d.toISOString().replace('Z', '+0000');

export const newRevisionId = (): string => randomUUID();

/** A deployment package's identity: CodeSha256 (base64, as Lambda reports it) and the hex digest the code record is stored under. */
export function codeDigest(zip: Uint8Array): { CodeSha256: string; CodeId: string } {
  const digest = createHash('sha256').update(zip).digest();
  return { CodeSha256: digest.toString('base64'), CodeId: digest.toString('hex') };
}

/** Store a deployment package (once per account and content). */
export async function putCode(ctx: ServiceContext, account: string, codeId: string, zip: Uint8Array): Promise<void> {
  if (await ctx.tx.get(account, KIND.code, codeId)) return;
  await ctx.tx.insert<CodeRecord>(account, KIND.code, codeId, { ZipFile: Buffer.from(zip).toString('base64') });
}

/** Drop a deployment package nothing uses any more. */
export async function releaseCode(ctx: ServiceContext, account: string, codeId: string): Promise<void> {
  const functions = await ctx.tx.list<FunctionRecord>(account, KIND.function);
  const versions = await ctx.tx.list<FunctionRecord>(account, KIND.version);
  if (![...functions, ...versions].some((f) => f.CodeId === codeId)) await ctx.tx.delete(account, KIND.code, codeId);
}

// ---------------------------------------------------------------------------------
// Output

/** A stable stand-in for the runtime version ARN Lambda reports (one per runtime). */
const runtimeVersionArn = (region: string, runtime: string): string =>
  `arn:aws:lambda:${region}::runtime:${createHash('sha256').update(runtime).digest('hex')}`;

/**
 * The configuration as Lambda returns it. `list` leaves out what ListFunctions leaves out
 * (API reference, ListFunctions: State, StateReason(Code), LastUpdateStatus(Reason)(Code)
 * and RuntimeVersionConfig are GetFunction's only). `qualified` writes the ARN with the
 * version when the request named one.
 */
export function configurationOutput(f: FunctionRecord, account: string, options: { qualified?: boolean; list?: boolean } = {}): FunctionConfiguration {
  const base = unqualifiedArn({ account, region: f.Region, name: f.FunctionName });
  const arn = options.qualified || f.Version !== LATEST ? `${base}:${f.Version}` : base;
  return {
    FunctionName: f.FunctionName,
    FunctionArn: arn,
    ...(f.Runtime ? { Runtime: f.Runtime as FunctionConfiguration['Runtime'] } : {}),
    Role: f.Role,
    ...(f.Handler ? { Handler: f.Handler } : {}),
    CodeSize: f.CodeSize,
    Description: f.Description,
    Timeout: f.Timeout,
    MemorySize: f.MemorySize,
    LastModified: f.LastModified,
    CodeSha256: f.CodeSha256,
    Version: f.Version,
    ...(f.Variables ? { Environment: { Variables: { ...f.Variables } } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: f.RevisionId,
    ...(options.list ? {} : { State: 'Active', LastUpdateStatus: 'Successful' }),
    PackageType: 'Zip',
    Architectures: [...f.Architectures] as FunctionConfiguration['Architectures'],
    EphemeralStorage: { Size: f.EphemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    ...(options.list || !f.Runtime ? {} : { RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(f.Region, f.Runtime) } }),
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${f.FunctionName}` },
  };
}

// ---------------------------------------------------------------------------------
// Authorization

/** `aws:ResourceTag/*` for a function's tags. */
export function resourceTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[`aws:ResourceTag/${k}`] = v;
  return out;
}

/** The resource policy document of a function or version (GetPolicy's `Policy`). */
export const policyDocument = (statements: readonly PolicyStatement[]): string => JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });

/**
 * Authorize `action` on the function `ref` names (its ARN with the qualifier the request
 * gave), with the function's resource policy (AddPermission) as the resource policy and
 * its tags as `aws:ResourceTag/*`; a function of another account is decided
 * cross-account. Authorized before existence is checked, as AWS does: returns the
 * record (undefined when there is none) for the caller to act on.
 */
export async function authorizeFunction(ctx: ServiceContext, action: string, ref: FunctionRef, context: ContextInput = {}): Promise<FunctionRecord | undefined> {
  const target = await getTarget(ctx, ref);
  const latest = target && target.Version !== LATEST ? await getFunction(ctx, ref) : target;
  const arn = functionArn(ref);
  await ctx.authorize(action, arn, {
    context: { ...resourceTags(latest?.Tags), ...context },
    ...(target?.Policy.length ? { resourcePolicy: compilePolicy(policyDocument(target.Policy), { id: arn, kind: 'resource' }) } : {}),
    ...(ref.account !== ctx.caller.account ? { resourceAccount: ref.account } : {}),
  });
  return target;
}

/** Authorize, then require the function (or version) to exist. */
export async function requireFunction(ctx: ServiceContext, action: string, ref: FunctionRef, context: ContextInput = {}): Promise<FunctionRecord> {
  const target = await authorizeFunction(ctx, action, ref, context);
  if (!target) throw notFound(functionArn(ref));
  ctx.recordResource('AWS::Lambda::Function', unqualifiedArn(ref));
  return target;
}

/** The caller's RevisionId must be the current one (UpdateFunctionCode, AddPermission...). */
export function checkRevision(record: FunctionRecord, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== record.RevisionId) throw preconditionFailed();
}
