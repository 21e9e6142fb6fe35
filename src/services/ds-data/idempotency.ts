/**
 * ClientToken (every Directory Service Data write): "A client token is valid for 8 hours
 * after the first request that uses it completes... If you submit a request with the same
 * client token but change one of the other parameters within the 8-hour idempotency
 * window, Directory Service Data returns an ConflictException." A replay returns the
 * first response and does nothing more. boto3 and the CLI fill a token in when the caller
 * gives none. Tokens are kept per account, region, directory and operation.
 */
import type { ServiceContext } from '../types.js';
import { oncePerClientToken } from '../idempotency.js';
import { conflict } from './access.js';
import { OBJECT_KIND } from './objects.js';

const WINDOW_MS = 8 * 3600_000;

/** Run `fn` once per token: a replay with the same parameters returns the recorded response. */
export function idempotent<T extends object>(ctx: ServiceContext, operation: string, input: { readonly DirectoryId: string; readonly ClientToken?: string }, fn: () => Promise<T>): Promise<T> {
  return oncePerClientToken(ctx, {
    kind: OBJECT_KIND.token,
    scope: [ctx.region, input.DirectoryId, operation],
    windowMs: WINDOW_MS,
    mismatch: (token) => conflict(`The client token ${token} was already used with different parameters in the last 8 hours.`),
    parent: input.DirectoryId,
  }, input, fn);
}
