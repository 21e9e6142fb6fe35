/**
 * Policy size limits per kind (IAM quotas page "IAM and AWS STS quotas"; Organizations
 * "Quotas and service limits").
 *
 * - IAM does not count white space: a managed policy may hold 6,144 characters
 *   "excluding white space". Gatehouse drops white space outside string literals,
 *   which is what pretty-printing adds.
 * - Organizations counts every character of SCPs and RCPs (5,120): the console strips
 *   extra white space before saving, the API stores the document as sent.
 * - Inline policies share a per-identity total (user 2,048, group 5,120, role 10,240),
 *   checked by the IAM service over all of an identity's inline policies.
 */
import type { PolicyKind } from './types.js';

export interface SizeLimit {
  readonly max: number;
  /** Does white space count toward the limit? */
  readonly countsWhitespace: boolean;
  /** The quota's name in IAM's LimitExceeded message. */
  readonly quota: string;
}

export const POLICY_SIZE_LIMITS = {
  managed: { max: 6144, countsWhitespace: false, quota: 'PolicySize' },
  trust: { max: 2048, countsWhitespace: false, quota: 'ACLSizePerRole' },
  session: { max: 2048, countsWhitespace: false, quota: 'SessionPolicySize' },
  inlineUser: { max: 2048, countsWhitespace: false, quota: 'UserPolicySize' },
  inlineGroup: { max: 5120, countsWhitespace: false, quota: 'GroupPolicySize' },
  inlineRole: { max: 10240, countsWhitespace: false, quota: 'RolePolicySize' },
  scp: { max: 5120, countsWhitespace: true, quota: 'ServiceControlPolicySize' },
  rcp: { max: 5120, countsWhitespace: true, quota: 'ResourceControlPolicySize' },
} as const satisfies Record<string, SizeLimit>;

/** The size IAM measures: characters, without white space outside string literals. */
export function policySize(text: string, countsWhitespace = false): number {
  if (countsWhitespace) return text.length;
  let size = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      size++;
      if (c === 92) {
        size++;
        i++;
      } else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
      size++;
    } else if (c !== 32 && c !== 9 && c !== 10 && c !== 13) size++;
  }
  return size;
}

/** The limit that applies to one document of a kind (inline totals are the caller's). */
export function limitFor(kind: PolicyKind): SizeLimit | undefined {
  switch (kind) {
    case 'identity':
    case 'boundary':
      return POLICY_SIZE_LIMITS.managed;
    case 'trust':
      return POLICY_SIZE_LIMITS.trust;
    case 'session':
      return POLICY_SIZE_LIMITS.session;
    case 'scp':
      return POLICY_SIZE_LIMITS.scp;
    case 'rcp':
      return POLICY_SIZE_LIMITS.rcp;
    case 'resource':
      return undefined; // each service has its own (a KMS key policy: 32 KB)
  }
}

/** Undefined when within the limit; otherwise the measured size and the limit. */
export function checkPolicySize(text: string, limit: SizeLimit): { size: number; limit: SizeLimit } | undefined {
  const size = policySize(text, limit.countsWhitespace);
  return size > limit.max ? { size, limit } : undefined;
}
