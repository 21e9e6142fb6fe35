/**
 * Form-encoded input, shared by the awsQuery (IAM, STS) and ec2 protocols: the flat
 * `Tags.member.1.Key=...` parameters become a plain input object by walking the
 * operation's input shape. The two protocols differ only in naming:
 *
 * - awsQuery: a member's key is its locationName or its name; lists are
 *   `Name.member.N` (or the member's locationName), `Name.N` when flattened; maps are
 *   `Name.entry.N.key` / `.value`; an empty list arrives as `Name=`.
 * - ec2: a member's key is its queryName, else its capitalised locationName, else its
 *   name; lists are always `Name.N`.
 *
 * Indices may arrive out of order or with gaps: elements are ordered by index.
 */
import { AwsError } from '../models/errors.js';
import { shapeOf, type MemberRef, type ServiceModel, type Shape } from '../models/index.js';

type Tree = { value?: string; children: Map<string, Tree> };

function toTree(params: Iterable<[string, string]>): Tree {
  const root: Tree = { children: new Map() };
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split('.')) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.value = value;
  }
  return root;
}

export type FormFlavour = 'query' | 'ec2';

function memberKey(flavour: FormFlavour, ref: MemberRef, name: string): string {
  if (flavour === 'ec2') {
    if (ref.queryName) return ref.queryName;
    if (ref.locationName) return ref.locationName[0]!.toUpperCase() + ref.locationName.slice(1);
    return name;
  }
  return ref.locationName ?? name;
}

/** Problems found while decoding: reported by the validator in the service's own words. */
export interface DecodeProblem {
  readonly path: string;
  readonly value: string;
  readonly expected: string;
}

class Decoder {
  readonly problems: DecodeProblem[] = [];
  constructor(
    private readonly model: ServiceModel,
    private readonly flavour: FormFlavour,
  ) {}

  structure(shape: Shape, node: Tree, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const child = node.children.get(memberKey(this.flavour, ref, name));
      if (!child) continue;
      const v = this.value(ref, child, path ? `${path}.${name}` : name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  value(ref: MemberRef, node: Tree, path: string): unknown {
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, node, path);
      case 'list':
        return this.list(shape, ref, node, path);
      case 'map':
        return this.map(shape, node, path);
      default:
        return node.value === undefined ? undefined : this.scalar(shape, node.value, path);
    }
  }

  private indexed(node: Tree): Tree[] {
    return [...node.children.entries()]
      .filter(([k]) => /^\d+$/.test(k))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => v);
  }

  private list(shape: Shape, ref: MemberRef, node: Tree, path: string): unknown[] {
    const member = shape.member!;
    let items: Tree[];
    if (this.flavour === 'ec2' || shape.flattened || ref.flattened) items = this.indexed(node);
    else items = this.indexed(node.children.get(member.locationName ?? 'member') ?? { children: new Map() });
    return items.map((item, i) => this.value(member, item, `${path}.${i + 1}`));
  }

  private map(shape: Shape, node: Tree, path: string): Record<string, unknown> {
    const entries = shape.flattened ? this.indexed(node) : this.indexed(node.children.get('entry') ?? { children: new Map() });
    const keyName = shape.key?.locationName ?? 'key';
    const valueName = shape.value?.locationName ?? 'value';
    const out: Record<string, unknown> = {};
    for (const e of entries) {
      const k = e.children.get(keyName)?.value;
      const v = e.children.get(valueName);
      if (k !== undefined && v) out[k] = this.value(shape.value!, v, `${path}.${k}`);
    }
    return out;
  }

  private scalar(shape: Shape, raw: string, path: string): unknown {
    switch (shape.type) {
      case 'integer':
      case 'long': {
        if (!/^[-+]?\d+$/.test(raw.trim())) {
          this.problems.push({ path, value: raw, expected: shape.type });
          return undefined;
        }
        return Number(raw);
      }
      case 'float':
      case 'double': {
        const n = Number(raw);
        if (raw.trim() === '' || Number.isNaN(n)) {
          this.problems.push({ path, value: raw, expected: shape.type });
          return undefined;
        }
        return n;
      }
      case 'boolean': {
        const l = raw.toLowerCase();
        if (l !== 'true' && l !== 'false') {
          this.problems.push({ path, value: raw, expected: 'boolean' });
          return undefined;
        }
        return l === 'true';
      }
      case 'timestamp': {
        const t = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
        if (Number.isNaN(t)) {
          this.problems.push({ path, value: raw, expected: 'timestamp' });
          return undefined;
        }
        return new Date(t);
      }
      case 'blob':
        return Buffer.from(raw, 'base64');
      default:
        return raw;
    }
  }
}

/** Decode form parameters against an operation's input shape. */
export function decodeForm(
  model: ServiceModel,
  inputShape: string | undefined,
  params: Iterable<[string, string]>,
  flavour: FormFlavour,
): { input: Record<string, unknown>; problems: readonly DecodeProblem[] } {
  if (!inputShape) return { input: {}, problems: [] };
  const d = new Decoder(model, flavour);
  const input = d.structure(shapeOf(model, inputShape), toTree(params), '');
  return { input, problems: d.problems };
}

/** The form parameters of a request: the body for POST, the query string for GET. */
export function formParams(method: string, query: URLSearchParams, body: Buffer, contentType: string | undefined): URLSearchParams {
  if (method === 'POST' && body.length > 0) {
    if (contentType && !contentType.startsWith('application/x-www-form-urlencoded')) {
      throw new AwsError('InvalidRequest', `Unsupported content type: ${contentType}`);
    }
    return new URLSearchParams(body.toString('utf8'));
  }
  return query;
}
