/**
 * awsJson 1.0/1.1 (CloudTrail, KMS, ACM, Logs, Organizations, SSO Admin...): the
 * operation in `X-Amz-Target: Prefix.Operation`, a JSON body with the model's member
 * names, timestamps as epoch seconds, blobs as base64. Errors are
 * `{"__type": "<ErrorShape>", "message": ...}` with the same name in `x-amzn-ErrorType`.
 */
import { AwsError } from '../models/errors.js';
import { shapeOf, type MemberRef, type ServiceModel } from '../models/index.js';
import { validateInput, validationError } from './validate.js';
import { errorShape, errorStatus } from './errors.js';
import type { Codec, WireResponse } from './types.js';

/** Convert wire JSON to typed values (Dates, Buffers) along the shape. */
function fromWire(model: ServiceModel, ref: MemberRef, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  const shape = shapeOf(model, ref.shape);
  // A document (Identity Store's AttributeValue) is any JSON value, as given.
  if (shape.document) return v;
  switch (shape.type) {
    case 'structure': {
      if (typeof v !== 'object' || Array.isArray(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const x = (v as Record<string, unknown>)[name];
        if (x !== undefined && x !== null) out[name] = fromWire(model, member, x);
      }
      return out;
    }
    case 'list':
      return Array.isArray(v) ? v.map((x) => fromWire(model, shape.member!, x)) : v;
    case 'map':
      return typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromWire(model, shape.value!, x)]))
        : v;
    case 'timestamp':
      if (typeof v === 'number') return new Date(v * 1000);
      if (typeof v === 'string') return new Date(/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : v);
      return v;
    case 'blob':
      return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    default:
      return v;
  }
}

/** Typed values to wire JSON along the shape; members the model does not know are dropped. */
function toWire(model: ServiceModel, ref: MemberRef, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  const shape = shapeOf(model, ref.shape);
  if (shape.document) return v;
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const x = toWire(model, member, (v as Record<string, unknown>)[name]);
        if (x !== undefined) out[name] = x;
      }
      return out;
    }
    case 'list':
      return (v as unknown[]).map((x) => toWire(model, shape.member!, x));
    case 'map':
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toWire(model, shape.value!, x)]));
    case 'timestamp': {
      const d = v instanceof Date ? v : new Date(typeof v === 'number' ? v * 1000 : (v as string));
      return d.getTime() / 1000;
    }
    case 'blob':
      return Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
    default:
      return v;
  }
}

const contentType = (model: ServiceModel): string => `application/x-amz-json-${model.metadata.jsonVersion ?? '1.1'}`;

export const jsonCodec: Codec = {
  operationName(req, model) {
    const target = req.headers['x-amz-target'];
    if (!target) return undefined;
    const dot = target.lastIndexOf('.');
    const prefix = target.slice(0, dot);
    // botocore sends the model's full prefix (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101),
    // the JS SDK only the service shape's name (CloudTrail_20131101): AWS accepts both.
    const expected = model.metadata.targetPrefix;
    if (expected && prefix !== expected && !expected.endsWith(`.${prefix}`)) return undefined;
    return target.slice(dot + 1);
  },

  decode(req, model, operation) {
    const op = model.operations[operation]!;
    let body: unknown = {};
    if (req.body.length > 0) {
      try {
        body = JSON.parse(req.body.toString('utf8'));
      } catch {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
    const input = op.input ? (fromWire(model, { shape: op.input }, body) as Record<string, unknown>) : {};
    const violations = validateInput(model, op.input, input);
    if (violations.length > 0) throw validationError('json', violations);
    return input;
  },

  encodeOutput(model, operation, output, requestId): WireResponse {
    const op = model.operations[operation]!;
    const body = op.output ? JSON.stringify(toWire(model, { shape: op.output }, output)) : '{}';
    return { status: 200, headers: { 'content-type': contentType(model), 'x-amzn-requestid': requestId }, body };
  },

  encodeError(model, e, requestId): WireResponse {
    const type = e.options.shape ?? errorShape(model, e.code)?.name ?? e.code;
    const body = JSON.stringify({ __type: type, message: e.message, ...(e.options.members ?? {}) });
    return { status: errorStatus(model, e), headers: { 'content-type': contentType(model), 'x-amzn-requestid': requestId, 'x-amzn-errortype': type }, body };
  },
};

export { fromWire as decodeJsonValue, toWire as encodeJsonValue };
