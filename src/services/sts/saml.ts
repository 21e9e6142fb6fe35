/**
 * sts:AssumeRoleWithSAML (unsigned): a SAML 2.0 authentication response from an identity
 * provider becomes a role session.
 *
 * The response must come from the IAM SAML provider named by PrincipalArn: its Issuer is
 * the entity id of the provider's metadata, and the assertion (or the response holding it)
 * carries an enveloped XML signature made with a signing key of that metadata. The
 * assertion must be current, list the role and provider in its
 * `https://aws.amazon.com/SAML/Attributes/Role` attribute and name the session; then the
 * role's trust policy decides, with `saml:aud`, `saml:sub`, `saml:iss`... as condition keys.
 *
 * Gatehouse's limit: encrypted assertions are refused (the provider's private keys are
 * IAM's to hold, and decryption is not implemented).
 */
import type { AssumeRoleWithSAMLCommandInput, AssumeRoleWithSAMLCommandOutput } from '@aws-sdk/client-sts';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceContext } from '../types.js';
import { expiredTokenException, findRole, idpRejectedClaim, invalidIdentityToken, parseRoleArn, sessionTags, validationError, type Out } from './common.js';
import { assumeFederated, notAuthorized } from './federated.js';
import { findSamlProvider, idpMetadata, nameQualifier, parseSamlProviderArn } from './providers.js';
import { attr, child, childrenNamed, descendants, parseXml, textOf, verifyEnvelopedSignature, type XmlElement } from './xml-dsig.js';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const AWS_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const NAMEID_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
const SKEW_MS = 5 * 60 * 1000;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Attributes AWS maps to `saml:` condition keys (IAM User Guide, "Available keys for SAML-based federation"). */
const ATTRIBUTE_KEYS: Readonly<Record<string, string>> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'saml:edupersonaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': 'saml:edupersonnickname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': 'saml:edupersonorgdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': 'saml:edupersonorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': 'saml:edupersonprimaryaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'saml:edupersonprincipalname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'saml:edupersonentitlement',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': 'saml:edupersonprimaryorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'saml:edupersonscopedaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'saml:edupersontargetedid',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': 'saml:edupersonassurance',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.2': 'saml:eduorghomepageuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.3': 'saml:eduorgidentityauthnpolicyuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.4': 'saml:eduorglegalname',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.5': 'saml:eduorgsuperioruri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.6': 'saml:eduorgwhitepagesuri',
  'urn:oid:2.5.4.3': 'saml:cn',
};

const invalidResponse = (): Error => invalidIdentityToken('The SAML response is not a valid SAML 2.0 authentication response.');

function parseResponse(assertion: string): XmlElement {
  const text = Buffer.from(assertion.replace(/\s+/g, ''), 'base64').toString('utf8');
  try {
    return parseXml(text);
  } catch {
    throw invalidResponse();
  }
}

/** Every element ID in the document is unique: a second copy of the signed ID is how signature-wrapping attacks start. */
function uniqueIds(root: XmlElement): boolean {
  const seen = new Set<string>();
  const walk = (e: XmlElement): boolean => {
    for (const name of ['ID', 'Id', 'AssertionID']) {
      const id = attr(e, name);
      if (id === undefined) continue;
      if (seen.has(id)) return false;
      seen.add(id);
    }
    return e.children.every((c) => c.kind !== 'element' || walk(c));
  };
  return walk(root);
}

const time = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

export function samlHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    async AssumeRoleWithSAML(input: AssumeRoleWithSAMLCommandInput, ctx: ServiceContext): Promise<Out<AssumeRoleWithSAMLCommandOutput>> {
      const roleArn = input.RoleArn!;
      const providerArn = input.PrincipalArn!;
      if (!parseRoleArn(roleArn)) throw validationError('Request ARN is invalid');
      const providerRef = parseSamlProviderArn(providerArn);
      if (!providerRef) throw validationError('Request ARN is invalid');
      const provider = await findSamlProvider(ctx.tx, providerArn);
      if (!provider) throw invalidIdentityToken("Specified provider doesn't exist");

      const root = parseResponse(input.SAMLAssertion!);
      const isResponse = root.ns === SAMLP && root.local === 'Response';
      if (!isResponse && !(root.ns === SAML && root.local === 'Assertion')) throw invalidResponse();
      if (isResponse) {
        const status = attr(child(child(root, SAMLP, 'Status'), SAMLP, 'StatusCode'), 'Value');
        if (status !== SUCCESS) throw idpRejectedClaim(`The identity provider did not authenticate the user (status ${status ?? 'missing'}).`);
        if (childrenNamed(root, SAML, 'EncryptedAssertion').length) throw invalidIdentityToken('Encrypted SAML assertions are not supported by Gatehouse.');
      }
      const assertions = isResponse ? childrenNamed(root, SAML, 'Assertion') : [root];
      if (assertions.length !== 1 || !uniqueIds(root)) throw invalidResponse();
      const assertion = assertions[0]!;

      // Issuer and signature, against the provider's metadata only.
      const issuer = textOf(child(assertion, SAML, 'Issuer')).trim();
      const idp = idpMetadata(provider.SAMLMetadataDocument ?? '').find((m) => m.entityId === issuer);
      if (!idp) throw invalidIdentityToken('Issuer not present in specified provider');
      const signed = verifyEnvelopedSignature(assertion, idp.signingKeys) || (isResponse && verifyEnvelopedSignature(root, idp.signingKeys));
      if (!signed) throw invalidIdentityToken('Response signature invalid');

      // Subject and validity.
      const subject = child(assertion, SAML, 'Subject');
      const nameId = child(subject, SAML, 'NameID');
      const subjectValue = textOf(nameId).trim();
      const format = attr(nameId, 'Format') ?? 'urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified';
      const subjectType = format.startsWith(NAMEID_FORMAT) ? format.slice(NAMEID_FORMAT.length) : format;
      const confirmations = childrenNamed(subject, SAML, 'SubjectConfirmation').filter((c) => attr(c, 'Method') === 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
      const confirmation = child(confirmations[0], SAML, 'SubjectConfirmationData');
      if (!confirmation) throw invalidResponse();
      const recipient = attr(confirmation, 'Recipient') ?? '';
      const conditions = child(assertion, SAML, 'Conditions');
      const now = ctx.now.getTime();
      const notBefore = [time(attr(conditions, 'NotBefore')), time(attr(confirmation, 'NotBefore'))].filter((t): t is number => t !== undefined);
      if (notBefore.some((t) => now + SKEW_MS < t)) throw invalidIdentityToken('The SAML assertion is not yet valid.');
      const notOnOrAfter = [time(attr(conditions, 'NotOnOrAfter')), time(attr(confirmation, 'NotOnOrAfter'))].filter((t): t is number => t !== undefined);
      const issued = time(attr(assertion, 'IssueInstant'));
      // Without NotOnOrAfter, the response is good for five minutes from its issue.
      if (!notOnOrAfter.length && issued !== undefined) notOnOrAfter.push(issued + SKEW_MS);
      if (notOnOrAfter.some((t) => now >= t)) throw expiredTokenException('Token must be redeemed within 5 minutes of issuance');

      // Attributes.
      const attributes = new Map<string, string[]>();
      for (const statement of childrenNamed(assertion, SAML, 'AttributeStatement')) {
        for (const a of childrenNamed(statement, SAML, 'Attribute')) {
          const name = attr(a, 'Name');
          if (name === undefined) continue;
          const values = childrenNamed(a, SAML, 'AttributeValue').map((v) => textOf(v).trim());
          attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
        }
      }
      const roles = (attributes.get(`${AWS_ATTRIBUTE}Role`) ?? []).map((v) => v.split(',').map((x) => x.trim()));
      if (!roles.some((pair) => pair.length === 2 && pair.includes(roleArn) && pair.includes(providerArn))) throw notAuthorized('sts:AssumeRoleWithSAML');
      const sessionName = attributes.get(`${AWS_ATTRIBUTE}RoleSessionName`)?.[0] ?? '';
      if (!SESSION_NAME.test(sessionName)) throw invalidIdentityToken('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
      const sourceIdentity = attributes.get(`${AWS_ATTRIBUTE}SourceIdentity`)?.[0];
      const tagPrefix = `${AWS_ATTRIBUTE}PrincipalTag:`;
      const tagInput = [...attributes].filter(([n]) => n.startsWith(tagPrefix)).map(([n, v]) => ({ Key: n.slice(tagPrefix.length), Value: v[0] ?? '' }));
      const transitive = attributes.get(`${AWS_ATTRIBUTE}TransitiveTagKeys`) ?? [];
      const tags = sessionTags(tagInput, transitive);

      // The session ends at SessionNotOnOrAfter when that comes first.
      const sessionEnd = descendants(assertion, SAML, 'AuthnStatement')
        .map((s) => time(attr(s, 'SessionNotOnOrAfter')))
        .find((t) => t !== undefined);
      const maxSeconds = sessionEnd !== undefined ? Math.floor((sessionEnd - now) / 1000) : undefined;
      if (maxSeconds !== undefined && maxSeconds <= 0) throw expiredTokenException('Token must be redeemed within 5 minutes of issuance');

      const account = providerRef.account;
      const qualifier = nameQualifier(issuer, account, providerRef.name);
      const claims: Record<string, string | string[]> = {
        'saml:aud': recipient,
        'saml:sub': subjectValue,
        'saml:sub_type': subjectType,
        'saml:iss': issuer,
        'saml:namequalifier': qualifier,
        'saml:doc': `${account}/${providerRef.name}`,
      };
      for (const [name, values] of attributes) {
        const key = ATTRIBUTE_KEYS[name];
        if (key) claims[key] = values.length === 1 ? values[0]! : values;
      }

      const role = await findRole(ctx.tx, roleArn);
      const session = await assumeFederated(ctx, credentials, {
        action: 'sts:AssumeRoleWithSAML',
        role,
        roleArn,
        provider: providerArn,
        sessionName,
        claims,
        tags,
        ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
        durationSeconds: input.DurationSeconds,
        ...(maxSeconds !== undefined ? { maxSeconds } : {}),
        policy: input.Policy,
        policyArns: input.PolicyArns,
      });
      return {
        Credentials: session.credentials,
        AssumedRoleUser: { AssumedRoleId: session.caller.userId, Arn: session.caller.arn },
        ...(session.packed !== undefined ? { PackedPolicySize: session.packed } : {}),
        Subject: subjectValue,
        SubjectType: subjectType,
        Issuer: issuer,
        Audience: recipient,
        NameQualifier: qualifier,
        ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
      };
    },
  };
}
