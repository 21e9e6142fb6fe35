/**
 * The shell-level suite's helpers: every step is a real `aws ...` command (AWS CLI v2,
 * /usr/bin/aws) against a real server. Successes are parsed from the CLI's JSON stdout;
 * failures are read from the one line the CLI prints on stderr,
 * `An error occurred (<Code>) when calling the <Op> operation: <message>`.
 */
import assert from 'node:assert/strict';
import { ACCOUNT, awsCli, type Keys } from '../helpers/server.js';

export { ACCOUNT };

/** The CLI's parsed JSON output: untyped, as every use is checked by the test's assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CliJson = any;

/** Run a command that must succeed; its JSON output (`{}` for commands that print nothing). */
export async function aws(endpoint: string, args: readonly string[], keys?: Keys): Promise<CliJson> {
  const r = await awsCli(endpoint, args, keys);
  assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

export interface CliError {
  readonly code: string;
  readonly operation: string;
  readonly message: string;
}

/** Run a command that must fail with an AWS error; the code, operation and message of the CLI's error line. */
export async function awsError(endpoint: string, args: readonly string[], keys?: Keys): Promise<CliError> {
  const r = await awsCli(endpoint, args, keys);
  assert.notEqual(r.code, 0, `aws ${args.join(' ')} succeeded: ${r.stdout}`);
  // The CLI exits 254 for a service error (252 for a usage error, 255 for others).
  assert.equal(r.code, 254, `aws ${args.join(' ')} exit ${r.code}: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('An error occurred ('));
  assert.equal(lines.length, 1, `one error line expected on stderr: ${JSON.stringify(r.stderr)}`);
  const m = /^An error occurred \(([^)]+)\) when calling the (\w+) operation: (.*)$/.exec(lines[0]!);
  assert.ok(m, `unexpected error line: ${lines[0]}`);
  return { code: m[1]!, operation: m[2]!, message: m[3]! };
}

/** Assert a command fails with exactly this error line. */
export async function expectError(endpoint: string, args: readonly string[], keys: Keys | undefined, code: string, operation: string, message: string): Promise<void> {
  assert.deepEqual(await awsError(endpoint, args, keys), { code, operation, message });
}

/** Keys from `aws iam create-access-key` or `aws sts assume-role` output. */
export function keysOf(out: { AccessKey?: { AccessKeyId: string; SecretAccessKey: string }; Credentials?: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }): Keys {
  if (out.AccessKey) return { accessKeyId: out.AccessKey.AccessKeyId, secretAccessKey: out.AccessKey.SecretAccessKey };
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
export const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: object): object => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
export const deny = (Action: string | string[], Resource: string | string[] = '*'): object => ({ Effect: 'Deny', Action, Resource });

export const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
export const roleArn = (name: string, path = '/'): string => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
export const EC2_TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });

/** `User: <arn> is not authorized to perform: <action> on resource: <resource> <reason>` (IAM user guide, "Troubleshoot access denied error messages"). */
export const denied = (principal: string, action: string, resource: string, reason: string): string => `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
