/**
 * XML output for awsQuery and ec2, written by walking the output shape: element names
 * from the member's locationName (else its name), lists as `<Name><member>` (or the
 * member's locationName, `item` in EC2) unless flattened, maps as
 * `<entry><key/><value/></entry>`, timestamps ISO 8601, booleans lower case, blobs
 * base64. Members the model does not know are never written, and nulls are omitted.
 */
import { shapeOf, type MemberRef, type ServiceModel, type Shape } from '../models/index.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);

function scalar(shape: Shape, v: unknown): string {
  switch (shape.type) {
    case 'timestamp': {
      const d = v instanceof Date ? v : new Date(typeof v === 'number' ? v * 1000 : String(v));
      return d.toISOString();
    }
    case 'boolean':
      return v ? 'true' : 'false';
    case 'blob':
      return Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : String(v);
    default:
      return escapeXml(String(v));
  }
}

export class XmlWriter {
  constructor(private readonly model: ServiceModel) {}

  /** The members of a structure value, as a sequence of elements. */
  members(shapeName: string, value: Record<string, unknown>): string {
    const shape = shapeOf(this.model, shapeName);
    let out = '';
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      out += this.member(ref, ref.locationName ?? name, v);
    }
    return out;
  }

  private member(ref: MemberRef, element: string, v: unknown): string {
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'structure':
        return `<${element}>${this.members(ref.shape, v as Record<string, unknown>)}</${element}>`;
      case 'list': {
        const member = shape.member!;
        const items = v as readonly unknown[];
        if (shape.flattened || ref.flattened) {
          const name = member.locationName ?? element;
          return items.map((item) => this.member(member, name, item)).join('');
        }
        const name = member.locationName ?? 'member';
        return `<${element}>${items.map((item) => this.member(member, name, item)).join('')}</${element}>`;
      }
      case 'map': {
        const entries = Object.entries(v as Record<string, unknown>);
        const k = shape.key?.locationName ?? 'key';
        const val = shape.value?.locationName ?? 'value';
        const body = entries.map(([key, item]) => `<entry><${k}>${escapeXml(key)}</${k}>${this.member(shape.value!, val, item)}</entry>`).join('');
        return `<${element}>${body}</${element}>`;
      }
      default:
        return `<${element}>${scalar(shape, v)}</${element}>`;
    }
  }
}
