/**
 * IAM's identity providers as STS reads them. The records belong to the IAM service
 * (KIND.samlProvider, KIND.oidcProvider); STS only reads the members AWS's Get* APIs
 * document, and finds a provider by its ARN, whichever key IAM stores it under.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { KIND } from '../iam/records.js';
import { attr, descendants, NS, parseXml, textOf, type XmlElement } from './xml-dsig.js';
import type { Tx } from '../../store/index.js';

/** The members of IAM's SAML provider record STS needs (GetSAMLProvider's). */
export interface SamlProviderView {
  readonly Arn?: string;
  readonly Name?: string;
  readonly SAMLMetadataDocument?: string;
}

/** The members of IAM's OIDC provider record STS needs (GetOpenIDConnectProvider's). */
export interface OidcProviderView {
  readonly Arn?: string;
  readonly Url?: string;
  readonly ClientIDList?: readonly string[];
  readonly ThumbprintList?: readonly string[];
}

const SAML_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/;

export function parseSamlProviderArn(arn: string): { account: string; name: string } | undefined {
  const m = SAML_PROVIDER_ARN.exec(arn);
  return m ? { account: m[1]!, name: m[2]! } : undefined;
}

async function findByArn<T extends { readonly Arn?: string }>(tx: Tx, account: string, kind: string, arn: string, name: string, matches: (r: T) => boolean): Promise<T | undefined> {
  const byId = await tx.get<T>(account, kind, arn);
  if (byId) return byId;
  const byName = await tx.getByName<T>(account, kind, name);
  if (byName && matches(byName)) return byName;
  return (await tx.list<T>(account, kind)).find(matches);
}

export async function findSamlProvider(tx: Tx, arn: string): Promise<SamlProviderView | undefined> {
  const p = parseSamlProviderArn(arn);
  if (!p) return undefined;
  return findByArn<SamlProviderView>(tx, p.account, KIND.samlProvider, arn, p.name, (r) => r.Arn === arn || (r.Arn === undefined && r.Name === p.name));
}

/** An issuer or provider URL as IAM keys OIDC providers: without `https://` and a trailing `/`. */
export const providerHost = (url: string): string => url.replace(/^https:\/\//i, '').replace(/\/+$/, '');

export const oidcProviderArn = (account: string, url: string): string => `arn:aws:iam::${account}:oidc-provider/${providerHost(url)}`;

/** The account's OIDC provider for a token issuer, with its ARN. */
export async function findOidcProvider(tx: Tx, account: string, issuer: string): Promise<{ arn: string; provider: OidcProviderView } | undefined> {
  const arn = oidcProviderArn(account, issuer);
  const host = providerHost(issuer);
  const provider = await findByArn<OidcProviderView>(tx, account, KIND.oidcProvider, arn, host, (r) => r.Arn === arn || (r.Url !== undefined && providerHost(r.Url) === host));
  return provider ? { arn, provider } : undefined;
}

// ---------------------------------------------------------------------------------
// SAML metadata.

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';

export interface IdpMetadata {
  readonly entityId: string;
  readonly signingKeys: readonly KeyObject[];
}

/** `saml:namequalifier`: base64(SHA-1(issuer + account + "/" + provider name)) (IAM User Guide). */
export const nameQualifier = (issuer: string, account: string, providerName: string): string =>
  createHash('sha1').update(`${issuer}${account}/${providerName}`, 'utf8').digest('base64');

/** The identity providers a metadata document describes: entity ids and signing keys. */
export function idpMetadata(document: string): IdpMetadata[] {
  let root: XmlElement;
  try {
    root = parseXml(document);
  } catch {
    return [];
  }
  const entities = root.ns === MD && root.local === 'EntityDescriptor' ? [root] : descendants(root, MD, 'EntityDescriptor');
  const out: IdpMetadata[] = [];
  for (const entity of entities) {
    const entityId = attr(entity, 'entityID');
    if (!entityId) continue;
    const keys: KeyObject[] = [];
    for (const idp of descendants(entity, MD, 'IDPSSODescriptor')) {
      for (const kd of descendants(idp, MD, 'KeyDescriptor')) {
        if (attr(kd, 'use') === 'encryption') continue;
        for (const certElement of descendants(kd, NS.ds, 'X509Certificate')) {
          try {
            const der = Buffer.from(textOf(certElement).replace(/\s+/g, ''), 'base64');
            keys.push(new X509Certificate(der).publicKey);
          } catch {
            // Not a certificate: ignored, as a key that can verify nothing.
          }
        }
      }
    }
    out.push({ entityId, signingKeys: keys });
  }
  return out;
}
