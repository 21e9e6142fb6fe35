/**
 * Certificates: ImportCertificate (real X.509 parsing), RequestCertificate (validation
 * records, no issuance), DescribeCertificate, GetCertificate, ListCertificates,
 * DeleteCertificate. The first import or request in a region makes sure the account's
 * `aws/acm` KMS key exists, as ACM does.
 */
import { randomUUID } from 'node:crypto';
import type {
  CertificateSummary,
  DeleteCertificateCommandInput,
  DescribeCertificateCommandInput,
  DescribeCertificateCommandOutput,
  GetCertificateCommandInput,
  GetCertificateCommandOutput,
  ImportCertificateCommandInput,
  ImportCertificateCommandOutput,
  ListCertificatesCommandInput,
  ListCertificatesCommandOutput,
  RequestCertificateCommandInput,
  RequestCertificateCommandOutput,
} from '@aws-sdk/client-acm';
import type { SecretBox } from '../../auth/secrets.js';
import { AwsError } from '../../models/errors.js';
import { ensureAwsManagedKey } from '../kms/index.js';
import type { Handler, ServiceContext } from '../types.js';
import { certificateUsers } from './in-use.js';
import {
  KIND,
  certificateArn,
  certificateAuthorization,
  certificateDetail,
  certificateSummary,
  findCertificate,
  notFound,
  parseCertificateArn,
  statusOf,
  type CertificateRecord,
} from './records.js';
import { checkTags, storedTags, tagContext } from './tags.js';
import { certificateFacts, checkPrivateKey, parseCertificate, parseChain } from './x509.js';

type Out<T> = Omit<T, '$metadata'>;

/**
 * ACM encrypts every private key with the account's `aws/acm` key, which it creates on
 * first use. This mirrors that internal step of ACM's (not a KMS call authorized against
 * the caller); the key itself is sealed with the server's secret box.
 */
async function ensureAcmKey(ctx: ServiceContext): Promise<void> {
  await ensureAwsManagedKey(ctx.tx, ctx.caller.account, ctx.region, 'aws/acm', ctx.now);
}

/** Public certificates ACM issues use these algorithms (User Guide, "Key algorithms"). */
const PUBLIC_KEY_ALGORITHMS: readonly string[] = ['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'];

/** ListCertificates without a keyTypes filter shows RSA_1024 and RSA_2048 certificates only (API Reference, Filters). */
const DEFAULT_KEY_TYPES: readonly string[] = ['RSA_1024', 'RSA_2048'];

const IDEMPOTENCY_MS = 60 * 60 * 1000;

/** ListCertificates paging: an opaque NextToken holding the position. */
function page<T>(items: readonly T[], input: { NextToken?: string; MaxItems?: number }): { items: T[]; NextToken?: string } {
  let start = 0;
  if (input.NextToken) {
    const raw = Buffer.from(input.NextToken, 'base64url').toString('utf8');
    start = raw.startsWith('p:') ? Number(raw.slice(2)) : NaN;
    if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidArgsException', 'The NextToken is not valid.');
  }
  const max = input.MaxItems ?? 1000;
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { items: slice, NextToken: Buffer.from(`p:${start + max}`).toString('base64url') } : { items: slice };
}

export function certificateHandlers(box: SecretBox): Record<string, Handler> {
  return {
    async ImportCertificate(input: ImportCertificateCommandInput, ctx: ServiceContext): Promise<Out<ImportCertificateCommandOutput>> {
      const account = ctx.caller.account;
      const tags = storedTags(input.Tags);
      const reimport = input.CertificateArn;
      const existing = reimport ? await findCertificate(ctx, reimport) : undefined;
      // A new certificate has no ARN yet: ACM authorizes the account's certificates.
      const resource = reimport ?? certificateArn(ctx.region, account, '*');
      await ctx.authorize('acm:ImportCertificate', resource, reimport ? certificateAuthorization(reimport, existing, tagContext(tags)) : { context: tagContext(tags) });
      if (reimport && !existing) throw notFound(reimport);
      if (existing && existing.Type !== 'IMPORTED') throw new AwsError('ValidationException', `Certificate ${reimport!} is not an imported certificate and cannot be reimported.`);
      // API Reference, ImportCertificate Tags: "You cannot apply tags when reimporting a certificate."
      if (reimport && tags.length) throw new AwsError('InvalidParameterException', 'You cannot apply tags when reimporting a certificate.');
      const id = reimport ? parseCertificateArn(reimport).id : randomUUID();
      const arn = certificateArn(ctx.region, account, id);
      if (tags.length) {
        checkTags(tags);
        await ctx.authorize('acm:AddTagsToCertificate', arn, { context: tagContext(tags) });
      }
      const { pem, x509 } = parseCertificate(input.Certificate!);
      const facts = certificateFacts(x509, ctx.now);
      const privateKey = checkPrivateKey(input.PrivateKey!, x509);
      const chain = input.CertificateChain ? parseChain(input.CertificateChain) : undefined;
      await ensureAcmKey(ctx);
      const record: CertificateRecord = {
        CertificateArn: arn,
        Region: ctx.region,
        Type: 'IMPORTED',
        DomainName: facts.DomainName,
        SubjectAlternativeNames: facts.SubjectAlternativeNames,
        KeyAlgorithm: facts.KeyAlgorithm,
        ImportedAt: ctx.now.toISOString(),
        Facts: facts,
        CertificatePem: pem,
        ...(chain ? { ChainPem: chain } : {}),
        PrivateKeySealed: box.seal(privateKey),
        Tags: existing?.Tags ?? tags,
      };
      if (existing) await ctx.tx.update(account, KIND.certificate, id, record);
      else await ctx.tx.insert(account, KIND.certificate, id, record);
      ctx.recordResource('AWS::ACM::Certificate', arn);
      return { CertificateArn: arn };
    },

    async RequestCertificate(input: RequestCertificateCommandInput, ctx: ServiceContext): Promise<Out<RequestCertificateCommandOutput>> {
      const account = ctx.caller.account;
      const domains = [...new Set([input.DomainName!, ...(input.SubjectAlternativeNames ?? [])])];
      const keyAlgorithm = input.KeyAlgorithm ?? 'RSA_2048';
      const validation = input.ValidationMethod ?? 'EMAIL';
      const transparency = input.Options?.CertificateTransparencyLoggingPreference ?? 'ENABLED';
      const exportOption = input.Options?.Export ?? 'DISABLED';
      const tags = storedTags(input.Tags);
      await ctx.authorize('acm:RequestCertificate', '*', {
        context: {
          'acm:DomainNames': domains,
          'acm:KeyAlgorithm': keyAlgorithm,
          'acm:ValidationMethod': validation,
          'acm:CertificateTransparencyLogging': transparency,
          'acm:Export': exportOption,
          ...(input.CertificateAuthorityArn ? { 'acm:CertificateAuthority': input.CertificateAuthorityArn } : {}),
          ...tagContext(tags),
        },
      });
      if (!input.CertificateAuthorityArn && !PUBLIC_KEY_ALGORITHMS.includes(keyAlgorithm)) {
        throw new AwsError('ValidationException', `The key algorithm ${keyAlgorithm} is not supported for public certificates. Supported: ${PUBLIC_KEY_ALGORITHMS.join(', ')}.`);
      }
      const validationDomains: Record<string, string> = {};
      for (const o of input.DomainValidationOptions ?? []) {
        if (!domains.includes(o.DomainName!)) {
          throw new AwsError('InvalidDomainValidationOptionsException', `DomainValidationOptions contains a domain name (${o.DomainName!}) that is not in the certificate request.`);
        }
        validationDomains[o.DomainName!] = o.ValidationDomain!;
      }
      if (input.IdempotencyToken) {
        const seen = await ctx.tx.get<{ arn: string; at: string }>(account, KIND.idempotency, `${ctx.region}:${input.IdempotencyToken}`);
        if (seen && ctx.now.getTime() - new Date(seen.at).getTime() < IDEMPOTENCY_MS && (await findCertificate(ctx, seen.arn))) return { CertificateArn: seen.arn };
      }
      const id = randomUUID();
      const arn = certificateArn(ctx.region, account, id);
      if (tags.length) {
        checkTags(tags);
        await ctx.authorize('acm:AddTagsToCertificate', arn, { context: tagContext(tags) });
      }
      await ensureAcmKey(ctx);
      const record: CertificateRecord = {
        CertificateArn: arn,
        Region: ctx.region,
        Type: input.CertificateAuthorityArn ? 'PRIVATE' : 'AMAZON_ISSUED',
        DomainName: input.DomainName!,
        SubjectAlternativeNames: domains,
        KeyAlgorithm: keyAlgorithm,
        CreatedAt: ctx.now.toISOString(),
        Request: {
          ValidationMethod: validation,
          ValidationDomains: validationDomains,
          CertificateTransparencyLoggingPreference: transparency,
          Export: exportOption,
          // Gatehouse has no private CAs: a private certificate request fails as it does in
          // AWS when the CA cannot be used (FailureReason PCA_INVALID_ARN).
          ...(input.CertificateAuthorityArn ? { CertificateAuthorityArn: input.CertificateAuthorityArn, Status: 'FAILED' as const, FailureReason: 'PCA_INVALID_ARN' } : { Status: 'PENDING_VALIDATION' as const }),
        },
        Tags: tags,
      };
      await ctx.tx.insert(account, KIND.certificate, id, record);
      if (input.IdempotencyToken) {
        const key = `${ctx.region}:${input.IdempotencyToken}`;
        const value = { arn, at: ctx.now.toISOString() };
        if (await ctx.tx.get(account, KIND.idempotency, key)) await ctx.tx.update(account, KIND.idempotency, key, value);
        else await ctx.tx.insert(account, KIND.idempotency, key, value);
      }
      ctx.recordResource('AWS::ACM::Certificate', arn);
      return { CertificateArn: arn };
    },

    async DescribeCertificate(input: DescribeCertificateCommandInput, ctx: ServiceContext): Promise<Out<DescribeCertificateCommandOutput>> {
      const arn = input.CertificateArn!;
      const cert = await findCertificate(ctx, arn);
      await ctx.authorize('acm:DescribeCertificate', arn, certificateAuthorization(arn, cert));
      if (!cert) throw notFound(arn);
      const users = await certificateUsers(ctx.tx, ctx.caller.account, ctx.region, arn);
      return { Certificate: certificateDetail(cert, users, ctx.caller.account, ctx.now) };
    },

    async GetCertificate(input: GetCertificateCommandInput, ctx: ServiceContext): Promise<Out<GetCertificateCommandOutput>> {
      const arn = input.CertificateArn!;
      const cert = await findCertificate(ctx, arn);
      await ctx.authorize('acm:GetCertificate', arn, certificateAuthorization(arn, cert));
      if (!cert) throw notFound(arn);
      // Requested certificates are never issued in Gatehouse; the wording is the API Reference's for this exception.
      if (!cert.CertificatePem) throw new AwsError('RequestInProgressException', 'The certificate request is in process and the certificate in your account has not yet been issued.');
      return { Certificate: cert.CertificatePem, ...(cert.ChainPem ? { CertificateChain: cert.ChainPem } : {}) };
    },

    async ListCertificates(input: ListCertificatesCommandInput, ctx: ServiceContext): Promise<Out<ListCertificatesCommandOutput>> {
      await ctx.authorize('acm:ListCertificates', '*');
      const f = input.Includes ?? {};
      const keyTypes: readonly string[] = f.keyTypes?.length ? f.keyTypes : DEFAULT_KEY_TYPES;
      const statuses = input.CertificateStatuses ?? [];
      let certs = (await ctx.tx.list<CertificateRecord>(ctx.caller.account, KIND.certificate)).filter(
        (c) =>
          c.Region === ctx.region &&
          keyTypes.includes(c.KeyAlgorithm) &&
          (statuses.length === 0 || statuses.includes(statusOf(c, ctx.now))) &&
          (!f.keyUsage?.length || f.keyUsage.some((u) => u === 'ANY' || (c.Facts?.KeyUsages ?? []).includes(u))) &&
          (!f.extendedKeyUsage?.length ||
            f.extendedKeyUsage.some((u) => u === 'ANY' || (u === 'NONE' ? !c.Facts?.ExtendedKeyUsages.length : (c.Facts?.ExtendedKeyUsages ?? []).some((e) => e.Name === u)))) &&
          (!f.exportOption || (c.Request?.Export ?? 'DISABLED') === f.exportOption),
      );
      if (input.SortBy === 'CREATED_AT') {
        const at = (c: CertificateRecord): string => c.CreatedAt ?? c.ImportedAt ?? '';
        certs = [...certs].sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
        if (input.SortOrder === 'DESCENDING') certs.reverse();
      }
      const p = page(certs, input);
      const list: CertificateSummary[] = [];
      for (const c of p.items) list.push(certificateSummary(c, (await certificateUsers(ctx.tx, ctx.caller.account, ctx.region, c.CertificateArn)).length > 0, ctx.now));
      return { CertificateSummaryList: list, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
    },

    async DeleteCertificate(input: DeleteCertificateCommandInput, ctx: ServiceContext): Promise<void> {
      const arn = input.CertificateArn!;
      const cert = await findCertificate(ctx, arn);
      await ctx.authorize('acm:DeleteCertificate', arn, certificateAuthorization(arn, cert));
      if (!cert) throw notFound(arn);
      const users = await certificateUsers(ctx.tx, ctx.caller.account, ctx.region, arn);
      // ACM's wording, as real DeleteCertificate responses show it.
      if (users.length > 0) throw new AwsError('ResourceInUseException', `Certificate ${arn} in account ${ctx.caller.account} is in use.`);
      await ctx.tx.delete(ctx.caller.account, KIND.certificate, parseCertificateArn(arn).id);
      ctx.recordResource('AWS::ACM::Certificate', arn);
    },
  };
}

