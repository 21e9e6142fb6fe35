/**
 * Encoded authorization messages: services that answer a denial with an opaque message
 * (EC2's UnauthorizedOperation "Encoded authorization failure message: ...") encode it
 * here; sts:DecodeAuthorizationMessage reveals it to a principal of the same account
 * allowed to decode it.
 *
 * The message is the JSON document AWS documents for DecodedMessage, encrypted with
 * AES-256-GCM under a key held by this process and written as base64url. Gatehouse's
 * choice: the key is not persisted, so messages from before a restart no longer decode
 * (InvalidAuthorizationMessageException), as with any message that is not Gatehouse's.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DecodeAuthorizationMessageCommandInput, DecodeAuthorizationMessageCommandOutput } from '@aws-sdk/client-sts';
import { AwsError } from '../../models/errors.js';
import type { Caller } from '../../auth/caller.js';
import type { ContextValue, Evaluation } from '../../policy/index.js';
import type { Handler, ServiceContext } from '../types.js';
import type { Out } from './common.js';

interface Items<T> {
  readonly items: readonly T[];
}

/** DecodedMessage, in the shape AWS documents it. */
export interface AuthorizationMessage {
  readonly allowed: boolean;
  readonly explicitDeny: boolean;
  readonly matchedStatements: Items<{
    readonly statementId: string;
    readonly effect: 'ALLOW' | 'DENY';
    readonly sourcePolicyId: string;
    readonly sourcePolicyType: string;
  }>;
  readonly failures: Items<string>;
  readonly context: {
    readonly principal: { readonly id: string; readonly name?: string; readonly arn: string };
    readonly action: string;
    readonly resource: string;
    readonly conditions: Items<{ readonly key: string; readonly values: Items<{ readonly value: string }> }>;
  };
}

const KEY = randomBytes(32);
const VERSION = 1;

/** The message for a decision: who, what, on which resource, with which context, and why. */
export function authorizationMessage(a: {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  readonly evaluation: Evaluation;
  readonly conditions: Iterable<readonly [string, ContextValue]>;
}): AuthorizationMessage {
  const { caller, evaluation } = a;
  const name = caller.userName ?? caller.sessionName;
  return {
    allowed: evaluation.decision === 'allowed',
    explicitDeny: evaluation.decision === 'explicitDeny',
    matchedStatements: {
      items: evaluation.matchedStatements.map((s) => ({
        statementId: s.sid ?? `${s.policyId}#${s.index + 1}`,
        effect: s.effect === 'Allow' ? 'ALLOW' : 'DENY',
        sourcePolicyId: s.policyId,
        sourcePolicyType: s.policyType,
      })),
    },
    failures: { items: [] },
    context: {
      principal: { id: caller.userId, ...(name !== undefined ? { name } : {}), arn: caller.arn },
      action: a.action,
      resource: a.resource,
      conditions: {
        items: [...a.conditions].map(([key, v]) => ({ key, values: { items: (typeof v === 'string' ? [v] : [...v]).map((value) => ({ value })) } })),
      },
    },
  };
}

/** Encode a message for `account`: only principals of that account can decode it. */
export function encodeAuthorizationMessage(account: string, message: AuthorizationMessage): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', KEY, iv);
  cipher.setAAD(Buffer.from(account, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(message), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The message, or undefined when it is not one Gatehouse encoded for `account`. */
export function decodeAuthorizationMessage(account: string, encoded: string): AuthorizationMessage | undefined {
  try {
    const raw = Buffer.from(encoded.trim(), 'base64url');
    if (raw.length < 1 + 12 + 16 || raw[0] !== VERSION) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', KEY, raw.subarray(1, 13));
    decipher.setAAD(Buffer.from(account, 'utf8'));
    decipher.setAuthTag(raw.subarray(13, 29));
    const text = Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as AuthorizationMessage;
  } catch {
    return undefined;
  }
}

export const decodeHandlers: Record<string, Handler> = {
  async DecodeAuthorizationMessage(input: DecodeAuthorizationMessageCommandInput, ctx: ServiceContext): Promise<Out<DecodeAuthorizationMessageCommandOutput>> {
    await ctx.authorize('sts:DecodeAuthorizationMessage', '*');
    const message = decodeAuthorizationMessage(ctx.caller.account, input.EncodedMessage!);
    if (!message) throw new AwsError('InvalidAuthorizationMessageException', 'The encoded authorization message is invalid or was not issued for this account.', { status: 400 });
    return { DecodedMessage: JSON.stringify(message) };
  },
};
