/**
 * Lambda functions: create (with iam:PassRole for the execution role), read, list,
 * update code and configuration, delete; published versions (`Publish`) and qualifiers.
 *
 * Each function is usable as soon as it is created: CreateFunction answers with State
 * `Pending` (reason `Creating`), updates with LastUpdateStatus `InProgress`, and every
 * later read sees `Active` / `Successful`, so the SDK's and CLI's waiters
 * (function-active-v2, function-updated-v2) return at their first poll.
 *
 * The handler module is looked for at invocation, as Lambda does (a missing file is the
 * invocation's Runtime.ImportModuleError, not a CreateFunction error); the zip itself is
 * checked at upload.
 */
import type {
  CreateFunctionCommandInput,
  CreateFunctionCommandOutput,
  DeleteFunctionCommandInput,
  DeleteFunctionCommandOutput,
  FunctionCode,
  FunctionConfiguration,
  GetFunctionCommandInput,
  GetFunctionCommandOutput,
  GetFunctionConfigurationCommandInput,
  GetFunctionConfigurationCommandOutput,
  ListFunctionsCommandInput,
  ListFunctionsCommandOutput,
  UpdateFunctionCodeCommandInput,
  UpdateFunctionCodeCommandOutput,
  UpdateFunctionConfigurationCommandInput,
  UpdateFunctionConfigurationCommandOutput,
} from '@aws-sdk/client-lambda';
import { AwsError } from '../../models/errors.js';
import { DuplicateError } from '../../store/index.js';
import { checkPassRole } from '../../auth/pass-role.js';
import {
  KIND,
  LATEST,
  checkRevision,
  codeDigest,
  configurationOutput,
  conflict,
  functionId,
  getFunction,
  invalidParameter,
  lastModified,
  newRevisionId,
  parseFunctionName,
  putCode,
  releaseCode,
  requireFunction,
  unqualifiedArn,
  versionId,
  type FunctionRecord,
  type FunctionRef,
} from './common.js';
import { tagContext } from './tags.js';
import { unzip, ZipError } from './runtime.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

const LAMBDA = 'lambda.amazonaws.com';
const MAX_TIMEOUT = 900;

/**
 * Runtimes Lambda no longer accepts for new or updated functions (Developer Guide,
 * "Runtime deprecation policy": their block-create and block-update dates are long
 * past); the newer runtimes of each family are accepted. Only Node.js functions can be
 * invoked in Gatehouse (see invoke.ts).
 */
const BLOCKED_RUNTIMES: Readonly<Record<string, string>> = {
  nodejs: 'nodejs22.x',
  'nodejs4.3': 'nodejs22.x',
  'nodejs4.3-edge': 'nodejs22.x',
  'nodejs6.10': 'nodejs22.x',
  'nodejs8.10': 'nodejs22.x',
  'nodejs10.x': 'nodejs22.x',
  'nodejs12.x': 'nodejs22.x',
  'nodejs14.x': 'nodejs22.x',
  'python2.7': 'python3.13',
  'python3.6': 'python3.13',
  'python3.7': 'python3.13',
  'dotnetcore1.0': 'dotnet8',
  'dotnetcore2.0': 'dotnet8',
  'dotnetcore2.1': 'dotnet8',
  'dotnetcore3.1': 'dotnet8',
  'ruby2.5': 'ruby3.3',
};

/**
 * Environment variable names Lambda reserves (Developer Guide, "Defined runtime
 * environment variables": the reserved ones cannot be set by a function's configuration).
 */
const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

function checkRuntime(runtime: string | undefined): void {
  if (runtime === undefined) return;
  const newer = BLOCKED_RUNTIMES[runtime];
  if (newer) {
    throw invalidParameter(`The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${newer}) while creating or updating functions.`);
  }
}

function checkTimeout(timeout: number | undefined): void {
  if (timeout !== undefined && timeout > MAX_TIMEOUT) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to ${MAX_TIMEOUT}`);
  }
}

function checkVariables(variables: Readonly<Record<string, string>> | undefined): void {
  if (!variables) return;
  const reserved = Object.keys(variables).filter((k) => RESERVED_VARIABLES.has(k));
  if (reserved.length) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > 4096) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
}

/** The execution role: iam:PassRole to Lambda, and a role Lambda may assume. */
async function passRole(ctx: ServiceContext, role: string): Promise<void> {
  const untrusted = (): AwsError => invalidParameter('The role defined for the function cannot be assumed by Lambda.');
  await checkPassRole(ctx, role, { service: LAMBDA, notFound: untrusted, untrusted });
}

/** The deployment package a request carries: its zip, checked (Gatehouse stores packages given inline only). */
function packageOf(code: Pick<FunctionCode, 'ZipFile' | 'S3Bucket' | 'S3Key' | 'ImageUri'>): Uint8Array {
  if (code.ZipFile !== undefined) {
    const zip = typeof code.ZipFile === 'string' ? Buffer.from(code.ZipFile, 'base64') : code.ZipFile;
    try {
      unzip(zip);
    } catch (e) {
      if (e instanceof ZipError) throw invalidParameter(e.message);
      throw e;
    }
    return zip;
  }
  // No S3 and no ECR behind Gatehouse: every bucket and image is one that does not exist.
  if (code.S3Bucket !== undefined) throw invalidParameter('Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist');
  if (code.ImageUri !== undefined) throw invalidParameter(`Source image ${code.ImageUri} does not exist. Provide a valid source image.`);
  throw invalidParameter('Please provide a source for function code.');
}

/** The configuration a version is published with, to tell whether anything changed since the last one. */
const publishedShape = (f: FunctionRecord): string => JSON.stringify([f.CodeSha256, f.Runtime, f.Role, f.Handler, f.Description, f.Timeout, f.MemorySize, f.Variables ?? null, f.Architectures]);

/**
 * Publish $LATEST as a new version (PublishVersion's rule: no new version when neither
 * code nor configuration changed since the last one). CreateFunction and
 * UpdateFunctionCode with `Publish` then answer with the version's configuration.
 */
async function publish(ctx: ServiceContext, account: string, fn: FunctionRecord): Promise<{ version: FunctionRecord }> {
  const ref = { region: fn.Region, name: fn.FunctionName };
  if (fn.NextVersion > 1) {
    const last = await ctx.tx.get<FunctionRecord>(account, KIND.version, versionId(ref, String(fn.NextVersion - 1)));
    if (last && publishedShape(last) === publishedShape(fn)) return { version: last };
  }
  const version: FunctionRecord = { ...fn, Version: String(fn.NextVersion), Policy: [], Tags: {}, RevisionId: newRevisionId(), NextVersion: 0 };
  await ctx.tx.insert(account, KIND.version, versionId(ref, version.Version), version, { parent: functionId(ref) });
  await ctx.tx.update(account, KIND.function, functionId(ref), { ...fn, NextVersion: fn.NextVersion + 1, RevisionId: newRevisionId() });
  return { version };
}

/** Create/update answers: the function is still being set up when they return. */
const creating = (c: FunctionConfiguration): FunctionConfiguration => {
  const { LastUpdateStatus: _status, ...rest } = c;
  return { ...rest, State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' };
};
const updating = (c: FunctionConfiguration): FunctionConfiguration => ({ ...c, LastUpdateStatus: 'InProgress' });

/** A function named for an operation on $LATEST only (updates): a qualifier other than $LATEST is refused. */
function latestOnly(ref: FunctionRef): FunctionRef {
  if (ref.qualifier !== undefined && ref.qualifier !== LATEST) throw invalidParameter('Unsupported qualifier: updates apply to $LATEST only.');
  const { qualifier: _q, ...rest } = ref;
  return rest;
}

export const functionHandlers: Record<string, Handler> = {
  async CreateFunction(input: CreateFunctionCommandInput, ctx: ServiceContext): Promise<Out<CreateFunctionCommandOutput>> {
    const ref = latestOnly(parseFunctionName(ctx, input.FunctionName!));
    const arn = unqualifiedArn(ref);
    await ctx.authorize('lambda:CreateFunction', arn, { context: tagContext(input.Tags) });
    await passRole(ctx, input.Role!);
    if (ref.account !== ctx.caller.account) throw invalidParameter(`Functions can only be created in the caller's account (${ctx.caller.account}).`);
    if ((input.PackageType ?? 'Zip') === 'Zip' && (!input.Runtime || !input.Handler)) {
      throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    }
    checkRuntime(input.Runtime);
    checkTimeout(input.Timeout);
    checkVariables(input.Environment?.Variables);
    if (await getFunction(ctx, ref)) throw conflict(`Function already exist: ${ref.name}`);
    const zip = packageOf(input.Code ?? {});
    const digest = codeDigest(zip);
    const now = ctx.now;
    const fn: FunctionRecord = {
      FunctionName: ref.name,
      Region: ref.region,
      Version: LATEST,
      ...(input.Runtime ? { Runtime: input.Runtime } : {}),
      Role: input.Role!,
      ...(input.Handler ? { Handler: input.Handler } : {}),
      Description: input.Description ?? '',
      Timeout: input.Timeout ?? 3,
      MemorySize: input.MemorySize ?? 128,
      ...(input.Environment?.Variables ? { Variables: { ...input.Environment.Variables } } : {}),
      ...digest,
      CodeSize: zip.length,
      LastModified: lastModified(now),
      RevisionId: newRevisionId(),
      Architectures: input.Architectures?.length ? [...input.Architectures] : ['x86_64'],
      EphemeralStorage: input.EphemeralStorage?.Size ?? 512,
      Tags: { ...(input.Tags ?? {}) },
      Policy: [],
      NextVersion: 1,
    };
    await putCode(ctx, ref.account, digest.CodeId, zip);
    try {
      await ctx.tx.insert(ref.account, KIND.function, functionId(ref), fn);
    } catch (e) {
      if (e instanceof DuplicateError) throw conflict(`Function already exist: ${ref.name}`);
      throw e;
    }
    ctx.recordResource('AWS::Lambda::Function', arn);
    if (input.Publish) {
      const { version } = await publish(ctx, ref.account, fn);
      return creating(configurationOutput(version, ref.account));
    }
    return creating(configurationOutput(fn, ref.account));
  },

  async GetFunction(input: GetFunctionCommandInput, ctx: ServiceContext): Promise<Out<GetFunctionCommandOutput>> {
    const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
    const target = await requireFunction(ctx, 'lambda:GetFunction', ref);
    const latest = target.Version === LATEST ? target : await getFunction(ctx, ref);
    const tags = latest?.Tags ?? {};
    return {
      Configuration: configurationOutput(target, ref.account, { qualified: ref.qualifier !== undefined }),
      // A stand-in for the presigned S3 URL Lambda answers with: Gatehouse has no S3, the
      // address does not resolve (the package is the one CreateFunction/UpdateFunctionCode took).
      Code: {
        RepositoryType: 'S3',
        Location: `https://awslambda-${ref.region}-tasks.s3.${ref.region}.amazonaws.com/snapshots/${ref.account}/${ref.name}-${target.CodeId.slice(0, 32)}?X-Amz-Expires=600`,
      },
      ...(Object.keys(tags).length ? { Tags: { ...tags } } : {}),
    };
  },

  async GetFunctionConfiguration(input: GetFunctionConfigurationCommandInput, ctx: ServiceContext): Promise<Out<GetFunctionConfigurationCommandOutput>> {
    const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
    const target = await requireFunction(ctx, 'lambda:GetFunctionConfiguration', ref);
    return configurationOutput(target, ref.account, { qualified: ref.qualifier !== undefined });
  },

  async ListFunctions(input: ListFunctionsCommandInput, ctx: ServiceContext): Promise<Out<ListFunctionsCommandOutput>> {
    await ctx.authorize('lambda:ListFunctions', '*');
    const account = ctx.caller.account;
    const functions = (await ctx.tx.list<FunctionRecord>(account, KIND.function)).filter((f) => f.Region === ctx.region);
    const all = input.FunctionVersion === 'ALL';
    const versions = all ? (await ctx.tx.list<FunctionRecord>(account, KIND.version)).filter((f) => f.Region === ctx.region) : [];
    // Gatehouse lists by name, each function's $LATEST then its versions in order.
    const order = (f: FunctionRecord): number => (f.Version === LATEST ? 0 : Number(f.Version));
    const items = [...functions, ...versions].sort((a, b) => (a.FunctionName < b.FunctionName ? -1 : a.FunctionName > b.FunctionName ? 1 : order(a) - order(b)));
    const start = input.Marker ? Number(Buffer.from(input.Marker, 'base64url').toString('utf8').replace(/^m:/, '')) : 0;
    if (input.Marker && (!Number.isInteger(start) || start < 0)) throw invalidParameter(`Invalid marker: ${input.Marker}`);
    const max = input.MaxItems ?? 50;
    const page = items.slice(start, start + max);
    return {
      Functions: page.map((f) => configurationOutput(f, account, { list: true })),
      ...(start + max < items.length ? { NextMarker: Buffer.from(`m:${start + max}`).toString('base64url') } : {}),
    };
  },

  async DeleteFunction(input: DeleteFunctionCommandInput, ctx: ServiceContext): Promise<Out<DeleteFunctionCommandOutput>> {
    const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
    const target = await requireFunction(ctx, 'lambda:DeleteFunction', ref);
    if (ref.qualifier === LATEST) throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (target.Version !== LATEST) {
      await ctx.tx.delete(ref.account, KIND.version, versionId(ref, target.Version));
    } else {
      const versions = await ctx.tx.list<FunctionRecord>(ref.account, KIND.version, { parent: functionId(ref) });
      await ctx.tx.deleteChildren(ref.account, KIND.version, functionId(ref));
      await ctx.tx.delete(ref.account, KIND.function, functionId(ref));
      for (const id of new Set(versions.map((v) => v.CodeId))) if (id !== target.CodeId) await releaseCode(ctx, ref.account, id);
    }
    await releaseCode(ctx, ref.account, target.CodeId);
    return { StatusCode: 204 };
  },

  async UpdateFunctionCode(input: UpdateFunctionCodeCommandInput, ctx: ServiceContext): Promise<Out<UpdateFunctionCodeCommandOutput>> {
    const ref = latestOnly(parseFunctionName(ctx, input.FunctionName!));
    const fn = await requireFunction(ctx, 'lambda:UpdateFunctionCode', ref);
    checkRevision(fn, input.RevisionId);
    const zip = packageOf(input);
    const digest = codeDigest(zip);
    const updated: FunctionRecord = {
      ...fn,
      ...digest,
      CodeSize: zip.length,
      LastModified: lastModified(ctx.now),
      RevisionId: newRevisionId(),
      ...(input.Architectures?.length ? { Architectures: [...input.Architectures] } : {}),
    };
    if (input.DryRun) return configurationOutput(updated, ref.account);
    await putCode(ctx, ref.account, digest.CodeId, zip);
    await ctx.tx.update(ref.account, KIND.function, functionId(ref), updated);
    if (fn.CodeId !== digest.CodeId) await releaseCode(ctx, ref.account, fn.CodeId);
    if (input.Publish) {
      const { version } = await publish(ctx, ref.account, updated);
      return updating(configurationOutput(version, ref.account));
    }
    return updating(configurationOutput(updated, ref.account));
  },

  async UpdateFunctionConfiguration(input: UpdateFunctionConfigurationCommandInput, ctx: ServiceContext): Promise<Out<UpdateFunctionConfigurationCommandOutput>> {
    const ref = latestOnly(parseFunctionName(ctx, input.FunctionName!));
    const fn = await requireFunction(ctx, 'lambda:UpdateFunctionConfiguration', ref);
    if (input.Role !== undefined) await passRole(ctx, input.Role);
    checkRevision(fn, input.RevisionId);
    checkRuntime(input.Runtime);
    checkTimeout(input.Timeout);
    checkVariables(input.Environment?.Variables);
    const variables = input.Environment ? input.Environment.Variables : fn.Variables;
    const { Variables: _old, ...rest } = fn;
    const updated: FunctionRecord = {
      ...rest,
      ...(variables && Object.keys(variables).length ? { Variables: { ...variables } } : {}),
      ...(input.Runtime !== undefined ? { Runtime: input.Runtime } : {}),
      ...(input.Role !== undefined ? { Role: input.Role } : {}),
      ...(input.Handler !== undefined ? { Handler: input.Handler } : {}),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.Timeout !== undefined ? { Timeout: input.Timeout } : {}),
      ...(input.MemorySize !== undefined ? { MemorySize: input.MemorySize } : {}),
      ...(input.EphemeralStorage?.Size !== undefined ? { EphemeralStorage: input.EphemeralStorage.Size } : {}),
      LastModified: lastModified(ctx.now),
      RevisionId: newRevisionId(),
    };
    await ctx.tx.update(ref.account, KIND.function, functionId(ref), updated);
    return updating(configurationOutput(updated, ref.account));
  },
};
