/**
 * The IAM side of every authorization decision: a caller's identity policies (inline,
 * attached managed, and its groups'), permissions boundary and tags, compiled. Compiled
 * sets are cached per caller and dropped whenever IAM data changes (a generation counter
 * every IAM write bumps), so a decision costs one cache lookup in the common case.
 */
import { compilePolicy, PolicyGroup, type CompiledPolicy } from '../../policy/index.js';
import { KIND, tagMap, type AttachedPolicy, type GroupRecord, type InlinePolicyRecord, type RoleRecord, type UserRecord } from './records.js';
import { managedDocument } from './managed.js';
import type { Caller } from '../../auth/caller.js';
import type { PolicySource, PrincipalPolicies } from '../../auth/authorizer.js';
import type { Tx } from '../../store/index.js';

let generation = 0;
/** Called after every IAM write: cached policy sets are rebuilt on next use. */
export function iamChanged(): void {
  generation++;
}

const CACHE_LIMIT = 50_000;

export class IamPolicySource implements PolicySource {
  private cache = new Map<string, { generation: number; value: PrincipalPolicies }>();

  async policiesFor(caller: Caller, tx: Tx): Promise<PrincipalPolicies> {
    const key = `${caller.account}|${caller.type}|${caller.roleArn ?? caller.arn}|${(caller.sessionPolicyArns ?? []).join(',')}`;
    const hit = this.cache.get(key);
    if (hit && hit.generation === generation) return hit.value;
    const seen = generation;
    const value = await this.load(caller, tx);
    if (this.cache.size >= CACHE_LIMIT) this.cache = new Map();
    this.cache.set(key, { generation: seen, value });
    return value;
  }

  private async load(caller: Caller, tx: Tx): Promise<PrincipalPolicies> {
    const account = caller.account;
    const policies: CompiledPolicy[] = [];
    const inline = async (kind: string, parent: string, sourceType: string): Promise<void> => {
      for (const p of await tx.list<InlinePolicyRecord>(account, kind, { parent })) {
        policies.push(compilePolicy(p.PolicyDocument, { id: p.PolicyName, kind: 'identity', sourceType }));
      }
    };
    const attached = async (list: readonly AttachedPolicy[]): Promise<void> => {
      for (const a of list) {
        const m = await managedDocument(tx, account, a.PolicyArn);
        if (m) policies.push(compilePolicy(m.document, { id: m.arn, kind: 'identity', sourceType: m.sourceType }));
      }
    };
    let boundaryArn: string | undefined;
    let tags: Record<string, string> = {};
    if (caller.type === 'User' || caller.type === 'FederatedUser') {
      const user = caller.userName ? await tx.getByName<UserRecord>(account, KIND.user, caller.userName) : undefined;
      if (user) {
        await inline(KIND.userPolicy, user.UserId, 'user');
        await attached(user.AttachedPolicies);
        for (const gid of user.Groups) {
          const g = await tx.get<GroupRecord>(account, KIND.group, gid);
          if (!g) continue;
          await inline(KIND.groupPolicy, g.GroupId, 'group');
          await attached(g.AttachedPolicies);
        }
        boundaryArn = user.PermissionsBoundary?.PermissionsBoundaryArn;
        tags = tagMap(user.Tags);
      }
    } else if (caller.type === 'AssumedRole' && caller.roleName) {
      const role = await tx.getByName<RoleRecord>(account, KIND.role, caller.roleName);
      if (role) {
        await inline(KIND.rolePolicy, role.RoleId, 'role');
        await attached(role.AttachedPolicies);
        boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
        tags = tagMap(role.Tags);
      }
    }
    let boundary: CompiledPolicy | undefined;
    if (boundaryArn) {
      const m = await managedDocument(tx, account, boundaryArn);
      if (m) boundary = compilePolicy(m.document, { id: m.arn, kind: 'boundary', sourceType: m.sourceType });
    }
    const sessionManaged: CompiledPolicy[] = [];
    for (const arn of caller.sessionPolicyArns ?? []) {
      const m = await managedDocument(tx, account, arn);
      if (m) sessionManaged.push(compilePolicy(m.document, { id: m.arn, kind: 'session', sourceType: m.sourceType }));
    }
    return { identity: new PolicyGroup(policies), ...(boundary ? { boundary } : {}), tags, ...(sessionManaged.length ? { sessionManaged } : {}) };
  }
}
