/**
 * Shared pieces of the IAM identity tests: clients for the root user and for IAM users
 * with their own access keys, and an assertion on AWS errors (code and exact message).
 */
import assert from 'node:assert/strict';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { ACCOUNT, clientConfig, type Keys, type Running } from '../../helpers/server.js';
import { awsId, newSecret } from '../../../src/auth/credentials.js';
import { KIND, type RoleRecord } from '../../../src/services/iam/records.js';

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
export async function rejects(p: Promise<unknown>, code: string, message?: string | RegExp, status?: number): Promise<void> {
  const e = await failure(p);
  assert.equal(e.name, code, `${e.name}: ${e.message}`);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  if (status !== undefined) assert.equal(e.status, status);
}

export const policyDoc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const doc = policyDoc;
export const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}): object => ({ Effect: 'Allow', Action, Resource, ...extra });

/** A user with an access key: its keys. */
export async function makeUser(iam: IAMClient, name: string): Promise<Keys> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
}

/** Give a user an inline policy. */
export async function grant(iam: IAMClient, user: string, name: string, document: string): Promise<void> {
  await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: name, PolicyDocument: document }));
}

/**
 * Temporary credentials for a session of a role, written as STS writes them for
 * AssumeRole: for tests of what a role's session may do, whatever its trust policy says.
 */
export async function roleSession(s: Running, roleName: string): Promise<Keys> {
  const role = await s.gatehouse.store.getByName<RoleRecord>(ACCOUNT, KIND.role, roleName);
  assert.ok(role);
  const keys = { accessKeyId: awsId('ASIA'), secretAccessKey: newSecret(), sessionToken: randomBytes(48).toString('base64') };
  await s.gatehouse.store.transaction((tx) =>
    s.gatehouse.credentials.put(tx, {
      accessKeyId: keys.accessKeyId,
      account: ACCOUNT,
      kind: 'session',
      status: 'Active',
      secret: keys.secretAccessKey,
      sessionToken: keys.sessionToken,
      expiration: new Date(Date.now() + 3600_000).toISOString(),
      caller: {
        account: ACCOUNT,
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/test`,
        userId: `${role.RoleId}:test`,
        roleArn: role.Arn,
        roleName,
        roleId: role.RoleId,
        sessionName: 'test',
        sessionToken: keys.sessionToken,
        tokenIssueTime: new Date().toISOString(),
      },
    }),
  );
  return keys;
}

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
