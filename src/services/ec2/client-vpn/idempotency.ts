/**
 * ClientToken idempotency (EC2 "Ensuring idempotency"): the same token with the same
 * parameters returns the first response and does nothing more; with other parameters it
 * is IdempotentParameterMismatch. The SDKs and the CLI fill a token in when the caller
 * gives none. Tokens are kept per account, region and operation for 24 hours (a choice).
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../../models/errors.js';
import type { ServiceContext } from '../../types.js';
import { CVPN_KIND } from './records.js';

const RETENTION_MS = 24 * 3600_000;

interface TokenRecord {
  readonly Digest: string;
  readonly Response: object;
  readonly At: string;
}

function digestOf(input: object): string {
  const { ClientToken: _token, DryRun: _dryRun, ...rest } = input as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(rest, Object.keys(rest).sort())).digest('hex');
}

/** Run `fn` once per token: a replay returns the recorded response. */
export async function idempotent<T extends object>(ctx: ServiceContext, operation: string, input: { readonly ClientToken?: string }, fn: () => Promise<T>): Promise<T> {
  const token = input.ClientToken;
  if (!token) return fn();
  if (token.length > 64) throw new AwsError('InvalidParameterValue', 'The client token must be 64 characters or fewer.');
  const id = `${ctx.region}|${operation}|${token}`;
  const digest = digestOf(input);
  const seen = await ctx.tx.get<TokenRecord>(ctx.caller.account, CVPN_KIND.token, id);
  if (seen && ctx.now.getTime() - Date.parse(seen.At) < RETENTION_MS) {
    if (seen.Digest !== digest) throw new AwsError('IdempotentParameterMismatch', `The client token you have provided is associated with a resource that is already deleted or has different parameters. Please use a different client token.`);
    return seen.Response as T;
  }
  const response = await fn();
  const record: TokenRecord = { Digest: digest, Response: response, At: ctx.now.toISOString() };
  if (seen) await ctx.tx.update(ctx.caller.account, CVPN_KIND.token, id, record);
  else await ctx.tx.insert(ctx.caller.account, CVPN_KIND.token, id, record);
  return response;
}
