/**
 * The authenticated caller of a request, as IAM sees it: who (type, ARN, ids), through
 * which credentials, and what those credentials carry (session policies, tags, MFA).
 */
import type { RequestPrincipal } from '../policy/index.js';

export type CallerType = 'Account' | 'User' | 'AssumedRole' | 'FederatedUser' | 'Anonymous';

export interface Caller {
  readonly account: string;
  readonly type: CallerType;
  /** The identity's ARN: user, root, assumed-role session or federated user. */
  readonly arn: string;
  /** `aws:userid`: the user's unique id, `<role id>:<session>`, or the account id for root. */
  readonly userId: string;
  readonly userName?: string;
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly roleId?: string;
  readonly sessionName?: string;
  readonly accessKeyId: string;
  /** Temporary credentials only. */
  readonly sessionToken?: string;
  readonly tokenIssueTime?: string;
  readonly expiration?: string;
  readonly mfaAuthenticated?: boolean;
  /** Session policies passed at AssumeRole / GetFederationToken (JSON documents). */
  readonly sessionPolicies?: readonly string[];
  readonly sessionPolicyArns?: readonly string[];
  readonly sessionTags?: Readonly<Record<string, string>>;
  readonly transitiveTagKeys?: readonly string[];
  readonly sourceIdentity?: string;
  readonly serviceLinkedRole?: boolean;
  /** For web identity / SAML sessions: the provider. */
  readonly federatedProvider?: string;
}

/** The policy engine's view of the caller. */
export function requestPrincipal(c: Caller): RequestPrincipal {
  return {
    type: c.type,
    arn: c.arn,
    account: c.account,
    ...(c.roleArn ? { roleArn: c.roleArn } : {}),
    ...(c.federatedProvider ? { federatedProvider: c.federatedProvider } : {}),
    ...(c.serviceLinkedRole ? { serviceLinkedRole: true } : {}),
  };
}

/** `aws:PrincipalArn`: the role's ARN for a role session, else the identity's ARN. */
export const principalArn = (c: Caller): string => c.roleArn ?? c.arn;
