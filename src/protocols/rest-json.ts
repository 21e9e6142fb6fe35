/**
 * restJson1 (Lambda): the operation is found by HTTP method and path, matched against
 * each operation's `requestUri` template (`/2015-03-31/functions/{FunctionName}/policy`,
 * greedy labels `{Key+}`, literal query parts). Input members are bound to path labels,
 * query parameters, headers, or the JSON body (or a raw payload member); output members
 * to the status code, headers and body the same way. Errors carry the modelled status, the
 * error name in `x-amzn-ErrorType`, and `{"Type", "Message"}` in the body as Lambda sends.
 */
import { AwsError } from '../models/errors.js';
import { shapeOf, type MemberRef, type ServiceModel, type Shape } from '../models/index.js';
import { decodeJsonValue, encodeJsonValue } from './json.js';
import { validateInput, validationError } from './validate.js';
import { errorShape, errorStatus } from './errors.js';
import type { Codec, WireRequest, WireResponse } from './types.js';

interface Route {
  readonly operation: string;
  readonly method: string;
  readonly regex: RegExp;
  readonly labels: readonly string[];
  /** Literal query parts of the template (`?versioning`, `?list-type=2`). */
  readonly query: readonly (readonly [string, string | undefined])[];
  /** More literal text first: `/functions/{Name}/policy` before `/functions/{Name}`. */
  readonly specificity: number;
}

const routeTables = new WeakMap<ServiceModel, readonly Route[]>();

function routes(model: ServiceModel): readonly Route[] {
  let table = routeTables.get(model);
  if (table) return table;
  const built: Route[] = [];
  for (const [operation, op] of Object.entries(model.operations)) {
    const [pathPart = '', queryPart] = op.http.requestUri.split('?');
    const labels: string[] = [];
    let literal = 0;
    const source = pathPart.replace(/\{([^}]+)\}|[^{]+/g, (m: string, label: string | undefined) => {
      if (label === undefined) {
        literal += m.length;
        return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      const greedy = label.endsWith('+');
      labels.push(greedy ? label.slice(0, -1) : label);
      return greedy ? '(.+)' : '([^/]+)';
    });
    const query = (queryPart ?? '')
      .split('&')
      .filter(Boolean)
      .map((kv) => {
        const [k = '', v] = kv.split('=');
        return [k, v] as const;
      });
    built.push({ operation, method: op.http.method, regex: new RegExp(`^${source.replace(/\/$/, '')}/?$`), labels, query, specificity: literal + query.length });
  }
  built.sort((a, b) => b.specificity - a.specificity);
  routeTables.set(model, (table = built));
  return table;
}

const matches = new WeakMap<WireRequest, { operation: string; labels: Record<string, string> }>();

function match(req: WireRequest, model: ServiceModel): { operation: string; labels: Record<string, string> } | undefined {
  const hit = matches.get(req);
  if (hit) return hit;
  const rawPath = (req as { rawPath?: string }).rawPath ?? req.path;
  for (const r of routes(model)) {
    if (r.method !== req.method) continue;
    const m = r.regex.exec(rawPath);
    if (!m) continue;
    if (!r.query.every(([k, v]) => req.query.has(k) && (v === undefined || req.query.get(k) === v))) continue;
    const labels: Record<string, string> = {};
    r.labels.forEach((name, i) => (labels[name] = decodeURIComponent(m[i + 1]!)));
    const found = { operation: r.operation, labels };
    matches.set(req, found);
    return found;
  }
  return undefined;
}

/** A scalar from a path label, query parameter or header. */
function scalar(shape: Shape, raw: string, where: 'header' | 'query' | 'uri', ref: MemberRef): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      const n = Number(raw);
      return raw.trim() === '' || Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'timestamp': {
      const t = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
      return Number.isNaN(t) ? raw : new Date(t);
    }
    case 'blob':
      return Buffer.from(raw, 'base64');
    default:
      if (where === 'header' && ref.jsonvalue) return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
      return raw;
  }
}

function decodeInput(req: WireRequest, model: ServiceModel, inputShape: string, labels: Record<string, string>): Record<string, unknown> {
  const shape = shapeOf(model, inputShape);
  const input: Record<string, unknown> = {};
  const bound = new Set<string>();
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const member = shapeOf(model, ref.shape);
    const loc = ref.locationName ?? name;
    switch (ref.location) {
      case 'uri':
        if (labels[loc] !== undefined) input[name] = scalar(member, labels[loc], 'uri', ref);
        break;
      case 'querystring':
        if (member.type === 'list') {
          const all = req.query.getAll(loc);
          if (all.length) input[name] = all.map((v) => scalar(shapeOf(model, member.member!.shape), v, 'query', member.member!));
        } else if (member.type === 'map') {
          const map: Record<string, string> = {};
          for (const [k, v] of req.query) if (!bound.has(k)) map[k] = v;
          if (Object.keys(map).length) input[name] = map;
        } else if (req.query.has(loc)) input[name] = scalar(member, req.query.get(loc)!, 'query', ref);
        bound.add(loc);
        break;
      case 'header': {
        const v = req.headers[loc.toLowerCase()];
        if (v !== undefined) input[name] = member.type === 'list' ? v.split(',').map((s) => s.trim()) : scalar(member, v, 'header', ref);
        break;
      }
      case 'headers': {
        const prefix = loc.toLowerCase();
        const map: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (k.startsWith(prefix) && v !== undefined) map[k.slice(prefix.length)] = v;
        if (Object.keys(map).length) input[name] = map;
        break;
      }
      default:
        break;
    }
  }
  if (shape.payload) {
    const ref = shape.members![shape.payload]!;
    const member = shapeOf(model, ref.shape);
    if (member.type === 'blob') {
      if (req.body.length) input[shape.payload] = req.body;
    } else if (member.type === 'string') {
      if (req.body.length) input[shape.payload] = req.body.toString('utf8');
    } else if (req.body.length) {
      input[shape.payload] = decodeJsonValue(model, ref, parseBody(req.body));
    }
    return input;
  }
  if (req.body.length) {
    const body = parseBody(req.body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
    const decoded = decodeJsonValue(model, { shape: inputShape }, body) as Record<string, unknown>;
    for (const [name, ref] of Object.entries(shape.members ?? {})) if (!ref.location && decoded[name] !== undefined) input[name] = decoded[name];
  }
  return input;
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Unexpected character in the request body.');
  }
}

const httpDate = (d: Date): string => d.toUTCString();

export const restJsonCodec: Codec = {
  operationName(req, model) {
    return match(req, model)?.operation;
  },

  decode(req, model, operation) {
    const op = model.operations[operation]!;
    const found = match(req, model);
    const input = op.input ? decodeInput(req, model, op.input, found?.labels ?? {}) : {};
    const violations = validateInput(model, op.input, input);
    if (violations.length > 0) throw validationError('json', violations);
    return input;
  },

  encodeOutput(model, operation, output, requestId): WireResponse {
    const op = model.operations[operation]!;
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId, 'content-type': 'application/json' };
    let status = op.http.responseCode ?? 200;
    if (!op.output) return { status, headers, body: '' };
    const shape = shapeOf(model, op.output);
    const bodyMembers: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = output[name];
      if (v === undefined || v === null) continue;
      const member = shapeOf(model, ref.shape);
      switch (ref.location) {
        case 'statusCode':
          status = Number(v);
          break;
        case 'header':
          headers[(ref.locationName ?? name).toLowerCase()] =
            member.type === 'timestamp' ? httpDate(v as Date) : ref.jsonvalue ? Buffer.from(JSON.stringify(v)).toString('base64') : typeof v === 'string' ? v : JSON.stringify(v);
          break;
        case 'headers':
          for (const [k, x] of Object.entries(v as Record<string, string>)) headers[`${(ref.locationName ?? '').toLowerCase()}${k}`] = x;
          break;
        default:
          if (name !== shape.payload) bodyMembers[name] = v;
      }
    }
    if (shape.payload) {
      const ref = shape.members![shape.payload]!;
      const member = shapeOf(model, ref.shape);
      const v = output[shape.payload];
      if (member.type === 'blob') {
        headers['content-type'] = 'application/octet-stream';
        return { status, headers, body: v === undefined ? Buffer.alloc(0) : Buffer.from(v as Uint8Array) };
      }
      if (member.type === 'string') return { status, headers, body: (v as string | undefined) ?? '' };
      return { status, headers, body: v === undefined ? '' : JSON.stringify(encodeJsonValue(model, ref, v)) };
    }
    return { status, headers, body: JSON.stringify(encodeJsonValue(model, { shape: op.output }, bodyMembers)) };
  },

  encodeError(model, e, requestId): WireResponse {
    const found = errorShape(model, e.options.shape ?? e.code);
    const type = e.options.shape ?? found?.name ?? e.code;
    const fault = errorStatus(model, e) >= 500 ? 'Service' : 'User';
    // The message goes under the member name the error shape models: Lambda's
    // ResourceNotFoundException has `Message`, its InvalidParameterValueException `message`.
    const key = Object.keys(found?.shape.members ?? {}).find((m) => m.toLowerCase() === 'message') ?? 'Message';
    const body = JSON.stringify({ Type: fault, [key]: e.message, ...(e.options.members ?? {}) });
    return { status: errorStatus(model, e), headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': type }, body };
  },
};
