/**
 * Explaining a decision: AWS's AccessDenied message (page "Troubleshoot access denied
 * error messages"), and a readable account of every policy type, every statement that
 * matched (with its place in the source), and the condition keys read and missing.
 */
import type { Evaluation } from './evaluate.js';
import type { AuthorizationRequest, MatchedStatement, PolicyType } from './types.js';

/** The policy type as AWS's messages name it, with its article. */
const TYPE_NAMES: Readonly<Record<PolicyType, { name: string; article: string }>> = {
  identity: { name: 'identity-based policy', article: 'an' },
  resource: { name: 'resource-based policy', article: 'a' },
  boundary: { name: 'permissions boundary', article: 'a' },
  session: { name: 'session policy', article: 'a' },
  scp: { name: 'service control policy', article: 'a' },
  // AWS does not document the RCP wording; Gatehouse follows the SCP form (iam.md §14).
  rcp: { name: 'resource control policy', article: 'a' },
};

/**
 * `User: <arn> is not authorized to perform: <action> on resource: <resource> because no
 * identity-based policy allows the <action> action`, or `... with an explicit deny in an
 * identity-based policy`. Only one policy type is named, as AWS does.
 */
export function denialMessage(req: AuthorizationRequest, ev: Evaluation): string {
  const head = `User: ${req.principal.arn} is not authorized to perform: ${req.action} on resource: ${req.resource}`;
  const type = TYPE_NAMES[ev.deniedBy ?? 'identity'];
  if (ev.decision === 'explicitDeny') return `${head} with an explicit deny in ${type.article} ${type.name}`;
  return `${head} because no ${type.name} allows the ${req.action} action`;
}

function describe(s: MatchedStatement): string {
  const where = `line ${s.start.line}, column ${s.start.column - 1}`;
  const name = s.sid ? `statement "${s.sid}"` : `statement #${s.index + 1}`;
  const target = s.target ? ` attached to ${s.target}` : '';
  return `${s.effect} ${name} of ${s.policyType} policy ${s.policyId}${target} (${where})`;
}

const DETAIL_WORDS: Readonly<Record<string, string>> = {
  allowed: 'allows',
  explicitDeny: 'denies explicitly',
  implicitDeny: 'does not allow (implicit deny)',
  notApplicable: 'does not apply',
};

/** A plain-text explanation for people: CLI output, logs, test failures. */
export function explain(req: AuthorizationRequest, ev: Evaluation): string {
  const lines: string[] = [];
  lines.push(`${ev.decision.toUpperCase()}: ${req.principal.arn} -> ${req.action} on ${req.resource}${ev.crossAccount ? ' (cross-account)' : ''}`);
  if (ev.decision !== 'allowed') lines.push(`  ${denialMessage(req, ev)}`);
  lines.push('  Policy types:');
  for (const t of ['rcp', 'scp', 'resource', 'identity', 'boundary', 'session'] as const) {
    lines.push(`    ${TYPE_NAMES[t].name.padEnd(24)} ${DETAIL_WORDS[ev.details[t]]}`);
  }
  if (ev.resourceGrant) lines.push(`  The resource-based policy names the caller as: ${ev.resourceGrant}`);
  if (ev.matchedStatements.length > 0) {
    lines.push(ev.decision === 'explicitDeny' ? '  Denied by:' : '  Matched statements:');
    for (const s of ev.matchedStatements) lines.push(`    ${describe(s)}`);
  }
  const read = ev.contextKeysRead;
  if (read.length > 0) lines.push(`  Condition keys read: ${read.join(', ')}`);
  const missing = ev.missingContextKeys;
  if (missing.length > 0) lines.push(`  Condition keys missing from the request: ${missing.join(', ')}`);
  return lines.join('\n');
}
