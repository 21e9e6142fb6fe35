/**
 * A function's resource-based policy: AddPermission, RemovePermission, GetPolicy. Each
 * function and each published version has its own policy (the Qualifier names the
 * version). The statements are written as Lambda writes them (Developer Guide, "Viewing
 * resource-based IAM policies in Lambda"): an account id becomes
 * `{"AWS": "arn:aws:iam::<id>:root"}`, a service `{"Service": ...}`, SourceAccount
 * `StringEquals AWS:SourceAccount`, SourceArn `ArnLike AWS:SourceArn`.
 *
 * The policy is the resource policy of every decision on the function (common.ts,
 * authorizeFunction): it grants other accounts, and `servicePrincipalAllowed` answers for
 * services that invoke functions as their own principal.
 */
import type {
  AddPermissionCommandInput,
  AddPermissionCommandOutput,
  GetPolicyCommandInput,
  GetPolicyCommandOutput,
  RemovePermissionCommandInput,
} from '@aws-sdk/client-lambda';
import { compilePolicy, evaluate, RequestContext, type ContextInput } from '../../policy/index.js';
import { AwsError } from '../../models/errors.js';
import {
  authorizeFunction,
  checkRevision,
  functionArn,
  getTarget,
  invalidParameter,
  newRevisionId,
  notFound,
  parseFunctionName,
  policyDocument,
  saveTarget,
  unqualifiedArn,
  type FunctionRecord,
  type PolicyStatement,
} from './common.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Lambda's quota on a function's resource policy. */
const POLICY_LIMIT = 20_480;

/** The Principal element AddPermission writes for the principal it was given. */
function principalElement(principal: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (/^arn:aws[\w-]*:(iam|sts)::\d{12}:/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/.test(principal)) return { Service: principal };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

/** `lambda:Principal` for a statement: what AddPermission's Principal was. */
function principalOf(statement: PolicyStatement): string | undefined {
  const p = statement.Principal as string | { AWS?: string; Service?: string } | undefined;
  if (typeof p === 'string') return p;
  return p?.Service ?? p?.AWS?.replace(/^arn:aws[\w-]*:iam::(\d{12}):root$/, '$1');
}

function statementFor(input: AddPermissionCommandInput, resource: string): PolicyStatement {
  const equals: Record<string, string> = {};
  if (input.SourceAccount !== undefined) equals['AWS:SourceAccount'] = input.SourceAccount;
  if (input.PrincipalOrgID !== undefined) equals['aws:PrincipalOrgID'] = input.PrincipalOrgID;
  if (input.EventSourceToken !== undefined) equals['lambda:EventSourceToken'] = input.EventSourceToken;
  if (input.FunctionUrlAuthType !== undefined) equals['lambda:FunctionUrlAuthType'] = input.FunctionUrlAuthType;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length) condition.StringEquals = equals;
  if (input.InvokedViaFunctionUrl !== undefined) condition.Bool = { 'lambda:InvokedViaFunctionUrl': String(input.InvokedViaFunctionUrl) };
  if (input.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  return {
    Sid: input.StatementId!,
    Effect: 'Allow',
    Principal: principalElement(input.Principal!),
    Action: input.Action!,
    Resource: resource,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

/**
 * Does the function's policy let `service` (a service principal, `s3.amazonaws.com`)
 * perform `action` on it, with the context that service's call carries? Resource
 * policies must grant service principals explicitly.
 */
export function servicePrincipalAllowed(
  fn: FunctionRecord,
  account: string,
  service: string,
  facts: { readonly action?: string; readonly sourceAccount?: string; readonly sourceArn?: string; readonly now: Date; readonly qualified?: boolean },
): boolean {
  if (fn.Policy.length === 0) return false;
  const base = unqualifiedArn({ account, region: fn.Region, name: fn.FunctionName });
  const arn = facts.qualified || fn.Version !== '$LATEST' ? `${base}:${fn.Version}` : base;
  const context: ContextInput = {
    'aws:PrincipalServiceName': service,
    'aws:PrincipalIsAWSService': 'true',
    ...(facts.sourceAccount !== undefined ? { 'aws:SourceAccount': facts.sourceAccount } : {}),
    ...(facts.sourceArn !== undefined ? { 'aws:SourceArn': facts.sourceArn } : {}),
    'aws:CurrentTime': facts.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.now.getTime() / 1000)),
    'aws:SecureTransport': 'true',
    'aws:ViaAWSService': 'false',
  };
  const evaluation = evaluate(
    { principal: { type: 'Service', arn: service, account }, action: facts.action ?? 'lambda:InvokeFunction', resource: arn, resourceAccount: account, context: new RequestContext(context) },
    { resource: compilePolicy(policyDocument(fn.Policy), { id: arn, kind: 'resource' }), resourcePolicyRequired: true },
  );
  return evaluation.decision === 'allowed';
}

export const permissionHandlers: Record<string, Handler> = {
  async AddPermission(input: AddPermissionCommandInput, ctx: ServiceContext): Promise<Out<AddPermissionCommandOutput>> {
    const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
    const context: ContextInput = { 'lambda:Principal': input.Principal!, ...(input.FunctionUrlAuthType !== undefined ? { 'lambda:FunctionUrlAuthType': input.FunctionUrlAuthType } : {}) };
    const target = await authorizeFunction(ctx, 'lambda:AddPermission', ref, context);
    if (!target) throw notFound(functionArn(ref));
    ctx.recordResource('AWS::Lambda::Function', unqualifiedArn(ref));
    checkRevision(target, input.RevisionId);
    const statement = statementFor(input, functionArn(ref));
    if (target.Policy.some((s) => s.Sid === statement.Sid)) {
      throw new AwsError('ResourceConflictException', `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const policy = [...target.Policy, statement];
    const size = Buffer.byteLength(policyDocument(policy));
    if (size > POLICY_LIMIT) throw new AwsError('PolicyLengthExceededException', `The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT}).`);
    await saveTarget(ctx, ref.account, { ...target, Policy: policy, RevisionId: newRevisionId() });
    return { Statement: JSON.stringify(statement) };
  },

  async RemovePermission(input: RemovePermissionCommandInput, ctx: ServiceContext): Promise<void> {
    const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
    // lambda:Principal is the removed statement's principal, when there is one.
    const existing = (await getTarget(ctx, ref))?.Policy.find((s) => s.Sid === input.StatementId);
    const principal = existing ? principalOf(existing) : undefined;
    const target = await authorizeFunction(ctx, 'lambda:RemovePermission', ref, principal !== undefined ? { 'lambda:Principal': principal } : {});
    if (!target) throw notFound(functionArn(ref));
    ctx.recordResource('AWS::Lambda::Function', unqualifiedArn(ref));
    checkRevision(target, input.RevisionId);
    if (target.Policy.length === 0) throw new AwsError('ResourceNotFoundException', 'No policy is associated with the given resource.');
    if (!target.Policy.some((s) => s.Sid === input.StatementId)) throw new AwsError('ResourceNotFoundException', `Statement ${input.StatementId} is not found in resource policy.`);
    await saveTarget(ctx, ref.account, { ...target, Policy: target.Policy.filter((s) => s.Sid !== input.StatementId), RevisionId: newRevisionId() });
  },

  async GetPolicy(input: GetPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetPolicyCommandOutput>> {
    const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
    const target = await authorizeFunction(ctx, 'lambda:GetPolicy', ref);
    if (!target) throw notFound(functionArn(ref));
    ctx.recordResource('AWS::Lambda::Function', unqualifiedArn(ref));
    if (target.Policy.length === 0) throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.');
    return { Policy: policyDocument(target.Policy), RevisionId: target.RevisionId };
  },
};
