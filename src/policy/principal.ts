/**
 * Principal and NotPrincipal in resource-based, trust and control policies.
 *
 * Which form of the principal a statement names matters (iam.md §3): naming the user or
 * the session grants directly; naming the role still leaves the session's boundary and
 * session policy in force; naming the account only delegates to the account's identity
 * policies. So matching answers *how* the principal matched, not just whether.
 */
import type { PrincipalMatch, PrincipalSpec, RequestPrincipal } from './types.js';

/** Strength of a match: a statement naming the caller more precisely grants more. */
export const MATCH_RANK: Readonly<Record<PrincipalMatch, number>> = {
  account: 1,
  role: 2,
  user: 3,
  session: 3,
  wildcard: 3,
  service: 3,
  federated: 3,
  canonicalUser: 3,
};

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:[\w-]+:iam::(\d{12}):root$/;

export class CompiledPrincipal {
  private readonly wildcard: boolean;
  private readonly accounts = new Set<string>();
  private readonly arns = new Set<string>();
  private readonly services: ReadonlySet<string>;
  private readonly federated: ReadonlySet<string>;
  private readonly canonical: ReadonlySet<string>;

  constructor(spec: PrincipalSpec) {
    this.wildcard = spec.wildcard;
    for (const v of spec.aws) {
      if (ACCOUNT.test(v)) this.accounts.add(v);
      else {
        const root = ROOT.exec(v);
        if (root) this.accounts.add(root[1]!);
        else this.arns.add(v);
      }
    }
    this.services = new Set(spec.service);
    this.federated = new Set(spec.federated);
    this.canonical = new Set(spec.canonicalUser);
  }

  /** How the Principal element names the caller, the strongest form, or undefined. */
  match(p: RequestPrincipal): PrincipalMatch | undefined {
    if (this.wildcard) return 'wildcard';
    switch (p.type) {
      case 'Service':
        return this.services.has(p.arn) ? 'service' : undefined;
      case 'Anonymous':
        return undefined;
      case 'User':
        if (this.arns.has(p.arn)) return 'user';
        break;
      case 'AssumedRole':
        if (this.arns.has(p.arn)) return 'session';
        if (p.federatedProvider !== undefined && this.federated.has(p.federatedProvider)) return 'federated';
        if (p.roleArn !== undefined && this.arns.has(p.roleArn)) return 'role';
        break;
      case 'FederatedUser':
        if (this.arns.has(p.arn)) return 'session';
        break;
      case 'Account':
        break;
    }
    if (this.canonical.size > 0 && this.canonical.has(p.arn)) return 'canonicalUser';
    return this.accounts.has(p.account) ? 'account' : undefined;
  }

  /**
   * NotPrincipal: does the element exempt the caller? Only the caller's own ARN (the
   * session ARN for a role session, the root ARN or account id for the root user), a
   * listed service, or `*` exempts it. AWS's examples list the session ARN for sessions:
   * the role ARN alone does not exempt them (Gatehouse's reading of the NotPrincipal page).
   */
  exempts(p: RequestPrincipal): boolean {
    if (this.wildcard) return true;
    if (p.type === 'Service') return this.services.has(p.arn);
    if (p.type === 'Account') return this.accounts.has(p.account) || this.arns.has(p.arn);
    return this.arns.has(p.arn);
  }
}
