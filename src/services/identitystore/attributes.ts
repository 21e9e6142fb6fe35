/**
 * UpdateUser's and UpdateGroup's Operations: each an AttributePath (`displayName`,
 * `name.givenName`, `emails`) and an AttributeValue (a JSON document); a missing value
 * removes the attribute. Paths are the attributes' names with a lower-case first letter.
 */
import { validation } from './records.js';

export interface AttributeOperation {
  readonly AttributePath: string;
  readonly AttributeValue?: unknown;
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The attributes after the operations, in order; ValidationException for a path the resource does not have. */
export function applyOperations(current: Readonly<Record<string, unknown>>, operations: readonly AttributeOperation[], allowed: readonly string[]): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(current);
  for (const op of operations) {
    const path = op.AttributePath.split('.').map(pascal);
    const top = path[0]!;
    if (!allowed.includes(top) || top === 'Extensions' || path.length > 2) throw validation(`Invalid attribute path ${op.AttributePath}`);
    const value = op.AttributeValue ?? undefined;
    if (path.length === 1) {
      if (value === undefined || value === null) delete next[top];
      else next[top] = value;
      continue;
    }
    const parent = next[top];
    if (parent !== undefined && (typeof parent !== 'object' || Array.isArray(parent))) throw validation(`Invalid attribute path ${op.AttributePath}`);
    const obj = { ...((parent as Record<string, unknown> | undefined) ?? {}) };
    if (value === undefined || value === null) delete obj[path[1]!];
    else obj[path[1]!] = value;
    if (Object.keys(obj).length) next[top] = obj;
    else delete next[top];
  }
  return next;
}
