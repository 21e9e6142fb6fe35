/**
 * Checks in the manner of IAM Access Analyzer's ValidatePolicy: findings that do not stop
 * IAM from accepting a document but tell its author something is likely wrong. Unknown
 * actions and condition keys are warnings, not errors, exactly as Access Analyzer has it.
 */
import { parseOperator } from './operators.js';
import { parseCidr } from './ip.js';
import { parseDate } from './values.js';
import type { Finding, PolicyCatalog, PolicyDocument, PolicyKind, StatementSpec } from './types.js';

type Emit = (f: Finding) => void;

export function validateNames(doc: PolicyDocument, kind: PolicyKind, catalog: PolicyCatalog | undefined, emit: Emit): void {
  const single = doc.statements.length === 1;
  for (const st of doc.statements) {
    const path = single ? 'Statement' : `Statement[${st.index}]`;
    const at = (severity: Finding['severity'], code: string, message: string, sub: string): void =>
      emit({ severity, code, message, path: sub ? `${path}.${sub}` : path, position: st.start });
    if (catalog) checkCatalog(st, catalog, at);
    checkConditionValues(st, catalog, at);
    if (kind === 'identity' || kind === 'boundary' || kind === 'session') checkServiceGrants(st, at);
  }
}

type At = (severity: Finding['severity'], code: string, message: string, sub: string) => void;

function checkCatalog(st: StatementSpec, catalog: PolicyCatalog, at: At): void {
  const field = st.action ? 'Action' : 'NotAction';
  for (const action of st.action ?? st.notAction ?? []) {
    if (action === '*') continue;
    const [service = '', name = ''] = action.toLowerCase().split(':');
    if (/[*?]/.test(service)) continue;
    if (!catalog.hasService(service)) {
      at('WARNING', 'UNKNOWN_SERVICE', `The service ${service} is not known.`, field);
      continue;
    }
    if (!/[*?]/.test(name) && !catalog.hasAction(service, name)) {
      at('WARNING', 'UNKNOWN_ACTION', `The action ${action} does not exist.`, field);
    }
  }
  for (const c of st.conditions) {
    if (!catalog.hasConditionKey(c.key)) {
      at('WARNING', 'UNKNOWN_CONDITION_KEY', `The condition key ${c.key} is not known.`, `Condition.${c.operator}.${c.key}`);
    }
  }
}

function checkConditionValues(st: StatementSpec, catalog: PolicyCatalog | undefined, at: At): void {
  for (const c of st.conditions) {
    const op = parseOperator(c.operator);
    if (!op) continue;
    const sub = `Condition.${c.operator}.${c.key}`;
    for (const v of c.values) {
      let bad = false;
      if (op.family === 'ip') bad = parseCidr(v) === undefined;
      else if (op.family === 'numeric') bad = v.trim() === '' || !Number.isFinite(Number(v));
      else if (op.family === 'date') bad = Number.isNaN(parseDate(v));
      else if (op.family === 'bool' || op.family === 'null') bad = !/^(true|false)$/i.test(v) && !v.includes('${');
      if (bad) at('ERROR', `TYPE_MISMATCH_${op.family.toUpperCase()}`, `The value ${v} is not valid for ${op.base}.`, sub);
    }
    const type = catalog?.conditionKeyType?.(c.key);
    if (op.set === 'ForAllValues' && type && !type.startsWith('ArrayOf')) {
      at('SECURITY_WARNING', 'FORALLVALUES_WITH_SINGLE_VALUED_KEY', `ForAllValues with the single-valued key ${c.key} is true when the key is absent.`, sub);
    }
    if (!op.set && type?.startsWith('ArrayOf')) {
      at('WARNING', 'SINGLE_VALUE_OPERATOR_WITH_MULTIVALUED_KEY', `${c.key} is multivalued; use ForAnyValue or ForAllValues.`, sub);
    }
  }
}

/** Does an Action element name an action, wildcards included? (Validation only; not a hot path.) */
function grants(actions: readonly string[], action: string): boolean {
  return actions.some((a) => new RegExp(`^${a.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action));
}

/** The "Pass role with star in resource" and "Create SLR with star in resource" families. */
function checkServiceGrants(st: StatementSpec, at: At): void {
  if (st.effect !== 'Allow' || !st.action) return;
  const starResource = st.resource?.includes('*') ?? st.notResource !== undefined;
  if (!starResource) return;
  if (grants(st.action, 'iam:PassRole')) {
    at('SECURITY_WARNING', 'PASS_ROLE_WITH_STAR_IN_RESOURCE', 'Allowing iam:PassRole on every role lets the principal hand any role to a service.', 'Resource');
  }
  if (grants(st.action, 'iam:CreateServiceLinkedRole') && !st.conditions.some((c) => c.key.toLowerCase() === 'iam:awsservicename')) {
    at('SECURITY_WARNING', 'CREATE_SLR_WITH_STAR_IN_RESOURCE', 'Allowing iam:CreateServiceLinkedRole on every role without iam:AWSServiceName lets the principal create any service-linked role.', 'Resource');
  }
}
