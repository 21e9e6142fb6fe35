/**
 * Shared pieces of the IAM identity tests: clients for the root user and for IAM users
 * with their own access keys, and an assertion on AWS errors (code and exact message).
 */
import assert from 'node:assert/strict';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig, type Keys } from '../../helpers/server.js';

export const iamClient = (endpoint: string, keys?: Keys): IAMClient => new IAMClient(clientConfig(endpoint, keys));
export const stsClient = (endpoint: string, keys?: Keys): STSClient => new STSClient(clientConfig(endpoint, keys));

/** The error a call fails with (the call must fail). */
export async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    // The wire code (awsQuery errors carry it as Code; the SDK names the class after the shape).
    const err = e as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.Code ?? err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

/** Assert an AWS error by code and exact message (and HTTP status when given). */
export async function rejects(p: Promise<unknown>, code: string, message: string | RegExp, status?: number): Promise<void> {
  const e = await failure(p);
  assert.equal(e.name, code, `${e.name}: ${e.message}`);
  if (typeof message === 'string') assert.equal(e.message, message);
  else assert.match(e.message, message);
  if (status !== undefined) assert.equal(e.status, status);
}

export const policyDoc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const allow = (Action: string | string[], Resource: string | string[] = '*'): object => ({ Effect: 'Allow', Action, Resource });

/** A user with an access key (and, optionally, an inline policy): its keys and clients. */
export async function userWithKey(root: IAMClient, endpoint: string, name: string, policy?: string): Promise<{ keys: Keys; iam: IAMClient; sts: STSClient; userId: string }> {
  const created = await root.send(new CreateUserCommand({ UserName: name }));
  if (policy) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: policy }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  const keys = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  return { keys, iam: iamClient(endpoint, keys), sts: stsClient(endpoint, keys), userId: created.User!.UserId! };
}

export async function whoAmI(sts: STSClient): Promise<{ Arn?: string; UserId?: string; Account?: string }> {
  return sts.send(new GetCallerIdentityCommand({}));
}

export const decode = (doc: string | undefined): unknown => JSON.parse(decodeURIComponent(doc ?? ''));
