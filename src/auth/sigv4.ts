/**
 * Signature Version 4 verification, for header-signed (`Authorization: AWS4-HMAC-SHA256
 * Credential=..., SignedHeaders=..., Signature=...`) and presigned (`X-Amz-Signature` in
 * the query string) requests.
 *
 * Verification rebuilds the canonical request from exactly the headers the caller
 * listed in SignedHeaders, so it is written here with node:crypto rather than with a
 * signer (which decides for itself which headers to sign); the tests cross-check it
 * against @smithy/signature-v4 and real clients. Signing keys are cached per
 * secret/date/region/service, as the key derivation is four HMACs.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AwsError, COMMON_ERRORS } from '../models/errors.js';

export interface SignedRequest {
  readonly method: string;
  /** The path as it arrived, still percent-encoded. */
  readonly rawPath: string;
  /** The query string as it arrived (without `?`). */
  readonly rawQuery: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

export interface Credential {
  readonly accessKeyId: string;
  readonly date: string; // YYYYMMDD
  readonly region: string;
  readonly service: string;
}

export interface SignatureParts {
  readonly credential: Credential;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** `X-Amz-Date`: YYYYMMDD'T'HHMMSS'Z'. */
  readonly amzDate: string;
  readonly sessionToken?: string;
  readonly presigned: boolean;
  /** Presigned: seconds the signature is valid for. */
  readonly expires?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseCredential(value: string): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') {
    throw COMMON_ERRORS.incompleteSignature(`Credential should be scoped to a valid region. `);
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

/** The signature parts of a request, or undefined when it is not signed at all. */
export function signatureParts(req: SignedRequest, query: URLSearchParams): SignatureParts | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    if (!auth.startsWith(`${ALGORITHM} `)) throw COMMON_ERRORS.incompleteSignature(`Unsupported authorization type`);
    const fields = new Map<string, string>();
    for (const kv of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) fields.set(kv.slice(0, eq).trim(), kv.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signed = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    const amzDate = req.headers['x-amz-date'];
    if (!credential || !signed || !signature) {
      const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.has(f));
      throw COMMON_ERRORS.incompleteSignature(`Authorization header requires '${missing.join("', '")}' parameter(s). Authorization=${auth}`);
    }
    if (!amzDate) throw COMMON_ERRORS.incompleteSignature(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${auth}`);
    const token = req.headers['x-amz-security-token'];
    return {
      credential: parseCredential(credential),
      signedHeaders: signed.split(';'),
      signature,
      amzDate,
      ...(token ? { sessionToken: token } : {}),
      presigned: false,
    };
  }
  if (query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== ALGORITHM) throw COMMON_ERRORS.incompleteSignature('Unsupported algorithm');
    const credential = query.get('X-Amz-Credential');
    const amzDate = query.get('X-Amz-Date');
    const signed = query.get('X-Amz-SignedHeaders');
    if (!credential || !amzDate || !signed) throw COMMON_ERRORS.incompleteSignature('AWS query-string parameters must include X-Amz-Credential, X-Amz-Date and X-Amz-SignedHeaders.');
    const token = query.get('X-Amz-Security-Token');
    return {
      credential: parseCredential(credential),
      signedHeaders: signed.split(';'),
      signature: query.get('X-Amz-Signature')!,
      amzDate,
      ...(token ? { sessionToken: token } : {}),
      presigned: true,
      expires: Number(query.get('X-Amz-Expires') ?? '900'),
    };
  }
  return undefined;
}

/** RFC 3986 percent-encoding, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Canonical URI for every service but S3: each segment normalised and encoded twice. */
function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const path = `/${segments.map((s) => uriEncode(uriEncode(safeDecode(s)))).join('/')}${rawPath.endsWith('/') && segments.length > 0 ? '/' : ''}`;
  return path;
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    if (presigned && k === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(k), uriEncode(v)]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function canonicalRequest(req: SignedRequest, parts: SignatureParts): string {
  const headers = parts.signedHeaders.map((h) => `${h}:${(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payload = req.headers['x-amz-content-sha256'] ?? sha256Hex(req.body);
  return [req.method, canonicalUri(req.rawPath), canonicalQuery(req.rawQuery, parts.presigned), headers, parts.signedHeaders.join(';'), payload].join('\n');
}

const keyCache = new Map<string, Buffer>();

function signingKey(secret: string, c: Credential): Buffer {
  const cacheKey = `${secret}\u0000${c.date}\u0000${c.region}\u0000${c.service}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(c.date).digest();
    const kRegion = createHmac('sha256', kDate).update(c.region).digest();
    const kService = createHmac('sha256', kRegion).update(c.service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

export function amzDateToTime(amzDate: string): number {
  const m = AMZ_DATE.exec(amzDate);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const SKEW_MS = 15 * 60 * 1000;
const fmt = (t: number): string => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * Check the signature with the caller's secret, and the request's time: within 15
 * minutes of the server's clock (header-signed) or within X-Amz-Expires (presigned).
 */
export function verifySignature(req: SignedRequest, parts: SignatureParts, secret: string, now = Date.now()): void {
  const t = amzDateToTime(parts.amzDate);
  if (Number.isNaN(t)) throw COMMON_ERRORS.incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${parts.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  if (!parts.amzDate.startsWith(parts.credential.date)) throw COMMON_ERRORS.signatureDoesNotMatch();
  if (!parts.presigned) {
    if (t < now - SKEW_MS) throw new AwsError('SignatureDoesNotMatch', `Signature expired: ${parts.amzDate} is now earlier than ${fmt(now - SKEW_MS)} (${fmt(now)} - 15 min.)`, { status: 403 });
    if (t > now + SKEW_MS) throw new AwsError('SignatureDoesNotMatch', `Signature not yet current: ${parts.amzDate} is still later than ${fmt(now + SKEW_MS)} (${fmt(now)} + 15 min.)`, { status: 403 });
  } else if (now > t + (parts.expires ?? 900) * 1000 || now < t - SKEW_MS) {
    throw new AwsError('AccessDenied', 'Request has expired', { status: 403 });
  }
  if (!parts.signedHeaders.includes('host')) throw COMMON_ERRORS.signatureDoesNotMatch();
  const scope = `${parts.credential.date}/${parts.credential.region}/${parts.credential.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${parts.amzDate}\n${scope}\n${sha256Hex(canonicalRequest(req, parts))}`;
  const expected = createHmac('sha256', signingKey(secret, parts.credential)).update(stringToSign).digest();
  const given = Buffer.from(parts.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw COMMON_ERRORS.signatureDoesNotMatch();
}

/**
 * Sign a request (header form), for Gatehouse's own command-line client of its Gatehouse
 * operations: the same canonical request and key derivation as verification. Returns the
 * headers to send (host, x-amz-date, x-amz-content-sha256, session token, authorization).
 */
export function signRequest(
  req: { method: string; url: URL; headers?: Readonly<Record<string, string>>; body: Buffer },
  c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string; service: string },
  now = Date.now(),
): Record<string, string> {
  const amzDate = fmt(now);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    host: req.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': sha256Hex(req.body),
    ...(c.sessionToken ? { 'x-amz-security-token': c.sessionToken } : {}),
  };
  const credential: Credential = { accessKeyId: c.accessKeyId, date: amzDate.slice(0, 8), region: c.region, service: c.service };
  const parts: SignatureParts = { credential, signedHeaders: Object.keys(headers).sort(), signature: '', amzDate, presigned: false };
  const signed: SignedRequest = { method: req.method, rawPath: req.url.pathname, rawQuery: req.url.search.slice(1), headers, body: req.body };
  const scope = `${credential.date}/${c.region}/${c.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest(signed, parts))}`;
  const signature = createHmac('sha256', signingKey(c.secretAccessKey, credential)).update(stringToSign).digest('hex');
  return { ...headers, authorization: `${ALGORITHM} Credential=${c.accessKeyId}/${scope}, SignedHeaders=${parts.signedHeaders.join(';')}, Signature=${signature}` };
}
