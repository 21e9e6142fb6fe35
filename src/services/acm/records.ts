/**
 * ACM's stored certificates, their ARNs, lookups and errors, and how a record is shown
 * (DescribeCertificate's CertificateDetail, ListCertificates' CertificateSummary).
 */
import { createHash } from 'node:crypto';
import type { CertificateDetail, CertificateStatus, CertificateSummary, CertificateType, DomainValidation, KeyAlgorithm } from '@aws-sdk/client-acm';
import { AwsError } from '../../models/errors.js';
import type { ServiceContext } from '../types.js';
import type { CertificateFacts } from './x509.js';

export const KIND = {
  certificate: 'acm:certificate',
  /** RequestCertificate's IdempotencyToken → the certificate it created (one hour). */
  idempotency: 'acm:idempotency',
} as const;

/** ACM tags: the value is optional. */
export interface AcmTag {
  readonly Key: string;
  readonly Value?: string;
}

/** A RequestCertificate request: the domains ACM validates (no real issuance in Gatehouse). */
export interface CertificateRequest {
  readonly ValidationMethod: 'EMAIL' | 'DNS' | 'HTTP';
  readonly ValidationDomains: Readonly<Record<string, string>>;
  readonly CertificateTransparencyLoggingPreference: 'ENABLED' | 'DISABLED';
  readonly Export: 'ENABLED' | 'DISABLED';
  readonly CertificateAuthorityArn?: string;
  readonly Status: CertificateStatus;
  readonly FailureReason?: string;
}

export interface CertificateRecord {
  readonly CertificateArn: string;
  readonly Region: string;
  readonly Type: CertificateType;
  readonly DomainName: string;
  readonly SubjectAlternativeNames: readonly string[];
  readonly KeyAlgorithm: KeyAlgorithm;
  readonly CreatedAt?: string;
  readonly ImportedAt?: string;
  /** Imported certificates: what the certificate says, and its material. */
  readonly Facts?: CertificateFacts;
  readonly CertificatePem?: string;
  readonly ChainPem?: string;
  /** Sealed (AES-256-GCM): AWS never returns an imported private key. */
  readonly PrivateKeySealed?: string;
  readonly Request?: CertificateRequest;
  readonly Tags: readonly AcmTag[];
}

const CERTIFICATE_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/([0-9a-f-]{36})$/;

export const certificateArn = (region: string, account: string, id: string): string => `arn:aws:acm:${region}:${account}:certificate/${id}`;

/** A certificate ARN's parts; InvalidArnException for anything else that names ACM. */
export function parseCertificateArn(arn: string): { region: string; account: string; id: string } {
  const m = CERTIFICATE_ARN.exec(arn);
  // AWS's wording for this exception (API Reference, InvalidArnException).
  if (!m) throw new AwsError('InvalidArnException', 'The requested Amazon Resource Name (ARN) does not refer to an existing resource.');
  return { region: m[1]!, account: m[2]!, id: m[3]! };
}

export const notFound = (arn: string): AwsError => new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`);

/** The certificate an ARN names in the caller's account and region, or undefined. */
export async function findCertificate(ctx: ServiceContext, arn: string): Promise<CertificateRecord | undefined> {
  const { region, account, id } = parseCertificateArn(arn);
  if (region !== ctx.region || account !== ctx.caller.account) return undefined;
  return ctx.tx.get<CertificateRecord>(account, KIND.certificate, id);
}

/** Authorization for an existing certificate's ARN: the account it names and its tags. */
export function certificateAuthorization(arn: string, cert: CertificateRecord | undefined, context: Record<string, string | string[]> = {}) {
  const tags: Record<string, string> = {};
  for (const t of cert?.Tags ?? []) tags[`aws:ResourceTag/${t.Key}`] = t.Value ?? '';
  return { context: { ...tags, ...context }, resourceAccount: parseCertificateArn(arn).account };
}

export const toDate = (s: string | undefined): Date | undefined => (s === undefined ? undefined : new Date(s));

/** Imported certificates are ISSUED until their NotAfter passes. */
export function statusOf(c: CertificateRecord, now: Date): CertificateStatus {
  if (c.Request) return c.Request.Status;
  return c.Facts && now > new Date(c.Facts.NotAfter) ? 'EXPIRED' : 'ISSUED';
}

function domainValidation(c: CertificateRecord, account: string): DomainValidation[] | undefined {
  const r = c.Request;
  if (!r) return undefined;
  return c.SubjectAlternativeNames.map((domain) => {
    const validationDomain = r.ValidationDomains[domain] ?? domain.replace(/^\*\./, '');
    const base = { DomainName: domain, ValidationDomain: validationDomain, ValidationStatus: r.Status === 'FAILED' ? 'FAILED' : 'PENDING_VALIDATION', ValidationMethod: r.ValidationMethod } as const;
    if (r.ValidationMethod === 'EMAIL') return { ...base, ValidationEmails: ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((u) => `${u}@${validationDomain}`) };
    const { name, value } = validationRecord(account, domain);
    if (r.ValidationMethod === 'HTTP') {
      return { ...base, HttpRedirect: { RedirectFrom: `http://${domain.replace(/^\*\./, '')}/.well-known/pki-validation/${name.slice(1)}.txt`, RedirectTo: `https://validation.${c.Region}.acm-validations.aws/${account}/.well-known/pki-validation/${name.slice(1)}.txt` } };
    }
    return { ...base, ResourceRecord: { Name: `${name}.${domain.replace(/^\*\./, '')}.`, Type: 'CNAME', Value: `${value}.acm-validations.aws.` } };
  });
}

/**
 * The DNS validation CNAME: `_<32 hex>.<domain>.` → `_<32 hex>.acm-validations.aws.`. ACM
 * gives the same record for the same domain in the same account (so one record validates
 * every certificate for it); Gatehouse derives both labels from the account and domain.
 */
export function validationRecord(account: string, domain: string): { name: string; value: string } {
  const base = domain.replace(/^\*\./, '').toLowerCase();
  const hex = (label: string): string => createHash('sha256').update(`${label}\u0000${account}\u0000${base}`).digest('hex').slice(0, 32);
  return { name: `_${hex('name')}`, value: `_${hex('value')}` };
}

/** DescribeCertificate's view of a certificate. */
export function certificateDetail(c: CertificateRecord, inUseBy: readonly string[], account: string, now: Date): CertificateDetail {
  const f = c.Facts;
  const r = c.Request;
  return {
    CertificateArn: c.CertificateArn,
    DomainName: c.DomainName,
    SubjectAlternativeNames: [...c.SubjectAlternativeNames],
    ...(r ? { DomainValidationOptions: domainValidation(c, account) } : {}),
    ...(f ? { Serial: f.Serial, Subject: f.Subject, Issuer: f.Issuer } : { Subject: `CN=${c.DomainName}` }),
    ...(c.CreatedAt ? { CreatedAt: toDate(c.CreatedAt) } : {}),
    ...(c.ImportedAt ? { ImportedAt: toDate(c.ImportedAt) } : {}),
    Status: statusOf(c, now),
    ...(f ? { NotBefore: toDate(f.NotBefore), NotAfter: toDate(f.NotAfter) } : {}),
    KeyAlgorithm: c.KeyAlgorithm,
    ...(f ? { SignatureAlgorithm: f.SignatureAlgorithm } : { SignatureAlgorithm: c.KeyAlgorithm.startsWith('EC_') ? 'SHA256WITHECDSA' : 'SHA256WITHRSA' }),
    InUseBy: [...inUseBy],
    ...(r?.FailureReason ? { FailureReason: r.FailureReason as CertificateDetail['FailureReason'] } : {}),
    Type: c.Type,
    KeyUsages: (f?.KeyUsages ?? []).map((n) => ({ Name: n as 'DIGITAL_SIGNATURE' })),
    ExtendedKeyUsages: (f?.ExtendedKeyUsages ?? []).map((e) => ({ Name: e.Name as 'ANY', OID: e.OID })),
    ...(r?.CertificateAuthorityArn ? { CertificateAuthorityArn: r.CertificateAuthorityArn } : {}),
    RenewalEligibility: 'INELIGIBLE',
    ...(r ? { Options: { CertificateTransparencyLoggingPreference: r.CertificateTransparencyLoggingPreference, Export: r.Export } } : {}),
  };
}

/** ListCertificates' view: at most 100 names, with a flag for the rest. */
export function certificateSummary(c: CertificateRecord, inUse: boolean, now: Date): CertificateSummary {
  const f = c.Facts;
  return {
    CertificateArn: c.CertificateArn,
    DomainName: c.DomainName,
    SubjectAlternativeNameSummaries: c.SubjectAlternativeNames.slice(0, 100),
    HasAdditionalSubjectAlternativeNames: c.SubjectAlternativeNames.length > 100,
    Status: statusOf(c, now),
    Type: c.Type,
    KeyAlgorithm: c.KeyAlgorithm,
    KeyUsages: [...(f?.KeyUsages ?? [])] as CertificateSummary['KeyUsages'],
    ExtendedKeyUsages: (f?.ExtendedKeyUsages ?? []).map((e) => e.Name) as CertificateSummary['ExtendedKeyUsages'],
    ExportOption: c.Request?.Export ?? 'DISABLED',
    InUse: inUse,
    Exported: false,
    RenewalEligibility: 'INELIGIBLE',
    ...(f ? { NotBefore: toDate(f.NotBefore), NotAfter: toDate(f.NotAfter) } : {}),
    ...(c.CreatedAt ? { CreatedAt: toDate(c.CreatedAt) } : {}),
    ...(c.ImportedAt ? { ImportedAt: toDate(c.ImportedAt) } : {}),
  };
}
