/**
 * What the authorizer asks Organizations (auth/authorizer.ts `OrganizationSource`): the SCP
 * levels for a principal's account, the RCP levels for a resource's account, and the
 * organization facts for `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths`.
 *
 * Levels run from the root through each OU down to the account, each with the policies of
 * the type attached there, compiled by the policy engine (which caches compiled documents
 * by content). The management account gets its levels too: the engine exempts it
 * (evaluate.ts: `p.account !== managementAccountId`), as it exempts service-linked roles.
 * A type not enabled on the root is not in force at all (undefined).
 */
import { compilePolicy, type CompiledPolicy, type OrgLevel, type PrincipalOrganization, type ResourceOrganization } from '../../policy/index.js';
import { iamData } from '../../catalog/iam-data.js';
import type { OrganizationSource } from '../../auth/authorizer.js';
import type { Tx } from '../../store/index.js';
import { KIND, MEMBERSHIP_ID, allPolicies, ancestors, orgPath, policyArn, typeEnabled, type Membership, type OrgState, type PolicyTypeName } from './state.js';

interface Facts {
  readonly revision: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly orgPaths: readonly string[];
  readonly scp: PrincipalOrganization<CompiledPolicy> | undefined;
  readonly rcp: ResourceOrganization<CompiledPolicy> | undefined;
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

  async scpsFor(account: string, tx: Tx): Promise<PrincipalOrganization<CompiledPolicy> | undefined> {
    return (await this.facts(account, tx))?.scp;
  }

  async rcpsFor(account: string, tx: Tx): Promise<ResourceOrganization<CompiledPolicy> | undefined> {
    return (await this.facts(account, tx))?.rcp;
  }

  async principalOrgContext(account: string, tx: Tx): Promise<Record<string, string | readonly string[]> | undefined> {
    const f = await this.facts(account, tx);
    return f ? { 'aws:PrincipalOrgID': f.organizationId, 'aws:PrincipalOrgPaths': f.orgPaths, 'aws:PrincipalOrgMasterAccountId': f.managementAccountId } : undefined;
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
    const facts: Facts = {
      revision: s.Revision,
      organizationId: s.Id,
      managementAccountId: s.ManagementAccountId,
      orgPaths: [orgPath(s, member.ParentId)],
      scp: typeEnabled(s, 'SERVICE_CONTROL_POLICY') ? { managementAccountId: s.ManagementAccountId, scpLevels: levels('SERVICE_CONTROL_POLICY') } : undefined,
      rcp: typeEnabled(s, 'RESOURCE_CONTROL_POLICY') ? { managementAccountId: s.ManagementAccountId, rcpLevels: levels('RESOURCE_CONTROL_POLICY'), rcpServices: iamData().rcpServices } : undefined,
    };
    if (this.cache.size >= CACHE_LIMIT) this.cache = new Map();
    this.cache.set(key, facts);
    return facts;
  }
}
