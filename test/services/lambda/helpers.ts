/**
 * Shared pieces of the Lambda tests: execution roles, deployment packages built with
 * fflate, and a function created in one call.
 */
import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, type CreateFunctionCommandInput, type CreateFunctionCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';

export const trustFor = (service: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

/** An execution role Lambda may assume (or, with `service`, one another service may). */
export async function executionRole(iam: IAMClient, name: string, service = 'lambda.amazonaws.com'): Promise<string> {
  const out = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustFor(service) }));
  return out.Role!.Arn!;
}

/** A deployment package: file name to source text. */
export const zip = (files: Readonly<Record<string, string>>): Uint8Array => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));

/** A CommonJS handler returning `body` (a JS expression over `event`, `context`). */
export const cjs = (body: string): Uint8Array => zip({ 'index.js': `exports.handler = async (event, context) => (${body});\n` });

/** Create a Node.js function (index.handler, nodejs20.x unless told otherwise). */
export function createFunction(lambda: LambdaClient, role: string, name: string, code: Uint8Array, extra: Partial<CreateFunctionCommandInput> = {}): Promise<CreateFunctionCommandOutput> {
  return lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code }, ...extra }));
}

/** A payload as text. */
export const text = (payload: Uint8Array | undefined): string => Buffer.from(payload ?? new Uint8Array()).toString('utf8');
