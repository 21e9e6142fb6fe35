/**
 * Reading imported certificates as ACM does: one PEM certificate, an unencrypted PEM
 * private key that matches it, an optional PEM chain, and the facts DescribeCertificate
 * shows (names, serial, validity, algorithms, key usages), with ACM's ValidationException
 * wording for material it refuses.
 *
 * Messages: "The certificate field contains more than one certificate. You can specify only
 * one certificate in this field." and "Your private key should not be encrypted." are
 * ACM's (Knowledge Center, "Why can't I import my third-party certificate into ACM?");
 * "Unable to parse certificate. Please ensure the certificate is in PEM format." is the
 * wording AWS uses for unparsable certificates (the Knowledge Center quotes it for ACM
 * too). Where AWS publishes no wording (a key that does not match, an expired certificate,
 * a bad chain) the message is Gatehouse's, in the same style.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '@aws-sdk/client-acm';
import { AwsError } from '../../models/errors.js';
import { certificateStructure, keyUsageBits } from './der.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

const invalid = (message: string): AwsError => new AwsError('ValidationException', message);

export interface ExtendedKeyUsage {
  readonly Name: string;
  readonly OID: string;
}

/** What ACM shows about a certificate, derived from the certificate itself. */
export interface CertificateFacts {
  readonly DomainName: string;
  readonly SubjectAlternativeNames: readonly string[];
  readonly Subject: string;
  readonly Issuer: string;
  readonly Serial: string;
  readonly NotBefore: string;
  readonly NotAfter: string;
  readonly KeyAlgorithm: KeyAlgorithm;
  readonly SignatureAlgorithm: string;
  readonly KeyUsages: readonly string[];
  readonly ExtendedKeyUsages: readonly ExtendedKeyUsage[];
}

/** RFC 5280 KeyUsage bit positions → ACM's KeyUsageName. */
const KEY_USAGES = ['DIGITAL_SIGNATURE', 'NON_REPUDIATION', 'KEY_ENCIPHERMENT', 'DATA_ENCIPHERMENT', 'KEY_AGREEMENT', 'CERTIFICATE_SIGNING', 'CRL_SIGNING', 'ENCIPHER_ONLY', 'DECIPHER_ONLY'];

/** Extended key usage OIDs → ACM's ExtendedKeyUsageName (anything else is CUSTOM). */
const EXTENDED_KEY_USAGES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS_WEB_SERVER_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.2': 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION',
  '1.3.6.1.5.5.7.3.5': 'IPSEC_END_SYSTEM',
  '1.3.6.1.5.5.7.3.6': 'IPSEC_TUNNEL',
  '1.3.6.1.5.5.7.3.7': 'IPSEC_USER',
  '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING',
  '2.5.29.37.0': 'ANY',
};

/** Signature algorithm OIDs → the names ACM prints (`SHA256WITHRSA`). */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'MD5WITHRSA',
  '1.2.840.113549.1.1.5': 'SHA1WITHRSA',
  '1.2.840.113549.1.1.10': 'SHA256WITHRSAANDMGF1',
  '1.2.840.113549.1.1.11': 'SHA256WITHRSA',
  '1.2.840.113549.1.1.12': 'SHA384WITHRSA',
  '1.2.840.113549.1.1.13': 'SHA512WITHRSA',
  '1.2.840.113549.1.1.14': 'SHA224WITHRSA',
  '1.2.840.10045.4.1': 'SHA1WITHECDSA',
  '1.2.840.10045.4.3.2': 'SHA256WITHECDSA',
  '1.2.840.10045.4.3.3': 'SHA384WITHECDSA',
  '1.2.840.10045.4.3.4': 'SHA512WITHECDSA',
};

/** The key algorithms ACM accepts (import prerequisites: RSA 1024-4096, ECDSA P-256/384/521). */
function keyAlgorithm(key: KeyObject): KeyAlgorithm | undefined {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && [1024, 2048, 3072, 4096].includes(d?.modulusLength ?? 0)) return `RSA_${d!.modulusLength!}` as KeyAlgorithm;
  if (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1', 'secp521r1'].includes(d?.namedCurve ?? '')) return `EC_${d!.namedCurve!}` as KeyAlgorithm;
  return undefined;
}

/** `C=US\nO=Example\nCN=host` (node's form) → the attributes in certificate order. */
const attributes = (name: string): [string, string][] =>
  name.split('\n').filter(Boolean).map((a) => {
    const i = a.indexOf('=');
    return [a.slice(0, i), a.slice(i + 1)];
  });

const attribute = (name: string, key: string): string | undefined => attributes(name).find(([k]) => k === key)?.[1];

/** The PEM certificates in a text, in order. */
export const pemCertificates = (text: string): string[] => text.match(PEM_CERT) ?? [];

function parseOne(pem: string, what: 'certificate' | 'certificate chain'): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw invalid(`Unable to parse ${what}. Please ensure the ${what} is in PEM format.`);
  }
}

/** The one certificate of the Certificate field. */
export function parseCertificate(body: Buffer | Uint8Array): { pem: string; x509: X509Certificate } {
  const blocks = pemCertificates(Buffer.from(body).toString('utf8'));
  if (blocks.length === 0) throw invalid('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  if (blocks.length > 1) throw invalid('The certificate field contains more than one certificate. You can specify only one certificate in this field.');
  return { pem: `${blocks[0]!}\n`, x509: parseOne(blocks[0]!, 'certificate') };
}

/** The chain's certificates, each parsed (a chain must hold at least one). */
export function parseChain(body: Buffer | Uint8Array): string {
  const blocks = pemCertificates(Buffer.from(body).toString('utf8'));
  if (blocks.length === 0) throw invalid('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
  for (const b of blocks) parseOne(b, 'certificate chain');
  return `${blocks.join('\n')}\n`;
}

/** The private key: PEM, unencrypted, of a supported algorithm, matching the certificate. */
export function checkPrivateKey(body: Buffer | Uint8Array, x509: X509Certificate): string {
  const text = Buffer.from(body).toString('utf8');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text)) throw invalid('Your private key should not be encrypted.');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw invalid('The private key is not supported.');
  }
  if (!keyAlgorithm(key)) throw invalid('The private key length is not supported for key algorithm.');
  let matches = false;
  try {
    matches = key.asymmetricKeyType === x509.publicKey.asymmetricKeyType && x509.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches) throw invalid('The private key does not match the public key in the certificate.');
  return text;
}

/** ACM's colon-separated lower-case hex serial (`0f:ce:08:...`). */
function serial(hex: string): string {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.toLowerCase().match(/../g)!.join(':');
}

/**
 * Everything DescribeCertificate derives from an imported certificate. ACM refuses
 * certificates that are not X.509 v3, have no issuer, use a key algorithm it does not
 * support, or are outside their validity period when imported.
 */
export function certificateFacts(x509: X509Certificate, now: Date): CertificateFacts {
  const structure = (() => {
    try {
      return certificateStructure(x509.raw);
    } catch {
      throw invalid('Unable to parse certificate. Please ensure the certificate is in PEM format.');
    }
  })();
  if (structure.version !== 3) throw invalid('The certificate must be an X.509 version 3 certificate.');
  if (!x509.issuer) throw invalid('The certificate Issuer field must not be empty.');
  const algorithm = keyAlgorithm(x509.publicKey);
  if (!algorithm) throw invalid('The certificate key algorithm is not supported.');
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (now > notAfter) throw invalid('The certificate has expired, is not valid.');
  if (now < notBefore) throw invalid('The certificate is not in effect yet, is not valid.');
  const sans = (x509.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const cn = attribute(x509.subject, 'CN');
  const domain = cn ?? sans[0];
  if (!domain) throw invalid('The certificate must contain a domain name in its subject or subject alternative names.');
  const ku = structure.extensions.get('2.5.29.15');
  const eku = x509.keyUsage ?? [];
  return {
    DomainName: domain,
    SubjectAlternativeNames: sans.length ? sans : [domain],
    Subject: attributes(x509.subject).map(([k, v]) => `${k}=${v}`).join(','),
    // ACM names the issuing CA by its organization (`Amazon`, `Let's Encrypt`), else its common name.
    Issuer: attribute(x509.issuer, 'O') ?? attribute(x509.issuer, 'CN') ?? attributes(x509.issuer).map(([k, v]) => `${k}=${v}`).join(','),
    Serial: serial(x509.serialNumber),
    NotBefore: notBefore.toISOString(),
    NotAfter: notAfter.toISOString(),
    KeyAlgorithm: algorithm,
    SignatureAlgorithm: SIGNATURE_ALGORITHMS[structure.signatureAlgorithm] ?? structure.signatureAlgorithm,
    KeyUsages: ku ? keyUsageBits(ku).map((b) => KEY_USAGES[b]).filter((n): n is string => n !== undefined) : [],
    ExtendedKeyUsages: eku.map((o) => ({ Name: EXTENDED_KEY_USAGES[o] ?? 'CUSTOM', OID: o })),
  };
}
