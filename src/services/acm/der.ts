/**
 * Just enough DER to read what node:crypto's X509Certificate does not expose on Node 20:
 * the certificate's version, its signature algorithm and its extensions (KeyUsage bits).
 * A reader over tag-length-value nodes; it never copies the buffer.
 */

export interface Tlv {
  readonly tag: number;
  /** Where the value starts and ends (end exclusive). */
  readonly start: number;
  readonly end: number;
}

export class DerError extends Error {}

export function readTlv(buf: Buffer, pos: number): Tlv {
  if (pos + 2 > buf.length) throw new DerError('truncated');
  const tag = buf[pos]!;
  let len = buf[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > buf.length) throw new DerError('truncated');
  return { tag, start, end };
}

/** The nodes inside a constructed node. */
export function children(buf: Buffer, node: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = node.start; pos < node.end; ) {
    const child = readTlv(buf, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** An OBJECT IDENTIFIER's dotted form. */
export function oid(buf: Buffer, node: Tlv): string {
  if (node.tag !== 0x06 || node.end <= node.start) throw new DerError('not an OID');
  const first = buf[node.start]!;
  const parts = [Math.floor(Math.min(first, 80) / 40), first < 80 ? first % 40 : first - 80];
  let n = 0;
  for (let i = node.start + 1; i < node.end; i++) {
    const b = buf[i]!;
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

export interface CertificateStructure {
  /** 1, 2 or 3. */
  readonly version: number;
  readonly signatureAlgorithm: string;
  /** Extension OID → its value (the OCTET STRING's contents). */
  readonly extensions: ReadonlyMap<string, Buffer>;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1). */
export function certificateStructure(der: Buffer): CertificateStructure {
  const cert = readTlv(der, 0);
  const [tbs, sigAlg] = children(der, cert);
  if (!tbs || !sigAlg) throw new DerError('not a certificate');
  const algOid = children(der, sigAlg)[0];
  if (!algOid) throw new DerError('no signature algorithm');
  const fields = children(der, tbs);
  let version = 1;
  const extensions = new Map<string, Buffer>();
  for (const f of fields) {
    if (f.tag === 0xa0) {
      const v = children(der, f)[0];
      if (v) version = der.readUIntBE(v.start, Math.min(6, v.end - v.start)) + 1;
    }
    if (f.tag === 0xa3) {
      const list = children(der, f)[0];
      for (const ext of list ? children(der, list) : []) {
        const parts = children(der, ext);
        const value = parts[parts.length - 1];
        if (parts[0] && value) extensions.set(oid(der, parts[0]), der.subarray(value.start, value.end));
      }
    }
  }
  return { version, signatureAlgorithm: oid(der, algOid), extensions };
}

/** The bits set in a KeyUsage extension value (a BIT STRING), by position (0 = digitalSignature). */
export function keyUsageBits(value: Buffer): number[] {
  const bits = readTlv(value, 0);
  if (bits.tag !== 0x03) throw new DerError('not a bit string');
  const out: number[] = [];
  for (let i = bits.start + 1; i < bits.end; i++) {
    for (let b = 0; b < 8; b++) if (value[i]! & (0x80 >> b)) out.push((i - bits.start - 1) * 8 + b);
  }
  return out;
}
