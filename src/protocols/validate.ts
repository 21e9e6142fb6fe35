/**
 * Input validation from the model: required members, lengths, ranges, patterns, enums,
 * list sizes. One walker for every protocol; the failures are then worded as each
 * service family words them:
 *
 * - IAM/STS (awsQuery): `ValidationError`, and JSON services `ValidationException`:
 *   "2 validation errors detected: Value 'x' at 'roleName' failed to satisfy
 *   constraint: Member must ...; Value null at 'path' failed to satisfy constraint:
 *   Member must not be null";
 * - EC2: `MissingParameter` ("The request must contain the parameter X") for a missing
 *   required member; EC2 does not enforce the other modelled constraints.
 */
import { AwsError } from '../models/errors.js';
import { shapeOf, type ServiceModel, type Shape } from '../models/index.js';
import type { DecodeProblem } from './form.js';

export interface Violation {
  /** AWS's path: camelCase member names, list positions as `.N.member`. */
  readonly path: string;
  /** The member's name as the caller sent it (for EC2's MissingParameter). */
  readonly member: string;
  readonly value: unknown;
  readonly constraint: string;
  readonly kind: 'required' | 'constraint' | 'type';
}

const camel = (s: string): string => s[0]!.toLowerCase() + s.slice(1);
const regexCache = new Map<string, RegExp>();
const regex = (source: string): RegExp => {
  let r = regexCache.get(source);
  if (!r) regexCache.set(source, (r = new RegExp(source, 'u')));
  return r;
};

/** The pattern as AWS prints it: without the anchoring the generator added. */
const displayPattern = (p: string): string => (p.startsWith('^(?:') && p.endsWith(')$') ? p.slice(4, -2) : p);

export function validateInput(model: ServiceModel, inputShape: string | undefined, input: Record<string, unknown>, checkConstraints = true): Violation[] {
  const out: Violation[] = [];
  if (inputShape) walkStructure(model, shapeOf(model, inputShape), input, '', out, checkConstraints);
  return out;
}

function walkStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, out: Violation[], constraints: boolean): void {
  for (const name of shape.required ?? []) {
    if (value[name] === undefined || value[name] === null) {
      out.push({ path: path + camel(name), member: name, value: null, constraint: 'Member must not be null', kind: 'required' });
    }
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    walk(model, shapeOf(model, ref.shape), v, path + camel(name), name, out, constraints);
  }
}

function walk(model: ServiceModel, shape: Shape, v: unknown, path: string, member: string, out: Violation[], constraints: boolean): void {
  const fail = (constraint: string, kind: Violation['kind'] = 'constraint'): void => void out.push({ path, member, value: v, constraint, kind });
  // A document (Identity Store's AttributeValue) is any JSON value: nothing to check.
  if (shape.document) return;
  switch (shape.type) {
    case 'structure':
      if (typeof v !== 'object' || Array.isArray(v)) return fail('Member must be a structure', 'type');
      walkStructure(model, shape, v as Record<string, unknown>, `${path}.`, out, constraints);
      return;
    case 'list': {
      if (!Array.isArray(v)) return fail('Member must be a list', 'type');
      if (constraints) lengthChecks(shape, v.length, fail);
      v.forEach((item, i) => walk(model, shapeOf(model, shape.member!.shape), item, `${path}.${i + 1}.member`, member, out, constraints));
      return;
    }
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return fail('Member must be a map', 'type');
      const entries = Object.entries(v as Record<string, unknown>);
      if (constraints) lengthChecks(shape, entries.length, fail);
      for (const [k, item] of entries) {
        walk(model, shapeOf(model, shape.key!.shape), k, `${path}.${k}.key`, member, out, constraints);
        walk(model, shapeOf(model, shape.value!.shape), item, `${path}.${k}.value`, member, out, constraints);
      }
      return;
    }
    case 'string': {
      if (typeof v !== 'string') return fail('Member must be a string', 'type');
      if (!constraints) return;
      lengthChecks(shape, [...v].length, fail);
      if (shape.pattern && !regex(shape.pattern).test(v)) fail(`Member must satisfy regular expression pattern: ${displayPattern(shape.pattern)}`);
      if (shape.enum && !shape.enum.includes(v)) fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (typeof v !== 'number' || Number.isNaN(v)) return fail(`Member must be a number`, 'type');
      if ((shape.type === 'integer' || shape.type === 'long') && !Number.isInteger(v)) return fail('Member must be an integer', 'type');
      if (!constraints) return;
      if (shape.min !== undefined && v < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && v > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail('Member must be a boolean', 'type');
      return;
    case 'timestamp':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) fail('Member must be a timestamp', 'type');
      return;
    case 'blob':
      if (!Buffer.isBuffer(v) && !(v instanceof Uint8Array) && typeof v !== 'string') fail('Member must be a blob', 'type');
      return;
  }
}

function lengthChecks(shape: Shape, length: number, fail: (c: string) => void): void {
  if (shape.min !== undefined && length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `'[${v.map(String).join(', ')}]'`;
  if (v instanceof Date) return `'${v.toISOString()}'`;
  return `'${typeof v === 'string' ? v : JSON.stringify(v)}'`;
}

/** The "N validation error(s) detected: ..." message IAM, STS and the JSON services use. */
export function validationMessage(violations: readonly Violation[]): string {
  const n = violations.length;
  const parts = violations.map((v) => `Value ${show(v.value)} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

/** Turn decode problems (an integer that is not one...) into violations. */
export function decodeViolations(problems: readonly DecodeProblem[]): Violation[] {
  return problems.map((p) => ({
    path: p.path.split('.').map((s) => (/^\d+$/.test(s) ? s : camel(s))).join('.'),
    member: p.path.split('.')[0]!,
    value: p.value,
    constraint: `Member must be ${p.expected === 'integer' || p.expected === 'long' ? 'an integer' : `a ${p.expected}`}`,
    kind: 'type',
  }));
}

/** The error each protocol family raises for a set of violations. */
export function validationError(family: 'query' | 'json' | 'ec2', violations: readonly Violation[]): AwsError {
  if (family === 'ec2') {
    const missing = violations.find((v) => v.kind === 'required');
    if (missing) return new AwsError('MissingParameter', `The request must contain the parameter ${missing.member}`);
    const bad = violations[0]!;
    return new AwsError('InvalidParameterValue', `Value (${String(bad.value)}) for parameter ${bad.member} is invalid.`);
  }
  return new AwsError(family === 'query' ? 'ValidationError' : 'ValidationException', validationMessage(violations));
}
