/** Error lookups shared by the codecs: a wire code's shape, HTTP status and fault. */
import type { AwsError } from '../models/errors.js';
import type { ServiceModel, Shape } from '../models/index.js';

const indexes = new WeakMap<ServiceModel, Map<string, { name: string; shape: Shape }>>();

/** The model's error shape for a wire code (`NoSuchEntity`) or a shape name (`NoSuchEntityException`). */
export function errorShape(model: ServiceModel, code: string): { name: string; shape: Shape } | undefined {
  let index = indexes.get(model);
  if (!index) {
    index = new Map();
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (!shape.exception) continue;
      index.set(name, { name, shape });
      if (shape.error?.code) index.set(shape.error.code, { name, shape });
    }
    indexes.set(model, index);
  }
  return index.get(code);
}

export function errorStatus(model: ServiceModel, e: AwsError): number {
  return e.options.status ?? errorShape(model, e.code)?.shape.error?.httpStatusCode ?? 400;
}

export function errorFault(model: ServiceModel, e: AwsError): 'Sender' | 'Receiver' {
  if (e.options.fault) return e.options.fault;
  const s = errorShape(model, e.code)?.shape;
  if (s?.error?.senderFault === false || s?.fault) return 'Receiver';
  return errorStatus(model, e) >= 500 ? 'Receiver' : 'Sender';
}
