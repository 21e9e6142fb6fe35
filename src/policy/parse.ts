/**
 * The policy grammar: turns a document's text into a PolicyDocument, or into findings
 * that carry IAM's own MalformedPolicyDocument message and the place of the problem.
 *
 * IAM reports one message per document and groups most grammar problems under
 * "Syntax errors in policy."; Gatehouse keeps that text (clients match on it) and adds
 * the path and position in the finding, which is what a person needs to fix it.
 */
import { parseJson, JsonSyntaxError, SourceMap, type JsonNode, type JsonObject } from './json.js';
import { parseOperator } from './operators.js';
import { validateNames } from './validate.js';
import type {
  ConditionSpec,
  Effect,
  Finding,
  ParseResult,
  PolicyCatalog,
  PolicyDocument,
  PolicyKind,
  PrincipalSpec,
  StatementSpec,
} from './types.js';

export const MESSAGES = {
  syntax: 'Syntax errors in policy.',
  version: 'Policy document must be version 2012-10-17 or greater.',
  sidUnique: 'Statement IDs (SID) in a single policy must be unique.',
  actions: 'Policy statement must contain actions.',
  resources: 'Policy statement must contain resources.',
  noPrincipal: 'Policy document should not specify a principal.',
  missingPrincipal: 'Missing required field Principal.',
  prohibitedResource: 'Has prohibited field Resource.',
  prohibitedNotPrincipal: 'Has prohibited field NotPrincipal.',
  trustActions:
    'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity',
  vendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  rcpPrincipal: 'RCPs only support "*" as the Principal.',
  rcpNotAction: 'RCPs do not support NotAction.',
  rcpAllow: 'RCP statements other than RCPFullAWSAccess must have Effect Deny.',
} as const;

/** Actions a trust policy may name (the STS actions whose resource is a role). */
const TRUST_ACTIONS = new Set(
  [
    'sts:AssumeRole',
    'sts:AssumeRoleWithSAML',
    'sts:AssumeRoleWithWebIdentity',
    'sts:TagSession',
    'sts:SetSourceIdentity',
    'sts:SetContext',
    'sts:*',
  ].map((a) => a.toLowerCase()),
);

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_KEYS: Record<string, keyof Omit<PrincipalSpec, 'wildcard'>> = {
  AWS: 'aws',
  Service: 'service',
  Federated: 'federated',
  CanonicalUser: 'canonicalUser',
};

export interface ParseOptions {
  /** Check action and condition-key names against field data (warnings only). */
  readonly catalog?: PolicyCatalog;
  /**
   * A managed policy (CreatePolicy, CreatePolicyVersion, a permissions boundary): IAM
   * requires Version 2012-10-17 for these. Inline and resource policies may use
   * 2008-10-17 or omit the Version.
   */
  readonly managed?: boolean;
}

/** Raised where a document had to be valid (compilePolicy, the IAM APIs). */
export class PolicyDocumentError extends Error {
  readonly code = 'MalformedPolicyDocument';
  constructor(readonly findings: readonly Finding[]) {
    super(findings[0]?.message ?? MESSAGES.syntax);
  }
}

class Collector {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];
  constructor(readonly map: SourceMap) {}
  error(message: string, path: string, offset?: number, code = 'MALFORMED_POLICY_DOCUMENT'): void {
    this.errors.push({ severity: 'ERROR', code, message, path, ...(offset === undefined ? {} : { position: this.map.iamPosition(offset) }) });
  }
  warn(severity: Finding['severity'], code: string, message: string, path: string, offset?: number): void {
    this.warnings.push({ severity, code, message, path, ...(offset === undefined ? {} : { position: this.map.iamPosition(offset) }) });
  }
}

export function parsePolicy(input: string | object, kind: PolicyKind, options: ParseOptions = {}): ParseResult {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  const out = new Collector(new SourceMap(text));
  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    out.error(MESSAGES.syntax, '', e.offset, 'JSON_SYNTAX');
    return { errors: out.errors, warnings: out.warnings };
  }
  const document = readDocument(root, kind, options, out);
  if (document && out.errors.length === 0) {
    validateNames(document, kind, options.catalog, (f) => out.warnings.push(f));
    return { document, errors: [], warnings: out.warnings };
  }
  return { errors: out.errors, warnings: out.warnings };
}

function readDocument(root: JsonNode, kind: PolicyKind, options: ParseOptions, out: Collector): PolicyDocument | undefined {
  if (root.kind !== 'object') {
    out.error(MESSAGES.syntax, '', root.start);
    return undefined;
  }
  let version: string | undefined;
  let id: string | undefined;
  let statementNode: JsonNode | undefined;
  if (!uniqueKeys(root, '', out)) return undefined;
  for (const { key, keyStart, value } of root.entries) {
    if (!TOP_KEYS.has(key)) {
      out.error(MESSAGES.syntax, key, keyStart, 'UNKNOWN_ELEMENT');
      return undefined;
    }
    if (key === 'Statement') statementNode = value;
    else if (value.kind !== 'string') {
      out.error(MESSAGES.syntax, key, value.start);
      return undefined;
    } else if (key === 'Version') version = value.value as string;
    else id = value.value as string;
  }
  const versionNode = root.entries.find((e) => e.key === 'Version');
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    out.error(MESSAGES.syntax, 'Version', versionNode?.value.start, 'INVALID_VERSION');
    return undefined;
  }
  if (statementNode === undefined || (statementNode.kind !== 'object' && statementNode.kind !== 'array')) {
    out.error(MESSAGES.syntax, 'Statement', statementNode?.start ?? root.start, 'MISSING_STATEMENT');
    return undefined;
  }
  const statementNodes = statementNode.kind === 'array' ? statementNode.items : [statementNode];
  if (statementNodes.length === 0) {
    out.error(MESSAGES.syntax, 'Statement', statementNode.start, 'MISSING_STATEMENT');
    return undefined;
  }
  const single = statementNode.kind === 'object';
  const statements: StatementSpec[] = [];
  for (let i = 0; i < statementNodes.length; i++) {
    const path = single ? 'Statement' : `Statement[${i}]`;
    const st = readStatementSyntax(statementNodes[i]!, i, path, out);
    if (!st) return undefined;
    statements.push(st);
  }
  if ((options.managed || kind === 'boundary') && version !== '2012-10-17') {
    out.error(MESSAGES.version, 'Version', versionNode?.value.start ?? root.start, 'INVALID_VERSION');
    return undefined;
  }
  if (!checkSemantics(statements, statementNodes, single, kind, out)) return undefined;
  if (version !== '2012-10-17' && /\$\{/.test(JSON.stringify(statements))) {
    out.warn(
      'WARNING',
      'VARIABLE_UNSUPPORTED_IN_VERSION',
      'Policy variables are only supported with Version 2012-10-17; here they are literal text.',
      'Version',
      versionNode?.value.start ?? root.start,
    );
  }
  return { ...(version === undefined ? {} : { version }), ...(id === undefined ? {} : { id }), statements };
}

function uniqueKeys(node: JsonObject, path: string, out: Collector): boolean {
  const seen = new Set<string>();
  for (const e of node.entries) {
    if (seen.has(e.key)) {
      out.error(MESSAGES.syntax, join(path, e.key), e.keyStart, 'DUPLICATE_KEY');
      return false;
    }
    seen.add(e.key);
  }
  return true;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Read a list of strings given as a string or an array of strings (`null` items are skipped, as IAM does). */
function stringList(node: JsonNode, path: string, out: Collector): string[] | undefined {
  if (node.kind === 'string') return [node.value as string];
  if (node.kind === 'array') {
    const values: string[] = [];
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i]!;
      if (item.kind === 'null') continue;
      if (item.kind !== 'string') {
        out.error(MESSAGES.syntax, `${path}[${i}]`, item.start);
        return undefined;
      }
      values.push(item.value as string);
    }
    return values;
  }
  out.error(MESSAGES.syntax, path, node.start);
  return undefined;
}

function readStatementSyntax(node: JsonNode, index: number, path: string, out: Collector): StatementSpec | undefined {
  if (node.kind !== 'object') {
    out.error(MESSAGES.syntax, path, node.start);
    return undefined;
  }
  if (!uniqueKeys(node, path, out)) return undefined;
  const fields: Partial<Record<string, JsonNode>> = {};
  for (const { key, keyStart, value } of node.entries) {
    if (!STATEMENT_KEYS.has(key)) {
      out.error(MESSAGES.syntax, join(path, key), keyStart, 'UNKNOWN_ELEMENT');
      return undefined;
    }
    fields[key] = value;
  }
  if (fields.Action && fields.NotAction) {
    out.error(MESSAGES.syntax, join(path, 'NotAction'), fields.NotAction.start, 'ACTION_AND_NOT_ACTION');
    return undefined;
  }
  if (fields.Resource && fields.NotResource) {
    out.error(MESSAGES.syntax, join(path, 'NotResource'), fields.NotResource.start, 'RESOURCE_AND_NOT_RESOURCE');
    return undefined;
  }
  if (fields.Principal && fields.NotPrincipal) {
    out.error(MESSAGES.syntax, join(path, 'NotPrincipal'), fields.NotPrincipal.start, 'PRINCIPAL_AND_NOT_PRINCIPAL');
    return undefined;
  }
  // Effect: IAM accepts it in any case (observed: "allow" is taken), and stores it as written.
  const effectNode = fields.Effect;
  const effectText = effectNode?.kind === 'string' ? (effectNode.value as string).toLowerCase() : undefined;
  if (effectText !== 'allow' && effectText !== 'deny') {
    out.error(MESSAGES.syntax, join(path, 'Effect'), effectNode?.start ?? node.start, effectNode ? 'INVALID_EFFECT' : 'MISSING_EFFECT');
    return undefined;
  }
  const effect: Effect = effectText === 'allow' ? 'Allow' : 'Deny';
  let sid: string | undefined;
  if (fields.Sid) {
    if (fields.Sid.kind !== 'string') {
      out.error(MESSAGES.syntax, join(path, 'Sid'), fields.Sid.start);
      return undefined;
    }
    sid = fields.Sid.value as string;
  }
  const lists: Partial<Record<'action' | 'notAction' | 'resource' | 'notResource', string[]>> = {};
  for (const [key, field] of [
    ['Action', 'action'],
    ['NotAction', 'notAction'],
    ['Resource', 'resource'],
    ['NotResource', 'notResource'],
  ] as const) {
    const n = fields[key];
    if (!n) continue;
    const values = stringList(n, join(path, key), out);
    if (!values) return undefined;
    lists[field] = values;
  }
  let principal: PrincipalSpec | undefined;
  let notPrincipal: PrincipalSpec | undefined;
  if (fields.Principal) {
    principal = readPrincipal(fields.Principal, join(path, 'Principal'), out);
    if (!principal) return undefined;
  }
  if (fields.NotPrincipal) {
    notPrincipal = readPrincipal(fields.NotPrincipal, join(path, 'NotPrincipal'), out);
    if (!notPrincipal) return undefined;
  }
  const conditions = fields.Condition ? readConditions(fields.Condition, join(path, 'Condition'), out) : [];
  if (!conditions) return undefined;
  return {
    index,
    ...(sid === undefined ? {} : { sid }),
    effect,
    ...(principal ? { principal } : {}),
    ...(notPrincipal ? { notPrincipal } : {}),
    ...lists,
    conditions,
    start: out.map.iamPosition(node.start),
    end: out.map.iamPosition(node.end),
  };
}

function readPrincipal(node: JsonNode, path: string, out: Collector): PrincipalSpec | undefined {
  if (node.kind === 'string') {
    if (node.value === '*') return { wildcard: true, aws: [], service: [], federated: [], canonicalUser: [] };
    out.error(`Invalid principal in policy: "${node.value as string}"`, path, node.start, 'INVALID_PRINCIPAL');
    return undefined;
  }
  if (node.kind !== 'object' || !uniqueKeys(node, path, out)) {
    if (node.kind !== 'object') out.error(MESSAGES.syntax, path, node.start);
    return undefined;
  }
  const spec = { wildcard: false, aws: [] as string[], service: [] as string[], federated: [] as string[], canonicalUser: [] as string[] };
  for (const { key, keyStart, value } of node.entries) {
    const field = PRINCIPAL_KEYS[key];
    if (!field) {
      out.error(`Invalid principal in policy: "${key}"`, join(path, key), keyStart, 'INVALID_PRINCIPAL');
      return undefined;
    }
    const values = stringList(value, join(path, key), out);
    if (!values) return undefined;
    for (const v of values) {
      const problem = principalProblem(key, v);
      if (problem) {
        out.error(`Invalid principal in policy: "${key}":"${v}"`, join(path, key), value.start, 'INVALID_PRINCIPAL');
        return undefined;
      }
      if (key === 'AWS' && v === '*') spec.wildcard = true;
      else spec[field].push(v);
    }
  }
  return spec;
}

/** IAM refuses principals that cannot name anything: partial wildcards, malformed ARNs. */
function principalProblem(key: string, value: string): boolean {
  if (key === 'AWS') {
    if (value === '*') return false;
    if (/^\d{12}$/.test(value)) return false;
    if (value.includes('*') || value.includes('?')) return true;
    return !/^arn:[\w-]+:(iam|sts)::(\d{12}|aws):[^\s]+$/.test(value) && !/^[A-Z0-9]{16,}$/.test(value);
  }
  if (key === 'Service') return value === '' || value.includes('*') || !value.includes('.');
  if (key === 'Federated') return value === '' || value.includes('*');
  return value === '';
}

function readConditions(node: JsonNode, path: string, out: Collector): ConditionSpec[] | undefined {
  if (node.kind !== 'object') {
    out.error(MESSAGES.syntax, path, node.start);
    return undefined;
  }
  if (!uniqueKeys(node, path, out)) return undefined;
  const result: ConditionSpec[] = [];
  for (const { key: operator, keyStart, value: block } of node.entries) {
    const opPath = join(path, operator);
    if (block.kind !== 'object') {
      out.error(MESSAGES.syntax, opPath, block.start);
      return undefined;
    }
    if (!uniqueKeys(block, opPath, out)) return undefined;
    const parsed = parseOperator(operator);
    if (!parsed) {
      // IAM tolerates an unknown operator only with an empty block.
      if (block.entries.length === 0) continue;
      out.error(MESSAGES.syntax, opPath, keyStart, 'INVALID_OPERATOR');
      return undefined;
    }
    if (operator.endsWith('IfExists') && parsed.base === 'Null') {
      out.warn('ERROR', 'NULL_WITH_IF_EXISTS', 'The Null operator has no IfExists form; IfExists is ignored.', opPath, keyStart);
    }
    for (const { key, keyStart: kStart, value } of block.entries) {
      const keyPath = join(opPath, key);
      if (!key.includes(':')) {
        out.error(MESSAGES.vendor, keyPath, kStart, 'INVALID_CONDITION_KEY');
        return undefined;
      }
      const values: string[] = [];
      const items = value.kind === 'array' ? value.items : [value];
      for (const item of items) {
        if (item.kind === 'string') values.push(item.value as string);
        else if (item.kind === 'boolean') values.push(String(item.value));
        else if (item.kind === 'number') values.push((item as { raw: string }).raw);
        else {
          out.error(MESSAGES.syntax, keyPath, item.start);
          return undefined;
        }
      }
      result.push({ operator, key, values });
    }
  }
  return result;
}

/** Rules that depend on the policy kind and on more than one field. */
function checkSemantics(
  statements: StatementSpec[],
  nodes: readonly JsonNode[],
  single: boolean,
  kind: PolicyKind,
  out: Collector,
): boolean {
  const sids = new Set<string>();
  for (const st of statements) {
    const path = single ? 'Statement' : `Statement[${st.index}]`;
    const node = nodes[st.index]!;
    const offset = node.start;
    if (st.sid) {
      if (sids.has(st.sid)) {
        out.error(MESSAGES.sidUnique, join(path, 'Sid'), offset, 'DUPLICATE_SID');
        return false;
      }
      sids.add(st.sid);
    }
    const actions = st.action ?? st.notAction;
    if (!actions || actions.length === 0) {
      out.error(MESSAGES.actions, path, offset, 'MISSING_ACTION');
      return false;
    }
    for (const a of actions) {
      if (a === '*') continue;
      const parts = a.split(':');
      if (parts.length === 1) {
        out.error(MESSAGES.vendor, join(path, st.action ? 'Action' : 'NotAction'), offset, 'INVALID_ACTION');
        return false;
      }
      if (parts.length > 2) {
        out.error(MESSAGES.oneColon, join(path, st.action ? 'Action' : 'NotAction'), offset, 'INVALID_ACTION');
        return false;
      }
      if (/[^a-zA-Z0-9\-.*?]/.test(parts[0]!) || parts[0] === '') {
        out.error(`Vendor ${parts[0]} is not valid`, join(path, st.action ? 'Action' : 'NotAction'), offset, 'INVALID_ACTION');
        return false;
      }
    }
    const hasPrincipal = st.principal !== undefined || st.notPrincipal !== undefined;
    const hasResource = st.resource !== undefined || st.notResource !== undefined;
    switch (kind) {
      case 'identity':
      case 'boundary':
      case 'session':
      case 'scp':
        if (hasPrincipal) {
          out.error(MESSAGES.noPrincipal, join(path, st.principal ? 'Principal' : 'NotPrincipal'), offset, 'PRINCIPAL_NOT_ALLOWED');
          return false;
        }
        break;
      case 'trust':
        if (st.notPrincipal) {
          out.error(MESSAGES.prohibitedNotPrincipal, join(path, 'NotPrincipal'), offset, 'NOT_PRINCIPAL_NOT_ALLOWED');
          return false;
        }
        if (!st.principal) {
          out.error(MESSAGES.missingPrincipal, path, offset, 'MISSING_PRINCIPAL');
          return false;
        }
        break;
      case 'resource':
        if (!hasPrincipal) {
          out.error(MESSAGES.missingPrincipal, path, offset, 'MISSING_PRINCIPAL');
          return false;
        }
        break;
      case 'rcp':
        if (!st.principal?.wildcard || st.notPrincipal) {
          out.error(MESSAGES.rcpPrincipal, join(path, 'Principal'), offset, 'RCP_PRINCIPAL');
          return false;
        }
        if (st.notAction) {
          out.error(MESSAGES.rcpNotAction, join(path, 'NotAction'), offset, 'RCP_NOT_ACTION');
          return false;
        }
        break;
    }
    if (kind === 'trust') {
      if (hasResource) {
        out.error(MESSAGES.prohibitedResource, join(path, st.resource ? 'Resource' : 'NotResource'), offset, 'RESOURCE_NOT_ALLOWED');
        return false;
      }
      if (!st.action || st.action.some((a) => !TRUST_ACTIONS.has(a.toLowerCase()))) {
        out.error(MESSAGES.trustActions, join(path, 'Action'), offset, 'INVALID_TRUST_ACTION');
        return false;
      }
      continue;
    }
    if (!hasResource || (st.resource ?? st.notResource)!.length === 0) {
      out.error(MESSAGES.resources, path, offset, 'MISSING_RESOURCE');
      return false;
    }
    for (const r of st.resource ?? st.notResource!) {
      const problem = resourceProblem(r);
      if (problem) {
        out.error(problem, join(path, st.resource ? 'Resource' : 'NotResource'), offset, 'INVALID_RESOURCE');
        return false;
      }
    }
  }
  return true;
}

/** IAM's checks on the form of a Resource ARN, with its messages. */
function resourceProblem(resource: string): string | undefined {
  if (resource === '*') return undefined;
  const parts = resource.split(':');
  if (parts.length < 2) return `Resource ${resource} must be in ARN format or "*".`;
  if (parts[0] !== 'arn' && parts[0] !== '*') return `Resource ${resource} must be in ARN format or "*".`;
  const partition = parts[1]!;
  if (partition !== '*' && !PARTITIONS.has(partition) && !partition.includes('${')) {
    const [s = '*', r = '*', a = '*'] = [parts[2] || (parts.length > 3 ? '' : '*'), parts[3], parts[4]];
    const rest = parts.length > 5 ? parts.slice(5).join(':') : '*';
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${s}:${r}:${a}:${rest}".`;
  }
  if (parts.length < 6 && !resource.endsWith('*')) return 'Resource vendor must be fully qualified and cannot contain regexes.';
  const service = parts[2] ?? '';
  if (service === 'iam' && (parts[3] ?? '') !== '') return `IAM resource ${resource} cannot contain region information.`;
  return undefined;
}
