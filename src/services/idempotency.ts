/**
 * ClientToken idempotency, as EC2 ("Ensuring idempotency") and Directory Service Data
 * describe it: the same token with the same parameters returns the first response and does
 * nothing more; with other parameters it is the service's mismatch error. Each service says
 * how long a token is remembered and what scopes it.
 */
import { createHash } from 'node:crypto';
import type { AwsError } from '../models/errors.js';
import type { ServiceContext } from './types.js';

export interface ClientTokenRules {
  /** The store kind the service keeps its tokens under. */
  readonly kind: string;
  /** What scopes a token besides the account: Region, operation, directory... */
  readonly scope: readonly string[];
  readonly windowMs: number;
  /** The error for a token reused with other parameters. */
  readonly mismatch: (token: string) => AwsError;
  /** A parent for the token record (deleted with it), if any. */
  readonly parent?: string;
}

interface TokenRecord {
  readonly Digest: string;
  readonly Response: object;
  readonly At: string;
}

/** JSON with object keys sorted at every level: equal parameters, equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The parameters a token stands for: everything but the token and DryRun. */
export function parametersDigest(input: object): string {
  const { ClientToken: _token, DryRun: _dryRun, ...rest } = input as Record<string, unknown>;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

/** Run `fn` once per token: a replay with the same parameters returns the recorded response. */
export async function oncePerClientToken<T extends object>(ctx: ServiceContext, rules: ClientTokenRules, input: { readonly ClientToken?: string }, fn: () => Promise<T>): Promise<T> {
  const token = input.ClientToken;
  if (!token) return fn();
  const id = [...rules.scope, token].join('|');
  const digest = parametersDigest(input);
  const seen = await ctx.tx.get<TokenRecord>(ctx.caller.account, rules.kind, id);
  if (seen && ctx.now.getTime() - Date.parse(seen.At) < rules.windowMs) {
    if (seen.Digest !== digest) throw rules.mismatch(token);
    return seen.Response as T;
  }
  const response = await fn();
  const record: TokenRecord = { Digest: digest, Response: response, At: ctx.now.toISOString() };
  if (seen) await ctx.tx.update(ctx.caller.account, rules.kind, id, record);
  else await ctx.tx.insert(ctx.caller.account, rules.kind, id, record, rules.parent ? { parent: rules.parent } : {});
  return response;
}
