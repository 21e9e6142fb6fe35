/**
 * What the policy simulator evaluates: the principal's policies (loaded from IAM's
 * records), the policies passed as strings, and the request context built from
 * ContextEntries. Policy identifiers and source types are those AWS reports in
 * MatchedStatements (see simulate.ts for the evidence behind each).
 */
import type { ContextEntry } from '@aws-sdk/client-iam';
import { compilePolicy, PolicyDocumentError, type CompiledPolicy, type ContextInput, type PolicyKind } from '../../policy/index.js';
import { AwsError } from '../../models/errors.js';
import { KIND, invalidInput, noSuchEntity, type AttachedPolicy, type GroupRecord, type InlinePolicyRecord, type RoleRecord, type UserRecord } from './records.js';
import { managedDocument } from './managed.js';
import type { Tx } from '../../store/index.js';

/** `SourcePolicyType` of identity policies and boundaries in AWS's responses (not in the model's enum). */
export const IAM_POLICY = 'IAM Policy';
/** `SourcePolicyType` and `SourcePolicyId` AWS reports for the ResourcePolicy input. */
export const RESOURCE_POLICY_TYPE = 'Resource Policy';
export const RESOURCE_POLICY_ID = 'ResourcePolicy';

export type EntityType = 'user' | 'group' | 'role';

export interface SourceEntity {
  readonly type: EntityType;
  readonly account: string;
  readonly name: string;
  /** The ARN as given (its path may be anything; IAM looks the entity up by name). */
  readonly arn: string;
}

const ENTITY_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:.*\/)?)([^/]+)$/;

/** A PolicySourceArn: a user, group or role ARN; undefined for anything else. */
export function sourceOf(arn: string): SourceEntity | undefined {
  const m = ENTITY_ARN.exec(arn);
  return m ? { type: m[2] as EntityType, account: m[1]!, name: m[4]!, arn } : undefined;
}

/** IAM's answer to a PolicySourceArn that is not a user, group or role ARN. */
export const invalidEntityArn = (arn: string): AwsError => invalidInput(`Invalid Entity Arn: ${arn}`);

/** CallerArn: only an IAM user's ARN (the simulated caller the resource policy's Principal is matched against). */
export function parseCallerArn(arn: string): { account: string; arn: string } {
  const m = ENTITY_ARN.exec(arn);
  if (!m || m[2] !== 'user') throw invalidCaller();
  return { account: m[1]!, arn };
}

export const invalidCaller = (): AwsError => invalidInput('Invalid caller - Caller must be an IAM user in this context.');

/** ResourceOwner: `arn:aws:iam::<account>:root` as documented; a bare account id is accepted too. */
export function parseResourceOwner(owner: string): string {
  const m = /^(?:arn:aws:iam::(\d{12}):root|(\d{12}))$/.exec(owner);
  if (!m) throw invalidInput(`'${owner}' is not a valid as a Resource Owner.`);
  return (m[1] ?? m[2])!;
}

/** Compile a document passed in the request; a malformed one is MalformedPolicyDocument. */
export function compileInput(doc: string, id: string, kind: PolicyKind, sourceType: string): CompiledPolicy {
  try {
    return compilePolicy(doc, { id, kind, sourceType });
  } catch (e) {
    if (e instanceof PolicyDocumentError) throw new AwsError('MalformedPolicyDocument', e.message, { status: 400 });
    throw e;
  }
}

/** PolicyInputList: identity policies reported as `PolicyInputList.1`, `PolicyInputList.2`... */
export function compileInputList(docs: readonly string[] | undefined): CompiledPolicy[] {
  return (docs ?? []).map((doc, i) => compileInput(doc, `PolicyInputList.${i + 1}`, 'identity', IAM_POLICY));
}

/** PermissionsBoundaryPolicyInputList: at most one boundary, reported as `PermissionsBoundaryPolicyInputList.1`. */
export function compileBoundaryInput(docs: readonly string[] | undefined): CompiledPolicy | undefined {
  if (!docs?.length) return undefined;
  if (docs.length > 1) throw invalidInput('Only one permissions boundary policy can be included in a simulation.');
  return compileInput(docs[0]!, 'PermissionsBoundaryPolicyInputList.1', 'boundary', IAM_POLICY);
}

/** The entity's stored record, or NoSuchEntity with IAM's GetUser/GetGroup/GetRole wording. */
export async function findEntity(tx: Tx, callerAccount: string, source: SourceEntity): Promise<UserRecord | GroupRecord | RoleRecord | undefined> {
  if (source.account !== callerAccount) return undefined;
  const kind = source.type === 'user' ? KIND.user : source.type === 'group' ? KIND.group : KIND.role;
  return tx.getByName(source.account, kind, source.name);
}

export function entityNotFound(source: SourceEntity): AwsError {
  return noSuchEntity(`The ${source.type} with name ${source.name} cannot be found.`);
}

export interface PrincipalPolicies {
  readonly identity: CompiledPolicy[];
  readonly boundary?: CompiledPolicy;
}

/**
 * A principal's policies as the simulator reports them: inline policies as
 * `<user|group|role>_<entity name>_<policy name>`, managed policies (attached, or the
 * permissions boundary) by their name; a user's groups' policies after its own.
 */
export async function principalPolicies(tx: Tx, account: string, type: EntityType, entity: UserRecord | GroupRecord | RoleRecord): Promise<PrincipalPolicies> {
  const identity: CompiledPolicy[] = [];
  const seenManaged = new Set<string>();
  const inline = async (kind: string, parent: string, prefix: string): Promise<void> => {
    for (const p of await tx.list<InlinePolicyRecord>(account, kind, { parent })) {
      identity.push(compilePolicy(p.PolicyDocument, { id: `${prefix}_${p.PolicyName}`, kind: 'identity', sourceType: IAM_POLICY }));
    }
  };
  const attached = async (list: readonly AttachedPolicy[]): Promise<void> => {
    for (const a of list) {
      if (seenManaged.has(a.PolicyArn)) continue;
      seenManaged.add(a.PolicyArn);
      const m = await managedDocument(tx, account, a.PolicyArn);
      if (m) identity.push(compilePolicy(m.document, { id: m.name, kind: 'identity', sourceType: IAM_POLICY }));
    }
  };
  let boundaryArn: string | undefined;
  if (type === 'user') {
    const user = entity as UserRecord;
    await inline(KIND.userPolicy, user.UserId, `user_${user.UserName}`);
    await attached(user.AttachedPolicies);
    for (const gid of user.Groups) {
      const g = await tx.get<GroupRecord>(account, KIND.group, gid);
      if (!g) continue;
      await inline(KIND.groupPolicy, g.GroupId, `group_${g.GroupName}`);
      await attached(g.AttachedPolicies);
    }
    boundaryArn = user.PermissionsBoundary?.PermissionsBoundaryArn;
  } else if (type === 'group') {
    const group = entity as GroupRecord;
    await inline(KIND.groupPolicy, group.GroupId, `group_${group.GroupName}`);
    await attached(group.AttachedPolicies);
  } else {
    const role = entity as RoleRecord;
    await inline(KIND.rolePolicy, role.RoleId, `role_${role.RoleName}`);
    await attached(role.AttachedPolicies);
    boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
  }
  let boundary: CompiledPolicy | undefined;
  if (boundaryArn) {
    const m = await managedDocument(tx, account, boundaryArn);
    if (m) boundary = compilePolicy(m.document, { id: m.name, kind: 'boundary', sourceType: IAM_POLICY });
  }
  return { identity, ...(boundary ? { boundary } : {}) };
}

const LIST_TYPES = new Set(['stringList', 'numericList', 'booleanList', 'ipList', 'binaryList', 'dateList']);

/**
 * ContextEntries as a request context. The simulator fills in no key itself: only what
 * the caller supplies is in the context (the rest is reported as missing). List types
 * (and an untyped entry with several values) give multivalued keys; the other types take
 * the first value. Values are passed as written: the condition operators parse them,
 * and a value an operator cannot read matches nothing. An entry without values
 * is ignored, as the IAM User Guide warns ("that key is ignored during the simulation").
 */
export function contextFromEntries(entries: readonly ContextEntry[] | undefined): ContextInput {
  const ctx: Record<string, string | readonly string[]> = {};
  const lowered = new Map<string, string>();
  for (const e of entries ?? []) {
    const name = e.ContextKeyName;
    const values = e.ContextKeyValues ?? [];
    if (!name || values.length === 0) continue;
    // Key names are case-insensitive: a later entry replaces an earlier one.
    const previous = lowered.get(name.toLowerCase());
    if (previous !== undefined) delete ctx[previous];
    lowered.set(name.toLowerCase(), name);
    const list = e.ContextKeyType === undefined ? values.length > 1 : LIST_TYPES.has(e.ContextKeyType);
    ctx[name] = list ? [...values] : values[0]!;
  }
  return ctx;
}

/**
 * The condition keys a set of policies reads, as written, without duplicates (keys are
 * case-insensitive): statement by statement, the policy variables of Resource /
 * NotResource first, then each condition's key and the variables in its values.
 * Variables count only where IAM substitutes them (Version 2012-10-17).
 */
export function contextKeysOf(policies: readonly CompiledPolicy[]): string[] {
  const seen = new Map<string, string>();
  const add = (k: string): void => {
    if (!seen.has(k.toLowerCase())) seen.set(k.toLowerCase(), k);
  };
  for (const p of policies) {
    for (const st of p.statements) {
      for (const r of st.resources) r.variableNames.forEach(add);
      for (const c of st.conditions) c.keyNames.forEach(add);
    }
  }
  return [...seen.values()];
}
