/**
 * Shared pieces of the STS tests: a clock the tests move, clients, users with keys and
 * policies, roles, AWS error assertions, and identity-provider material minted here: JWTs
 * (web identity) and signed SAML responses with the metadata that verifies them.
 *
 * The SAML signer does not use Gatehouse's canonicalizer: it writes the canonical form of
 * the signed element by hand (exclusive c14n rules: sorted attributes, expanded empty
 * elements, namespaces declared where they are visibly used) next to a deliberately
 * non-canonical document, so the verifier's canonicalization is checked independently.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { ACCOUNT, clientConfig, type Keys } from '../../helpers/server.js';

/** The server's clock: real time plus an offset the tests move. */
export class Clock {
  offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
}

/** Clients whose own clock follows the server's (so SigV4 stays within its 15-minute window). */
export const iamClient = (endpoint: string, keys?: Keys, clock?: Clock): IAMClient => new IAMClient({ ...clientConfig(endpoint, keys), systemClockOffset: clock?.offsetMs ?? 0 });
export const stsClient = (endpoint: string, keys?: Keys, clock?: Clock): STSClient => new STSClient({ ...clientConfig(endpoint, keys), systemClockOffset: clock?.offsetMs ?? 0 });

/** The error a call fails with (the call must fail). */
export async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

/** Assert an AWS error by code and exact message (and HTTP status when given). */
export async function rejects(p: Promise<unknown>, code: string, message: string | RegExp, status?: number): Promise<void> {
  const e = await failure(p);
  assert.equal(e.name, code, `${e.name}: ${e.message}`);
  if (typeof message === 'string') assert.equal(e.message, message);
  else assert.match(e.message, message);
  if (status !== undefined) assert.equal(e.status, status);
}

export const policyDoc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: object): object => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
export const trust = (Principal: object, Action: string | string[] = 'sts:AssumeRole', Condition?: object): string =>
  policyDoc({ Effect: 'Allow', Principal, Action, ...(Condition ? { Condition } : {}) });

export const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
export const roleArn = (name: string, path = '/'): string => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;

/** An IAM user with an access key and, optionally, an inline policy. */
export async function userWithKey(root: IAMClient, name: string, policy?: string): Promise<Keys> {
  await root.send(new CreateUserCommand({ UserName: name }));
  if (policy) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: policy }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
}

/** A role with a trust policy and, optionally, an inline permissions policy; returns its id. */
export async function role(root: IAMClient, name: string, trustPolicy: string, options: { policy?: string; path?: string; maxSessionDuration?: number } = {}): Promise<string> {
  const created = await root.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: trustPolicy,
      ...(options.path ? { Path: options.path } : {}),
      ...(options.maxSessionDuration ? { MaxSessionDuration: options.maxSessionDuration } : {}),
    }),
  );
  if (options.policy) await root.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'permissions', PolicyDocument: options.policy }));
  return created.Role!.RoleId!;
}

/** AssumeRole and the session's keys. */
export async function assume(sts: STSClient, input: AssumeRoleCommandInput): Promise<Keys> {
  const out = await sts.send(new AssumeRoleCommand(input));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

// ---------------------------------------------------------------------------------
// Web identity: JWTs.

export function rsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const b64url = (v: object | Buffer): string => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

/** A signed RS256 JWT with these claims (and `iat`/`exp` one hour around now unless given). */
export function mintJwt(key: KeyObject, claims: Record<string, unknown>, now = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = b64url({ alg: 'RS256', typ: 'JWT', kid: 'test-key' });
  const payload = b64url({ iat, exp: iat + 3600, ...claims });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${b64url(signature)}`;
}

// ---------------------------------------------------------------------------------
// SAML: an identity provider's key, certificate and metadata, and signed responses.

export interface Idp {
  readonly entityId: string;
  readonly privateKey: string;
  /** The certificate, base64 DER. */
  readonly certificate: string;
  readonly metadata: string;
}

/** A key pair and self-signed certificate (openssl), and the IdP's metadata document. */
export function makeIdp(entityId: string): Idp {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-idp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=gatehouse-test-idp', '-days', '2'], { stdio: 'ignore' });
    const privateKey = readFileSync(join(dir, 'key.pem'), 'utf8');
    const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8').replace(/-----[A-Z ]+-----|\s+/g, '');
    const metadata =
      `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">\n` +
      `  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">\n` +
      `    <md:KeyDescriptor use="signing">\n      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\n        <ds:X509Data>\n          <ds:X509Certificate>${certificate}</ds:X509Certificate>\n        </ds:X509Data>\n      </ds:KeyInfo>\n    </md:KeyDescriptor>\n` +
      `    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\n` +
      `    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>\n` +
      `  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n`;
    return { entityId, privateKey, certificate, metadata };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const XS = 'http://www.w3.org/2001/XMLSchema';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const AWS_SAML = 'https://aws.amazon.com/SAML/Attributes/';
export const SIGNIN = 'https://signin.aws.amazon.com/saml';

export interface SamlOptions {
  readonly idp: Idp;
  /** The key that signs (default: the IdP's own). */
  readonly signingKey?: string;
  readonly issuer?: string;
  readonly nameId?: string;
  readonly recipient?: string;
  readonly now?: Date;
  /** NotOnOrAfter of the subject confirmation and conditions (default now + 5 min). */
  readonly notOnOrAfter?: Date;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** Sign the Response rather than the Assertion. */
  readonly signResponse?: boolean;
  /** Change the document after signing (tampering tests). */
  readonly after?: (xml: string) => string;
}

/** Text as canonical XML writes it (attribute values also escape `"`). */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string): string => esc(s).replace(/"/g, '&quot;');

/** A base64 SAML response, signed as an IdP would sign it. */
export function samlResponse(o: SamlOptions): string {
  const now = o.now ?? new Date();
  const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const t = iso(now);
  const until = iso(o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000));
  const issuer = esc(o.issuer ?? o.idp.entityId);
  const recipient = escAttr(o.recipient ?? SIGNIN);
  const nameId = esc(o.nameId ?? 'alice@example.com');
  const statusCode = 'urn:oasis:names:tc:SAML:2.0:status:Success';
  const persistent = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
  const bearer = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
  const pwd = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

  // `canonical`: the exclusive-c14n form the signer digests; otherwise the document as sent
  // (attributes in another order, empty elements self-closed, namespaces on the Response).
  type Mode = 'sent' | 'assertion' | 'response';
  const assertionBody = (mode: Mode, sig: string): string => {
    const c = mode !== 'sent';
    const values = (vs: readonly string[]): string =>
      vs.map((v) => (c ? `<saml:AttributeValue xmlns:xsi="${XSI}" xsi:type="xs:string">${esc(v)}</saml:AttributeValue>` : `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`)).join('');
    const attributes = Object.entries(o.attributes)
      .map(([name, vs]) => `<saml:Attribute Name="${escAttr(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values(vs)}</saml:Attribute>`)
      .join('\n      ');
    const confirmationData = c
      ? `<saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${recipient}"></saml:SubjectConfirmationData>`
      : `<saml:SubjectConfirmationData Recipient="${recipient}" NotOnOrAfter="${until}"/>`;
    const open =
      mode === 'assertion'
        ? `<saml:Assertion xmlns:saml="${A}" xmlns:xs="${XS}" ID="_assertion1" IssueInstant="${t}" Version="2.0">`
        : mode === 'response'
          ? `<saml:Assertion xmlns:saml="${A}" ID="_assertion1" IssueInstant="${t}" Version="2.0">`
          : `<saml:Assertion Version="2.0" IssueInstant="${t}" ID="_assertion1">`;
    return [
      open,
      `<saml:Issuer>${issuer}</saml:Issuer>`,
      ...(sig ? [sig] : mode === 'assertion' ? [''] : []),
      `<saml:Subject><saml:NameID Format="${persistent}">${nameId}</saml:NameID><saml:SubjectConfirmation Method="${bearer}">${confirmationData}</saml:SubjectConfirmation></saml:Subject>`,
      `<saml:Conditions NotBefore="${t}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>`,
      `<saml:AuthnStatement AuthnInstant="${t}" SessionIndex="_assertion1"><saml:AuthnContext><saml:AuthnContextClassRef>${pwd}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
      `<saml:AttributeStatement>\n      ${attributes}\n    </saml:AttributeStatement>`,
    ].join('\n    ') + '\n  </saml:Assertion>';
  };
  const responseBody = (mode: 'sent' | 'response', assertion: string, sig: string): string => {
    const c = mode === 'response';
    const open = c
      ? `<samlp:Response xmlns:samlp="${P}" Destination="${SIGNIN}" ID="_response1" IssueInstant="${t}" Version="2.0">`
      : `<samlp:Response xmlns:samlp="${P}" xmlns:saml="${A}" xmlns:xs="${XS}" xmlns:xsi="${XSI}" ID="_response1" Version="2.0" IssueInstant="${t}" Destination="${SIGNIN}">`;
    return [
      open,
      c ? `<saml:Issuer xmlns:saml="${A}">${issuer}</saml:Issuer>` : `<saml:Issuer>${issuer}</saml:Issuer>`,
      ...(sig ? [sig] : c ? [''] : []),
      c ? `<samlp:Status><samlp:StatusCode Value="${statusCode}"></samlp:StatusCode></samlp:Status>` : `<samlp:Status><samlp:StatusCode Value="${statusCode}"/></samlp:Status>`,
      assertion,
    ].join('\n  ') + '\n</samlp:Response>';
  };
  const signature = (id: string, canonicalTarget: string, prefixList: string | undefined): string => {
    const digest = createHash('sha256').update(canonicalTarget, 'utf8').digest('base64');
    const inclusive = (canonical: boolean): string =>
      prefixList === undefined ? '' : canonical ? `<ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${prefixList}"></ec:InclusiveNamespaces>` : `<ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${prefixList}"/>`;
    const signedInfo = (canonical: boolean): string => {
      const e = (name: string, attrs: string, inner = ''): string => (canonical || inner ? `<ds:${name}${attrs}>${inner}</ds:${name}>` : `<ds:${name}${attrs}/>`);
      return (
        `<ds:SignedInfo${canonical ? ` xmlns:ds="${DS}"` : ''}>` +
        e('CanonicalizationMethod', ` Algorithm="${EXC}"`) +
        e('SignatureMethod', ' Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"') +
        `<ds:Reference URI="#${id}"><ds:Transforms>` +
        e('Transform', ' Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"') +
        e('Transform', ` Algorithm="${EXC}"`, inclusive(canonical)) +
        `</ds:Transforms>` +
        e('DigestMethod', ' Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"') +
        `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
      );
    };
    const value = sign('sha256', Buffer.from(signedInfo(true), 'utf8'), o.signingKey ?? o.idp.privateKey).toString('base64');
    return (
      `<ds:Signature xmlns:ds="${DS}">${signedInfo(false)}<ds:SignatureValue>${value}</ds:SignatureValue>` +
      `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${o.idp.certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`
    );
  };

  let xml: string;
  if (o.signResponse) {
    const canonical = responseBody('response', assertionBody('response', ''), '');
    xml = responseBody('sent', assertionBody('sent', ''), signature('_response1', canonical, undefined));
  } else {
    const sig = signature('_assertion1', assertionBody('assertion', ''), 'xs');
    xml = responseBody('sent', assertionBody('sent', sig), '');
  }
  xml = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  if (o.after) xml = o.after(xml);
  return Buffer.from(xml, 'utf8').toString('base64');
}
