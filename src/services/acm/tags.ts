/**
 * Certificate tags: AddTagsToCertificate, RemoveTagsFromCertificate, ListTagsForCertificate,
 * and the checks ImportCertificate and RequestCertificate share. ACM tag values are
 * optional; removing a tag with a value removes it only when the value matches (API
 * Reference, RemoveTagsFromCertificate).
 */
import type {
  AddTagsToCertificateCommandInput,
  ListTagsForCertificateCommandInput,
  ListTagsForCertificateCommandOutput,
  RemoveTagsFromCertificateCommandInput,
} from '@aws-sdk/client-acm';
import { AwsError } from '../../models/errors.js';
import type { Handler, ServiceContext } from '../types.js';
import { KIND, certificateAuthorization, findCertificate, notFound, parseCertificateArn, type AcmTag } from './records.js';

type Out<T> = Omit<T, '$metadata'>;
type InputTag = { readonly Key?: string; readonly Value?: string };

const TAG_QUOTA = 50;

export const storedTags = (tags: readonly InputTag[] | undefined): AcmTag[] => (tags ?? []).map((t) => ({ Key: t.Key ?? '', ...(t.Value !== undefined ? { Value: t.Value } : {}) }));

/**
 * Tag keys in the `aws:` namespace are AWS's (InvalidTagException); a certificate holds at
 * most 50 tags (TooManyTagsException). The wording is Gatehouse's: the API Reference
 * describes both exceptions but not their messages.
 */
export function checkTags(tags: readonly AcmTag[]): void {
  const reserved = tags.find((t) => t.Key.toLowerCase().startsWith('aws:'));
  if (reserved) throw new AwsError('InvalidTagException', `Tag key ${reserved.Key} is not valid: tag keys beginning with aws: are reserved for use by AWS.`);
  if (tags.length > TAG_QUOTA) throw new AwsError('TooManyTagsException', `A certificate can have at most ${TAG_QUOTA} tags.`);
}

/** Add or replace tags by key. */
export function mergeTags(existing: readonly AcmTag[], added: readonly AcmTag[]): AcmTag[] {
  const out = [...existing.filter((t) => !added.some((a) => a.Key === t.Key)), ...added];
  checkTags(out);
  return out;
}

/** `aws:RequestTag/*` and `aws:TagKeys`. */
export function tagContext(tags: readonly AcmTag[]): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  const out: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  return out;
}

export const tagHandlers: Record<string, Handler> = {
  async AddTagsToCertificate(input: AddTagsToCertificateCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = input.CertificateArn!;
    const cert = await findCertificate(ctx, arn);
    const tags = storedTags(input.Tags);
    await ctx.authorize('acm:AddTagsToCertificate', arn, certificateAuthorization(arn, cert, tagContext(tags)));
    if (!cert) throw notFound(arn);
    checkTags(tags);
    const merged = mergeTags(cert.Tags, tags);
    await ctx.tx.update(ctx.caller.account, KIND.certificate, parseCertificateArn(arn).id, { ...cert, Tags: merged });
    ctx.recordResource('AWS::ACM::Certificate', arn);
  },

  async RemoveTagsFromCertificate(input: RemoveTagsFromCertificateCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = input.CertificateArn!;
    const cert = await findCertificate(ctx, arn);
    const tags = storedTags(input.Tags);
    await ctx.authorize('acm:RemoveTagsFromCertificate', arn, certificateAuthorization(arn, cert, tagContext(tags)));
    if (!cert) throw notFound(arn);
    const kept = cert.Tags.filter((t) => !tags.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === (t.Value ?? ''))));
    await ctx.tx.update(ctx.caller.account, KIND.certificate, parseCertificateArn(arn).id, { ...cert, Tags: kept });
    ctx.recordResource('AWS::ACM::Certificate', arn);
  },

  async ListTagsForCertificate(input: ListTagsForCertificateCommandInput, ctx: ServiceContext): Promise<Out<ListTagsForCertificateCommandOutput>> {
    const arn = input.CertificateArn!;
    const cert = await findCertificate(ctx, arn);
    await ctx.authorize('acm:ListTagsForCertificate', arn, certificateAuthorization(arn, cert));
    if (!cert) throw notFound(arn);
    return { Tags: cert.Tags.map((t) => ({ ...t })) };
  },
};
