/**
 * Checks a deserialized SDK output against the service model: every member the model
 * marks required is present, and every present member has the type its shape says
 * (strings, numbers, booleans, Dates, lists, maps, structures, enums). The SDK's
 * deserializer is lenient (a misnamed member just disappears), so this is the second
 * check that makes an empty answer a failure.
 */
import { loadModel, shapeOf, type ServiceModel, type Shape } from '../../src/models/index.js';

export function checkValue(model: ServiceModel, shape: Shape, value: unknown, path: string, out: string[]): void {
  const bad = (what: string): void => void out.push(`${path}: ${what} (got ${value instanceof Date ? 'Date' : Array.isArray(value) ? 'array' : typeof value})`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('expected a structure');
      const v = value as Record<string, unknown>;
      for (const name of shape.required ?? []) if (v[name] === undefined) out.push(`${path}.${name}: required by the model, missing`);
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (v[name] !== undefined) checkValue(model, shapeOf(model, ref.shape), v[name], `${path}.${name}`, out);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return bad('expected a list');
      value.forEach((item, i) => checkValue(model, shapeOf(model, shape.member!.shape), item, `${path}[${i}]`, out));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null) return bad('expected a map');
      for (const [k, item] of Object.entries(value as Record<string, unknown>)) checkValue(model, shapeOf(model, shape.value!.shape), item, `${path}.${k}`, out);
      return;
    case 'string':
      if (typeof value !== 'string') return bad('expected a string');
      if (shape.enum && !shape.enum.includes(value)) out.push(`${path}: '${value}' is not one of ${shape.enum.join(', ')}`);
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (typeof value !== 'number') return bad('expected a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return bad('expected a boolean');
      return;
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) return bad('expected a Date');
      return;
    case 'blob':
      if (!(value instanceof Uint8Array)) return bad('expected bytes');
      return;
  }
}

/** Problems with an operation's output (the SDK output minus $metadata). */
export function checkOutput(service: string, operation: string, output: Record<string, unknown>): string[] {
  const model = loadModel(service);
  const op = model.operations[operation];
  if (!op) return [`${service}.${operation}: not in the model`];
  if (!op.output) return [];
  const { $metadata: _m, ...rest } = output;
  const out: string[] = [];
  checkValue(model, shapeOf(model, op.output), rest, operation, out);
  return out;
}
