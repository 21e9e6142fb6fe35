/**
 * Client VPN's ClientToken: remembered for 24 hours per account, Region and operation (a
 * choice: EC2 documents the behaviour, not the window); a mismatch is EC2's
 * IdempotentParameterMismatch. The SDKs and the CLI fill a token in when the caller gives
 * none.
 */
import { AwsError } from '../../../models/errors.js';
import { oncePerClientToken } from '../../idempotency.js';
import type { ServiceContext } from '../../types.js';
import { CVPN_KIND } from './records.js';

const RETENTION_MS = 24 * 3600_000;

export function idempotent<T extends object>(ctx: ServiceContext, operation: string, input: { readonly ClientToken?: string }, fn: () => Promise<T>): Promise<T> {
  if ((input.ClientToken?.length ?? 0) > 64) throw new AwsError('InvalidParameterValue', 'The client token must be 64 characters or fewer.');
  return oncePerClientToken(ctx, {
    kind: CVPN_KIND.token,
    scope: [ctx.region, operation],
    windowMs: RETENTION_MS,
    mismatch: () => new AwsError('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that is already deleted or has different parameters. Please use a different client token.'),
  }, input, fn);
}
