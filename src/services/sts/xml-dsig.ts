/**
 * Just enough XML for SAML: a namespace-aware parser (no DTDs, no external entities),
 * Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, and verification of an
 * enveloped XML Signature (XML-DSig) with a key the caller trusts.
 *
 * Verification follows the specifications, not any one identity provider: the digest is
 * taken over the canonical form of the signed element without its enveloped Signature,
 * with the transforms the Reference lists; SignedInfo is canonicalized with its
 * CanonicalizationMethod and checked with the trusted key. KeyInfo in the message is
 * ignored: only the keys from the provider's metadata count.
 */
import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';

export const NS = {
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  ec: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;

export interface XmlAttr {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly value: string;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  /** Attributes other than namespace declarations. */
  readonly attrs: readonly XmlAttr[];
  /** Namespaces in scope (prefix `''` for the default namespace; `''` as a value undeclares it). */
  readonly inScope: ReadonlyMap<string, string>;
  readonly children: XmlNode[];
  readonly parent: XmlElement | undefined;
}

export type XmlNode =
  | XmlElement
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'comment'; readonly value: string }
  | { readonly kind: 'pi'; readonly target: string; readonly data: string };

export class XmlError extends Error {}

const MAX_DEPTH = 128;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError('Malformed entity reference');
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const v = ENTITIES[ref];
    if (v === undefined) throw new XmlError(`Unknown entity &${ref};`);
    return v;
  });
}

const NAME = /[^\s/>=<"']+/y;

/** Parse a document; returns its root element. Refuses DTDs (and so any entity but XML's own). */
export function parseXml(source: string): XmlElement {
  const s = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let i = 0;
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  const fail = (msg: string): never => {
    throw new XmlError(`${msg} at offset ${i}`);
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(s);
    if (!m) fail('Expected a name');
    i += m![0].length;
    return m![0];
  };
  const skipSpace = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const addNode = (n: XmlNode): void => {
    const top = stack[stack.length - 1];
    if (top) top.children.push(n);
    else if (n.kind === 'text' && /\S/.test(n.value)) fail('Text outside the root element');
  };

  while (i < s.length) {
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) fail('Unterminated comment');
      addNode({ kind: 'comment', value: s.slice(i + 4, end) });
      i = end + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      if (!stack.length) fail('CDATA outside the root element');
      const end = s.indexOf(']]>', i + 9);
      if (end < 0) fail('Unterminated CDATA section');
      addNode({ kind: 'text', value: s.slice(i + 9, end) });
      i = end + 3;
    } else if (s.startsWith('<!', i)) {
      fail('DTDs are not accepted');
    } else if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i + 2);
      if (end < 0) fail('Unterminated processing instruction');
      const body = s.slice(i + 2, end);
      const m = /^(\S+)\s*([\s\S]*)$/.exec(body);
      const target = m?.[1] ?? '';
      if (target.toLowerCase() !== 'xml') addNode({ kind: 'pi', target, data: m?.[2] ?? '' });
      else if (i !== 0) fail('Misplaced XML declaration');
      i = end + 2;
    } else if (s.startsWith('</', i)) {
      i += 2;
      const qname = name();
      skipSpace();
      if (s[i] !== '>') fail('Expected >');
      i++;
      const top = stack.pop();
      if (!top || top.qname !== qname) fail(`Mismatched end tag </${qname}>`);
    } else if (s[i] === '<') {
      i++;
      const qname = name();
      const raw: [string, string][] = [];
      for (;;) {
        const before = i;
        skipSpace();
        if (s[i] === '>' || s.startsWith('/>', i)) break;
        if (i === before) fail('Expected white space between attributes');
        const an = name();
        skipSpace();
        if (s[i] !== '=') fail('Expected =');
        i++;
        skipSpace();
        const q = s[i];
        if (q !== '"' && q !== "'") fail('Expected a quoted attribute value');
        const end = s.indexOf(q!, i + 1);
        if (end < 0) fail('Unterminated attribute value');
        const value = s.slice(i + 1, end);
        if (value.includes('<')) fail('< in an attribute value');
        // Attribute-value normalization: literal white space becomes a space; character
        // references (&#xA;) keep theirs.
        raw.push([an, decodeEntities(value.replace(/[\t\n]/g, ' '))]);
        i = end + 1;
      }
      const selfClosing = s.startsWith('/>', i);
      i += selfClosing ? 2 : 1;
      const parent = stack[stack.length - 1];
      if (!parent && root) fail('More than one root element');
      if (stack.length >= MAX_DEPTH) fail('Elements nested too deep');
      const inScope = new Map(parent?.inScope ?? [['xml', NS.xml]]);
      const seen = new Set<string>();
      for (const [an, v] of raw) {
        if (seen.has(an)) fail(`Duplicate attribute ${an}`);
        seen.add(an);
        if (an === 'xmlns') inScope.set('', v);
        else if (an.startsWith('xmlns:')) {
          if (v === '') fail('A prefix cannot be undeclared');
          inScope.set(an.slice(6), v);
        }
      }
      const split = (q: string): [string, string] => {
        const c = q.indexOf(':');
        return c < 0 ? ['', q] : [q.slice(0, c), q.slice(c + 1)];
      };
      const attrs: XmlAttr[] = [];
      for (const [an, value] of raw) {
        if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
        const [prefix, local] = split(an);
        const ns = prefix === '' ? '' : inScope.get(prefix);
        if (ns === undefined) fail(`Unbound prefix ${prefix}`);
        attrs.push({ qname: an, prefix, local, ns: ns!, value });
      }
      const [prefix, local] = split(qname);
      const ns = inScope.get(prefix) ?? (prefix === '' ? '' : undefined);
      if (ns === undefined) fail(`Unbound prefix ${prefix}`);
      const el: XmlElement = { kind: 'element', qname, prefix, local, ns: ns!, attrs, inScope, children: [], parent };
      if (parent) parent.children.push(el);
      else root = el;
      if (!selfClosing) stack.push(el);
    } else {
      const end = s.indexOf('<', i);
      const text = s.slice(i, end < 0 ? s.length : end);
      if (text.includes(']]>')) fail(']]> in text');
      addNode({ kind: 'text', value: decodeEntities(text) });
      i = end < 0 ? s.length : end;
    }
  }
  if (stack.length) fail(`Unclosed element <${stack[stack.length - 1]!.qname}>`);
  if (!root) fail('No root element');
  return root!;
}

// ---------------------------------------------------------------------------------
// Navigation.

export const elements = (e: XmlElement): XmlElement[] => e.children.filter((c): c is XmlElement => c.kind === 'element');
export const child = (e: XmlElement | undefined, ns: string, local: string): XmlElement | undefined => (e ? elements(e).find((c) => c.ns === ns && c.local === local) : undefined);
export const childrenNamed = (e: XmlElement | undefined, ns: string, local: string): XmlElement[] => (e ? elements(e).filter((c) => c.ns === ns && c.local === local) : []);
export const attr = (e: XmlElement | undefined, local: string, ns = ''): string | undefined => e?.attrs.find((a) => a.local === local && a.ns === ns)?.value;

/** Every descendant element (document order) with this name. */
export function descendants(e: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (x: XmlElement): void => {
    for (const c of elements(x)) {
      if (c.ns === ns && c.local === local) out.push(c);
      walk(c);
    }
  };
  walk(e);
  return out;
}

/** The element's text content (all descendant text). */
export function textOf(e: XmlElement | undefined): string {
  if (!e) return '';
  let out = '';
  for (const c of e.children) {
    if (c.kind === 'text') out += c.value;
    else if (c.kind === 'element') out += textOf(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Canonicalization.

export interface C14nOptions {
  /** Exclusive XML Canonicalization (xml-exc-c14n) rather than Canonical XML 1.0. */
  readonly exclusive: boolean;
  /** Exclusive only: prefixes treated as in inclusive canonicalization (`#default` for the default namespace). */
  readonly inclusivePrefixes?: readonly string[];
  readonly withComments?: boolean;
  /** An element left out with its subtree (the enveloped signature). */
  readonly exclude?: XmlElement;
}

const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
const escAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The canonical form of `root` and its subtree, as a document subset. */
export function canonicalize(root: XmlElement, o: C14nOptions): string {
  const out: string[] = [];
  const inclusive = new Set((o.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p)));
  const walk = (e: XmlElement, rendered: ReadonlyMap<string, string>): void => {
    const decls = new Map<string, string>();
    const consider = (prefix: string, uri: string): void => {
      if (prefix === 'xml') return;
      if (prefix === '' && uri === '') {
        // xmlns="" only to undo a default namespace an output ancestor rendered.
        if ((rendered.get('') ?? '') !== '') decls.set('', '');
        return;
      }
      if (rendered.get(prefix) !== uri) decls.set(prefix, uri);
    };
    if (o.exclusive) {
      // Only the namespaces the element visibly uses (its own prefix, its attributes'),
      // plus the InclusiveNamespaces PrefixList.
      const used = new Set<string>([e.prefix]);
      for (const a of e.attrs) if (a.prefix) used.add(a.prefix);
      for (const p of inclusive) if (e.inScope.has(p)) used.add(p);
      for (const p of used) consider(p, e.inScope.get(p) ?? '');
    } else {
      for (const [p, uri] of e.inScope) consider(p, uri);
    }
    let next = rendered;
    if (decls.size) {
      const m = new Map(rendered);
      for (const [p, uri] of decls) m.set(p, uri);
      next = m;
    }
    out.push('<', e.qname);
    for (const p of [...decls.keys()].sort(byCodePoint)) out.push(p === '' ? ' xmlns="' : ` xmlns:${p}="`, escAttr(decls.get(p)!), '"');
    const attrs = [...e.attrs].sort((a, b) => byCodePoint(a.ns, b.ns) || byCodePoint(a.local, b.local));
    for (const a of attrs) out.push(' ', a.qname, '="', escAttr(a.value), '"');
    out.push('>');
    for (const c of e.children) {
      switch (c.kind) {
        case 'element':
          if (c !== o.exclude) walk(c, next);
          break;
        case 'text':
          out.push(escText(c.value));
          break;
        case 'comment':
          if (o.withComments) out.push('<!--', c.value, '-->');
          break;
        case 'pi':
          out.push('<?', c.target, c.data ? ` ${c.data}` : '', '?>');
          break;
      }
    }
    out.push('</', e.qname, '>');
  };
  walk(root, new Map());
  return out.join('');
}

// ---------------------------------------------------------------------------------
// XML Signature.

const C14N: Readonly<Record<string, { exclusive: boolean; withComments: boolean }>> = {
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315': { exclusive: false, withComments: false },
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments': { exclusive: false, withComments: true },
  'http://www.w3.org/2001/10/xml-exc-c14n#': { exclusive: true, withComments: false },
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments': { exclusive: true, withComments: true },
};
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const DIGESTS: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};
const SIGNATURES: Readonly<Record<string, { hash: string; ecdsa: boolean }>> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { hash: 'sha1', ecdsa: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'sha256', ecdsa: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { hash: 'sha384', ecdsa: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'sha512', ecdsa: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { hash: 'sha256', ecdsa: true },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { hash: 'sha384', ecdsa: true },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { hash: 'sha512', ecdsa: true },
};

function c14nMethod(method: XmlElement | undefined, exclude?: XmlElement): C14nOptions | undefined {
  const algorithm = attr(method, 'Algorithm') ?? '';
  const m = C14N[algorithm];
  if (!m) return undefined;
  const prefixes = attr(child(method, NS.ec, 'InclusiveNamespaces'), 'PrefixList');
  return {
    exclusive: m.exclusive,
    withComments: m.withComments,
    ...(m.exclusive && prefixes ? { inclusivePrefixes: prefixes.split(/\s+/).filter(Boolean) } : {}),
    ...(exclude ? { exclude } : {}),
  };
}

/**
 * Is `target` signed by an enveloped Signature (a direct child) whose single Reference
 * points at the target's `idAttribute`, verified with one of `keys`?
 */
export function verifyEnvelopedSignature(target: XmlElement, keys: readonly KeyObject[], idAttribute = 'ID'): boolean {
  const signatures = childrenNamed(target, NS.ds, 'Signature');
  if (signatures.length !== 1) return false;
  const signature = signatures[0]!;
  const signedInfo = child(signature, NS.ds, 'SignedInfo');
  const references = childrenNamed(signedInfo, NS.ds, 'Reference');
  if (!signedInfo || references.length !== 1) return false;
  const reference = references[0]!;
  const id = attr(target, idAttribute);
  if (!id || attr(reference, 'URI') !== `#${id}`) return false;

  // The digest: the transforms the Reference lists, canonical XML 1.0 by default.
  let options: C14nOptions = { exclusive: false };
  let enveloped = false;
  for (const t of childrenNamed(child(reference, NS.ds, 'Transforms'), NS.ds, 'Transform')) {
    const algorithm = attr(t, 'Algorithm') ?? '';
    if (algorithm === ENVELOPED) enveloped = true;
    else {
      const m = c14nMethod(t);
      if (!m) return false;
      options = m;
    }
  }
  if (!enveloped) return false;
  const digestAlgorithm = DIGESTS[attr(child(reference, NS.ds, 'DigestMethod'), 'Algorithm') ?? ''];
  if (!digestAlgorithm) return false;
  const digest = createHash(digestAlgorithm).update(canonicalize(target, { ...options, exclude: signature }), 'utf8').digest('base64');
  if (digest !== textOf(child(reference, NS.ds, 'DigestValue')).replace(/\s+/g, '')) return false;

  // The signature over SignedInfo.
  const siOptions = c14nMethod(child(signedInfo, NS.ds, 'CanonicalizationMethod'));
  const method = SIGNATURES[attr(child(signedInfo, NS.ds, 'SignatureMethod'), 'Algorithm') ?? ''];
  if (!siOptions || !method) return false;
  const data = Buffer.from(canonicalize(signedInfo, siOptions), 'utf8');
  const value = Buffer.from(textOf(child(signature, NS.ds, 'SignatureValue')).replace(/\s+/g, ''), 'base64');
  return keys.some((key) => {
    try {
      return verifySignature(method.hash, data, method.ecdsa ? { key, dsaEncoding: 'ieee-p1363' } : key, value);
    } catch {
      return false;
    }
  });
}
