/**
 * Shared pieces of the CloudWatch Logs tests: a client, the CLI returning parsed JSON or
 * its error line, and an assertion on a failed SDK call (code, exact message, status).
 */
import assert from 'node:assert/strict';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, clientConfig, type Keys } from '../../helpers/server.js';

export const logsClient = (endpoint: string, keys?: Keys, region?: string): CloudWatchLogsClient => new CloudWatchLogsClient(clientConfig(endpoint, keys, region));

/** The AWS CLI's JSON output (the call must succeed). */
export async function cli<T = Record<string, unknown>>(endpoint: string, args: readonly string[], keys?: Keys): Promise<T> {
  const r = await awsCli(endpoint, args, keys);
  assert.equal(r.code, 0, r.stderr);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}

/** The AWS CLI's error line (the call must fail). */
export async function cliError(endpoint: string, args: readonly string[], keys?: Keys): Promise<string> {
  const r = await awsCli(endpoint, args, keys);
  assert.notEqual(r.code, 0, r.stdout);
  return r.stderr.trim();
}

/** Assert an SDK call fails with this error name, message (exact or pattern) and HTTP status. */
export async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp, status = 400): Promise<void> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    return;
  }
  assert.fail(`expected ${name}`);
}
