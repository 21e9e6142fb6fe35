/**
 * Raw signed HTTP requests, for what SDK clients will not send (malformed inputs,
 * unknown actions, odd encodings). Signed with @smithy/signature-v4, as the SDK signs.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT, REGION, type Keys } from './server.js';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): Buffer | string =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);

/** A node:crypto SHA-256 in the shape smithy's signer expects (an HMAC when given a secret). */
export class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

export interface RawRequest {
  readonly service: string;
  readonly method?: string;
  readonly path?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly credentials?: Keys;
  readonly region?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export async function signedRequest(endpoint: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials: r.credentials ?? ROOT, region: r.region ?? REGION, service: r.service, sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign({
    method: r.method ?? 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: r.path ?? '/',
    query: r.query ?? {},
    headers: { host: url.host, ...(r.headers ?? {}) },
    ...(r.body !== undefined ? { body: r.body } : {}),
  });
  const qs = new URLSearchParams(r.query ?? {}).toString();
  const res = await fetch(`${endpoint}${r.path ?? '/'}${qs ? `?${qs}` : ''}`, {
    method: signed.method,
    headers: signed.headers,
    ...(r.body !== undefined ? { body: r.body } : {}),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** An awsQuery call (IAM, STS) with form parameters exactly as given. */
export function queryCall(endpoint: string, service: string, action: string, params: Record<string, string>, credentials?: Keys): Promise<RawResponse> {
  const version = service === 'sts' ? '2011-06-15' : service === 'ec2' ? '2016-11-15' : '2010-05-08';
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  return signedRequest(endpoint, { service, body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, ...(credentials ? { credentials } : {}) });
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&#xD;': '\r' };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos|#xD);/g, (e) => ENTITIES[e]!);

/** The `<Code>` and `<Message>` of an XML error body, entities decoded. */
export const xmlCode = (body: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
export const xmlMessage = (body: string): string | undefined => {
  const m = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return m === undefined ? undefined : unescape(m);
};
