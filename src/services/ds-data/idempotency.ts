/**
 * ClientToken (every Directory Service Data write): "A client token is valid for 8 hours
 * after the first request that uses it completes... If you submit a request with the same
 * client token but change one of the other parameters within the 8-hour idempotency
 * window, Directory Service Data returns an ConflictException." A replay returns the
 * first response and does nothing more. boto3 and the CLI fill a token in when the caller
 * gives none. Tokens are kept per account, region, directory and operation.
 */
import { createHash } from 'node:crypto';
import type { ServiceContext } from '../types.js';
import { conflict } from './access.js';
import { OBJECT_KIND } from './objects.js';

const TOKEN_KIND = OBJECT_KIND.token;
const WINDOW_MS = 8 * 3600_000;

interface TokenRecord {
  readonly Digest: string;
  readonly Response: object;
  readonly At: string;
}

function digestOf(input: object): string {
  const { ClientToken: _token, ...rest } = input as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(rest, Object.keys(rest).sort())).digest('hex');
}

/** Run `fn` once per token: a replay with the same parameters returns the recorded response. */
export async function idempotent<T extends object>(ctx: ServiceContext, operation: string, input: { readonly DirectoryId: string; readonly ClientToken?: string }, fn: () => Promise<T>): Promise<T> {
  const token = input.ClientToken;
  if (!token) return fn();
  const id = `${ctx.region}|${input.DirectoryId}|${operation}|${token}`;
  const digest = digestOf(input);
  const seen = await ctx.tx.get<TokenRecord>(ctx.caller.account, TOKEN_KIND, id);
  if (seen && ctx.now.getTime() - Date.parse(seen.At) < WINDOW_MS) {
    if (seen.Digest !== digest) throw conflict(`The client token ${token} was already used with different parameters in the last 8 hours.`);
    return seen.Response as T;
  }
  const response = await fn();
  const record: TokenRecord = { Digest: digest, Response: response, At: ctx.now.toISOString() };
  if (seen) await ctx.tx.update(ctx.caller.account, TOKEN_KIND, id, record);
  else await ctx.tx.insert(ctx.caller.account, TOKEN_KIND, id, record, { parent: input.DirectoryId });
  return response;
}
