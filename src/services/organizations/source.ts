/**
 * What the authorizer asks Organizations (auth/authorizer.ts `OrganizationSource`), in one
 * lookup per account: the SCP levels for its principals, the RCP levels for its resources,
 * and the organization facts for `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths` /
 * `aws:PrincipalOrgMasterAccountId` (the account as the caller's) and `aws:ResourceOrgID` /
 * `aws:ResourceOrgPaths` (the account as the resource owner's).
 *
 * Levels run from the root through each OU down to the account, each with the policies of
 * the type attached there, compiled by the policy engine (which caches compiled documents
 * by content). The management account gets its levels too: the engine exempts it
 * (evaluate.ts: `p.account !== managementAccountId`), as it exempts service-linked roles.
 * A type not enabled on the root is not in force at all (undefined).
 *
 * Everything for an account is computed once per organization revision and cached: a
 * request costs the membership and organization reads, and no allocation beyond them.
 */
import { compilePolicy, type CompiledPolicy, type OrgLevel } from '../../policy/index.js';
import { iamData } from '../../catalog/iam-data.js';
import type { AccountOrganization, OrganizationSource } from '../../auth/authorizer.js';
import type { Tx } from '../../store/index.js';
import { KIND, MEMBERSHIP_ID, allPolicies, ancestors, orgPath, policyArn, typeEnabled, type Membership, type OrgState, type PolicyTypeName } from './state.js';

interface Facts extends AccountOrganization {
  readonly revision: string;
}

const CACHE_LIMIT = 10_000;

/**
 * Accounts known to be in no organization: most requests come from them, and this spares
 * them the store reads. Only Organizations writes memberships; each of its writes clears it.
 */
const outside = new Set<string>();
export function organizationsChanged(): void {
  outside.clear();
}

export class OrganizationsSource implements OrganizationSource {
  private cache = new Map<string, Facts>();

  async organizationOf(account: string, tx: Tx): Promise<AccountOrganization | undefined> {
    return this.facts(account, tx);
  }

  private async facts(account: string, tx: Tx): Promise<Facts | undefined> {
    if (outside.has(account)) return undefined;
    const m = await tx.get<Membership>(account, KIND.membership, MEMBERSHIP_ID);
    if (!m) {
      if (outside.size >= CACHE_LIMIT) outside.clear();
      outside.add(account);
      return undefined;
    }
    const s = await tx.get<OrgState>(m.ManagementAccountId, KIND.organization, m.OrganizationId);
    const member = s?.Accounts.find((a) => a.Id === account);
    if (!s || !member) return undefined;
    const key = `${account}\u0000${s.Id}`;
    const hit = this.cache.get(key);
    // A write (even one not yet committed) gives the organization a new revision.
    if (hit && hit.revision === s.Revision) return hit;
    const path = [...ancestors(s, member.ParentId), account];
    const levels = (type: PolicyTypeName): OrgLevel<CompiledPolicy>[] =>
      path.map((target) => ({
        target,
        policies: s.Attachments.filter((a) => a.TargetId === target)
          .map((a) => allPolicies(s).find((p) => p.Id === a.PolicyId))
          .filter((p) => p !== undefined && p.Type === type)
          .map((p) => compilePolicy(p!.Content, { id: policyArn(s, p!), kind: type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp' })),
      }));
    const orgPaths = [orgPath(s, member.ParentId)];
    const facts: Facts = {
      revision: s.Revision,
      ...(typeEnabled(s, 'SERVICE_CONTROL_POLICY') ? { scp: { managementAccountId: s.ManagementAccountId, scpLevels: levels('SERVICE_CONTROL_POLICY') } } : {}),
      ...(typeEnabled(s, 'RESOURCE_CONTROL_POLICY') ? { rcp: { managementAccountId: s.ManagementAccountId, rcpLevels: levels('RESOURCE_CONTROL_POLICY'), rcpServices: iamData().rcpServices } } : {}),
      principalKeys: { 'aws:PrincipalOrgID': s.Id, 'aws:PrincipalOrgPaths': orgPaths, 'aws:PrincipalOrgMasterAccountId': s.ManagementAccountId },
      // The resource owner's organization and path, the same values the account's principals get.
      resourceKeys: { 'aws:ResourceOrgID': s.Id, 'aws:ResourceOrgPaths': orgPaths },
    };
    if (this.cache.size >= CACHE_LIMIT) this.cache = new Map();
    this.cache.set(key, facts);
    return facts;
  }
}
