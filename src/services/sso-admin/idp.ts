/**
 * IAM Identity Center's own SAML identity provider. Each instance signs the assertions
 * that sign its users in to AWS accounts; every account it provisions roles into has an
 * IAM SAML provider `AWSSSO_<16 hex>_DO_NOT_DELETE` holding the instance's metadata, and
 * the roles trust that provider. STS (src/services/sts/saml.ts) verifies the assertions
 * exactly as it verifies any IdP's: against the provider's metadata.
 *
 * The signing key is an RSA key pair made when the instance first needs it, its private
 * half sealed with the data folder's key (src/auth/secrets.ts), and a self-signed X.509
 * certificate (valid five years, as AWS's Identity Center certificates are) built here
 * in DER: the metadata publishes it and assertions carry it in KeyInfo.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { SecretBox } from '../../auth/secrets.js';
import { canonicalize, child, NS, parseXml } from '../sts/xml-dsig.js';
import type { ServiceContext } from '../types.js';
import type { InstanceRecord } from './instances.js';

export const IDP_KIND = 'sso:idp';

interface IdpRecord {
  readonly InstanceArn: string;
  readonly EntityId: string;
  /** The certificate, base64 DER. */
  readonly Certificate: string;
  /** PKCS#8 PEM, sealed. */
  readonly PrivateKey: string;
}

export interface Idp {
  readonly entityId: string;
  readonly certificate: string;
  readonly key: KeyObject;
  /** The IAM SAML provider's name in each account: `AWSSSO_<16 hex>_DO_NOT_DELETE`. */
  readonly providerName: string;
}

/** The provider's 16 hex digits: derived from the instance, the same in every account. */
export const samlProviderName = (instanceArn: string): string => `AWSSSO_${createHash('sha256').update(instanceArn).digest('hex').slice(0, 16)}_DO_NOT_DELETE`;

// ---------------------------------------------------------------------------------
// DER, just enough for a self-signed certificate.

function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}
const seq = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
const integer = (value: Buffer): Buffer => der(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(d.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*$/, '$1$2$3$4$5$6Z'), 'ascii'));
const commonName = (cn: string): Buffer => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn, 'utf8')))));

/** A self-signed X.509 v3 certificate (DER); `serial` is 16 random bytes unless given. */
export function selfSignedCertificate(cn: string, publicKey: KeyObject, privateKey: KeyObject, now: Date, serialBytes?: Buffer): Buffer {
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const serial = Buffer.from(serialBytes ?? randomBytes(16));
  // Positive and minimal in DER: a leading 0x00 followed by a byte below 0x80 is not valid DER (OpenSSL refuses it).
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const until = new Date(now.getTime());
  until.setUTCFullYear(until.getUTCFullYear() + 5);
  const tbs = seq(
    der(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    sha256WithRsa,
    commonName(cn),
    seq(utcTime(now), utcTime(until)),
    commonName(cn),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  return seq(tbs, sha256WithRsa, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

// ---------------------------------------------------------------------------------

/** The instance's IdP, made on first use. */
export async function instanceIdp(ctx: ServiceContext, box: SecretBox, instance: InstanceRecord): Promise<Idp> {
  let record = await ctx.tx.get<IdpRecord>(instance.OwnerAccountId, IDP_KIND, instance.InstanceArn);
  if (!record) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const id = instance.InstanceArn.slice(instance.InstanceArn.lastIndexOf('/') + 1);
    record = {
      InstanceArn: instance.InstanceArn,
      EntityId: `https://portal.sso.${instance.Region ?? 'us-east-1'}.amazonaws.com/saml/assertion/${Buffer.from(`${instance.OwnerAccountId}_${id}`).toString('base64url')}`,
      Certificate: selfSignedCertificate('IAM Identity Center', publicKey, privateKey, ctx.now).toString('base64'),
      PrivateKey: box.seal(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    };
    await ctx.tx.insert(instance.OwnerAccountId, IDP_KIND, instance.InstanceArn, record);
  }
  return { entityId: record.EntityId, certificate: record.Certificate, key: createPrivateKey(box.open(record.PrivateKey)), providerName: samlProviderName(instance.InstanceArn) };
}

/** SAML 2.0 metadata for the IAM SAML provider in each account. */
export function idpMetadata(idp: Idp): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${escAttr(idp.entityId)}">\n` +
    `  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">\n` +
    `    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${NS.ds}"><ds:X509Data><ds:X509Certificate>${idp.certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n` +
    `    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\n` +
    `    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escAttr(idp.entityId.replace('/saml/assertion/', '/saml/login/'))}"/>\n` +
    `  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n`
  );
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string): string => esc(s).replace(/"/g, '&quot;');

export interface AssertionOptions {
  readonly nameId: string;
  readonly sessionName: string;
  readonly roleArn: string;
  readonly providerArn: string;
  readonly now: Date;
  /** When the AWS session must end (the permission set's session duration). */
  readonly sessionNotOnOrAfter: Date;
  /** Session tags (`PrincipalTag:<key>`), Identity Center's attributes for access control. */
  readonly tags?: Readonly<Record<string, string>>;
}

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SIGNIN = 'https://signin.aws.amazon.com/saml';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ATTR = 'https://aws.amazon.com/SAML/Attributes/';

/**
 * A base64 SAML response with one assertion signed by the instance's key (enveloped
 * signature, exclusive canonicalization, RSA-SHA256), for STS AssumeRoleWithSAML. The
 * assertion is valid for five minutes, as the AWS sign-in endpoint requires.
 */
export function signedResponse(idp: Idp, o: AssertionOptions): string {
  const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const t = iso(o.now);
  const until = iso(new Date(o.now.getTime() + 5 * 60_000));
  const id = `_${randomBytes(16).toString('hex')}`;
  const attribute = (name: string, value: string): string => `<saml:Attribute Name="${escAttr(name)}"><saml:AttributeValue>${esc(value)}</saml:AttributeValue></saml:Attribute>`;
  const attributes = [
    attribute(`${ATTR}Role`, `${o.roleArn},${o.providerArn}`),
    attribute(`${ATTR}RoleSessionName`, o.sessionName),
    ...Object.entries(o.tags ?? {}).map(([k, v]) => attribute(`${ATTR}PrincipalTag:${k}`, v)),
  ].join('');
  const head = `<saml:Assertion xmlns:saml="${SAML}" ID="${id}" IssueInstant="${t}" Version="2.0"><saml:Issuer>${esc(idp.entityId)}</saml:Issuer>`;
  const tail =
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(o.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${SIGNIN}"></saml:SubjectConfirmationData></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${t}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${t}" SessionIndex="${id}" SessionNotOnOrAfter="${iso(o.sessionNotOnOrAfter)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement></saml:Assertion>`;
  // The digest is over the assertion without its signature (the enveloped transform removes it).
  const digest = createHash('sha256').update(canonicalize(parseXml(head + tail), { exclusive: true }), 'utf8').digest('base64');
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></ds:SignatureMethod>` +
    `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform><ds:Transform Algorithm="${EXC}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
  const canonicalSignedInfo = canonicalize(child(parseXml(`<ds:Signature xmlns:ds="${NS.ds}">${signedInfo}</ds:Signature>`), NS.ds, 'SignedInfo')!, { exclusive: true });
  const value = sign('sha256', Buffer.from(canonicalSignedInfo, 'utf8'), idp.key).toString('base64');
  const signature = `<ds:Signature xmlns:ds="${NS.ds}">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${idp.certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`;
  const response =
    `<?xml version="1.0" encoding="UTF-8"?>\n<samlp:Response xmlns:samlp="${SAMLP}" Destination="${SIGNIN}" ID="_${randomBytes(16).toString('hex')}" IssueInstant="${t}" Version="2.0">` +
    `<saml:Issuer xmlns:saml="${SAML}">${esc(idp.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"></samlp:StatusCode></samlp:Status>` +
    `${head}${signature}${tail}</samlp:Response>`;
  return Buffer.from(response, 'utf8').toString('base64');
}
