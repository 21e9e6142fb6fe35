/**
 * IAM identity providers: SAML 2.0 providers (from their metadata document) and OpenID
 * Connect providers (from their issuer URL). STS's AssumeRoleWithSAML/WithWebIdentity
 * read these records: `KIND.samlProvider` and `KIND.oidcProvider`, keyed by ARN.
 */
import type {
  AddClientIDToOpenIDConnectProviderCommandInput,
  CreateOpenIDConnectProviderCommandInput,
  CreateOpenIDConnectProviderCommandOutput,
  CreateSAMLProviderCommandInput,
  CreateSAMLProviderCommandOutput,
  DeleteOpenIDConnectProviderCommandInput,
  DeleteSAMLProviderCommandInput,
  GetOpenIDConnectProviderCommandInput,
  GetOpenIDConnectProviderCommandOutput,
  GetSAMLProviderCommandInput,
  GetSAMLProviderCommandOutput,
  ListOpenIDConnectProvidersCommandOutput,
  ListSAMLProvidersCommandOutput,
  RemoveClientIDFromOpenIDConnectProviderCommandInput,
  UpdateOpenIDConnectProviderThumbprintCommandInput,
  UpdateSAMLProviderCommandInput,
  UpdateSAMLProviderCommandOutput,
} from '@aws-sdk/client-iam';
import { awsId } from '../../auth/credentials.js';
import { AwsError } from '../../models/errors.js';
import { KIND, entityAlreadyExists, insertNamed, invalidInput, limitExceeded, noSuchEntity, toDate, type Tag } from './records.js';
import { checkTags, tagContext } from './tags.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export interface SamlProviderRecord {
  readonly Name: string;
  readonly Arn: string;
  readonly SAMLMetadataDocument: string;
  readonly SAMLProviderUUID: string;
  readonly CreateDate: string;
  readonly ValidUntil: string;
  readonly AssertionEncryptionMode: string;
  readonly Tags: readonly Tag[];
}

export interface OidcProviderRecord {
  /** The issuer without its scheme (`token.actions.githubusercontent.com`), as IAM returns it. */
  readonly Url: string;
  readonly Arn: string;
  readonly ClientIDList: readonly string[];
  readonly ThumbprintList: readonly string[];
  readonly CreateDate: string;
  readonly Tags: readonly Tag[];
}

const SAML_QUOTA = 100;
const OIDC_QUOTA = 100;
const CLIENT_IDS = 100;
const THUMBPRINTS = 5;

const tagsOf = (tags: readonly { Key?: string; Value?: string }[] | undefined): Tag[] => tags?.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })) ?? [];

// ---- SAML metadata ----

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;

/**
 * The metadata must be a well-formed XML document naming an EntityDescriptor (IAM:
 * "Could not parse metadata" otherwise). Returns the descriptor's validUntil, if any.
 */
export function parseSamlMetadata(doc: string): { validUntil?: string } {
  const fail = (): AwsError => invalidInput('Could not parse metadata');
  const text = doc.replace(/^\uFEFF/, '').trim();
  const stack: string[] = [];
  let roots = 0;
  let descriptor: string | undefined;
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const between = text.slice(last, m.index);
    if (between.includes('<') || (stack.length === 0 && between.trim())) throw fail();
    last = m.index + m[0].length;
    const name = m[2];
    if (!name) continue;
    const local = name.slice(name.indexOf(':') + 1);
    if (m[1]) {
      if (stack.pop() !== name) throw fail();
      continue;
    }
    if (stack.length === 0) roots++;
    if (local === 'EntityDescriptor' && descriptor === undefined) descriptor = m[3] ?? '';
    if (!m[4]) stack.push(name);
  }
  if (text.slice(last).trim() || stack.length > 0 || roots !== 1 || descriptor === undefined) throw fail();
  const validUntil = /\svalidUntil\s*=\s*["']([^"']+)["']/.exec(descriptor)?.[1];
  if (validUntil !== undefined && Number.isNaN(Date.parse(validUntil))) throw fail();
  return validUntil ? { validUntil: new Date(validUntil).toISOString() } : {};
}

function providerArn(account: string, type: 'saml-provider' | 'oidc-provider', name: string): string {
  return `arn:aws:iam::${account}:${type}/${name}`;
}

async function samlByArn(ctx: ServiceContext, providerArn: string): Promise<SamlProviderRecord> {
  const p = await ctx.tx.get<SamlProviderRecord>(ctx.caller.account, KIND.samlProvider, providerArn);
  if (!p) throw noSuchEntity(`Manifest not found for arn ${providerArn}`);
  return p;
}

// ---- OpenID Connect ----

/** `https://host/path` → `host/path` (IAM's form); anything else is refused as IAM does. */
function oidcUrl(url: string): string {
  const invalid = (): AwsError => new AwsError('ValidationError', 'Invalid Open ID Connect Provider URL', { status: 400 });
  if (!/^https:\/\//i.test(url)) throw invalid();
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid();
  }
  if (!u.hostname || u.search || u.hash || u.username || u.password) throw invalid();
  // As given (URL would lower-case the host): the ARN and STS's issuer match use this form.
  return url.replace(/^https:\/\//i, '').replace(/\/+$/, '');
}

async function oidcByArn(ctx: ServiceContext, providerArn: string): Promise<OidcProviderRecord> {
  const p = await ctx.tx.get<OidcProviderRecord>(ctx.caller.account, KIND.oidcProvider, providerArn);
  if (!p) throw noSuchEntity(`OpenIDConnect Provider not found for arn ${providerArn}`);
  return p;
}

function checkThumbprints(list: readonly string[] | undefined): void {
  if ((list?.length ?? 0) > THUMBPRINTS) throw invalidInput(`Thumbprint list must contain fewer than ${THUMBPRINTS} entries.`);
}

function checkClientIds(list: readonly string[]): void {
  if (list.length > CLIENT_IDS) throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${CLIENT_IDS}`);
}

export const samlHandlers: Record<string, Handler> = {
  async CreateSAMLProvider(input: CreateSAMLProviderCommandInput, ctx: ServiceContext): Promise<Out<CreateSAMLProviderCommandOutput>> {
    const account = ctx.caller.account;
    const samlArn = providerArn(account, 'saml-provider', input.Name!);
    await ctx.authorize('iam:CreateSAMLProvider', samlArn, { context: tagContext(input.Tags) });
    if (input.Tags?.length) await ctx.authorize('iam:TagSAMLProvider', samlArn, { context: tagContext(input.Tags) });
    checkTags(input.Tags);
    if (input.AddPrivateKey !== undefined) throw invalidInput('Gatehouse does not support SAML assertion decryption keys (AddPrivateKey).');
    const { validUntil } = parseSamlMetadata(input.SAMLMetadataDocument!);
    if ((await ctx.tx.count(account, KIND.samlProvider)) >= SAML_QUOTA) throw limitExceeded(`Cannot exceed quota for SAMLProvidersPerAccount: ${SAML_QUOTA}`);
    const created = ctx.now;
    const record: SamlProviderRecord = {
      Name: input.Name!,
      Arn: samlArn,
      SAMLMetadataDocument: input.SAMLMetadataDocument!,
      SAMLProviderUUID: awsId('', 26),
      CreateDate: created.toISOString(),
      // Without a validUntil in the metadata, IAM's provider stays valid for 100 years.
      ValidUntil: validUntil ?? new Date(Date.UTC(created.getUTCFullYear() + 100, created.getUTCMonth(), created.getUTCDate(), created.getUTCHours(), created.getUTCMinutes(), created.getUTCSeconds())).toISOString(),
      AssertionEncryptionMode: input.AssertionEncryptionMode ?? 'Allowed',
      Tags: tagsOf(input.Tags),
    };
    await insertNamed(ctx.tx, account, KIND.samlProvider, samlArn, record, record.Name, () => entityAlreadyExists(`SAMLProvider named ${input.Name!} already exists.`));
    ctx.recordResource('AWS::IAM::SAMLProvider', samlArn);
    return { SAMLProviderArn: samlArn, ...(record.Tags.length ? { Tags: [...record.Tags] } : {}) };
  },

  async GetSAMLProvider(input: GetSAMLProviderCommandInput, ctx: ServiceContext): Promise<Out<GetSAMLProviderCommandOutput>> {
    await ctx.authorize('iam:GetSAMLProvider', input.SAMLProviderArn!);
    const p = await samlByArn(ctx, input.SAMLProviderArn!);
    return {
      SAMLProviderUUID: p.SAMLProviderUUID,
      SAMLMetadataDocument: p.SAMLMetadataDocument,
      CreateDate: toDate(p.CreateDate)!,
      ValidUntil: toDate(p.ValidUntil)!,
      Tags: [...p.Tags],
      AssertionEncryptionMode: p.AssertionEncryptionMode as 'Allowed' | 'Required',
      PrivateKeyList: [],
    };
  },

  async ListSAMLProviders(_input: object, ctx: ServiceContext): Promise<Out<ListSAMLProvidersCommandOutput>> {
    await ctx.authorize('iam:ListSAMLProviders', '*');
    const list = await ctx.tx.list<SamlProviderRecord>(ctx.caller.account, KIND.samlProvider);
    return { SAMLProviderList: list.map((p) => ({ Arn: p.Arn, ValidUntil: toDate(p.ValidUntil)!, CreateDate: toDate(p.CreateDate)! })) };
  },

  async UpdateSAMLProvider(input: UpdateSAMLProviderCommandInput, ctx: ServiceContext): Promise<Out<UpdateSAMLProviderCommandOutput>> {
    const account = ctx.caller.account;
    await ctx.authorize('iam:UpdateSAMLProvider', input.SAMLProviderArn!);
    const p = await samlByArn(ctx, input.SAMLProviderArn!);
    if (input.AddPrivateKey !== undefined || input.RemovePrivateKey !== undefined) throw invalidInput('Gatehouse does not support SAML assertion decryption keys (AddPrivateKey, RemovePrivateKey).');
    let next: SamlProviderRecord = { ...p, ...(input.AssertionEncryptionMode ? { AssertionEncryptionMode: input.AssertionEncryptionMode } : {}) };
    if (input.SAMLMetadataDocument !== undefined) {
      const { validUntil } = parseSamlMetadata(input.SAMLMetadataDocument);
      next = { ...next, SAMLMetadataDocument: input.SAMLMetadataDocument, ...(validUntil ? { ValidUntil: validUntil } : {}) };
    }
    await ctx.tx.update(account, KIND.samlProvider, p.Arn, next);
    ctx.recordResource('AWS::IAM::SAMLProvider', p.Arn);
    return { SAMLProviderArn: p.Arn };
  },

  async DeleteSAMLProvider(input: DeleteSAMLProviderCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('iam:DeleteSAMLProvider', input.SAMLProviderArn!);
    const p = await samlByArn(ctx, input.SAMLProviderArn!);
    await ctx.tx.delete(ctx.caller.account, KIND.samlProvider, p.Arn);
    ctx.recordResource('AWS::IAM::SAMLProvider', p.Arn);
  },

  async CreateOpenIDConnectProvider(input: CreateOpenIDConnectProviderCommandInput, ctx: ServiceContext): Promise<Out<CreateOpenIDConnectProviderCommandOutput>> {
    const account = ctx.caller.account;
    const url = oidcUrl(input.Url!);
    const oidcArn = providerArn(account, 'oidc-provider', url);
    await ctx.authorize('iam:CreateOpenIDConnectProvider', oidcArn, { context: tagContext(input.Tags) });
    if (input.Tags?.length) await ctx.authorize('iam:TagOpenIDConnectProvider', oidcArn, { context: tagContext(input.Tags) });
    checkTags(input.Tags);
    checkThumbprints(input.ThumbprintList);
    const clientIds = [...new Set(input.ClientIDList ?? [])];
    checkClientIds(clientIds);
    if ((await ctx.tx.count(account, KIND.oidcProvider)) >= OIDC_QUOTA) throw limitExceeded(`Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${OIDC_QUOTA}`);
    const record: OidcProviderRecord = { Url: url, Arn: oidcArn, ClientIDList: clientIds, ThumbprintList: [...(input.ThumbprintList ?? [])], CreateDate: ctx.now.toISOString(), Tags: tagsOf(input.Tags) };
    await insertNamed(ctx.tx, account, KIND.oidcProvider, oidcArn, record, url, () => entityAlreadyExists(`Provider with url ${input.Url!} already exists.`));
    ctx.recordResource('AWS::IAM::OIDCProvider', oidcArn);
    return { OpenIDConnectProviderArn: oidcArn, ...(record.Tags.length ? { Tags: [...record.Tags] } : {}) };
  },

  async GetOpenIDConnectProvider(input: GetOpenIDConnectProviderCommandInput, ctx: ServiceContext): Promise<Out<GetOpenIDConnectProviderCommandOutput>> {
    await ctx.authorize('iam:GetOpenIDConnectProvider', input.OpenIDConnectProviderArn!);
    const p = await oidcByArn(ctx, input.OpenIDConnectProviderArn!);
    return { Url: p.Url, ClientIDList: [...p.ClientIDList], ThumbprintList: [...p.ThumbprintList], CreateDate: toDate(p.CreateDate)!, Tags: [...p.Tags] };
  },

  async ListOpenIDConnectProviders(_input: object, ctx: ServiceContext): Promise<Out<ListOpenIDConnectProvidersCommandOutput>> {
    await ctx.authorize('iam:ListOpenIDConnectProviders', '*');
    const list = await ctx.tx.list<OidcProviderRecord>(ctx.caller.account, KIND.oidcProvider);
    return { OpenIDConnectProviderList: list.map((p) => ({ Arn: p.Arn })) };
  },

  async DeleteOpenIDConnectProvider(input: DeleteOpenIDConnectProviderCommandInput, ctx: ServiceContext): Promise<void> {
    const providerArnIn = input.OpenIDConnectProviderArn!;
    await ctx.authorize('iam:DeleteOpenIDConnectProvider', providerArnIn);
    if (!(await ctx.tx.delete(ctx.caller.account, KIND.oidcProvider, providerArnIn))) throw noSuchEntity(`OpenId connect Provider ${providerArnIn} cannot be found.`);
    ctx.recordResource('AWS::IAM::OIDCProvider', providerArnIn);
  },

  async AddClientIDToOpenIDConnectProvider(input: AddClientIDToOpenIDConnectProviderCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('iam:AddClientIDToOpenIDConnectProvider', input.OpenIDConnectProviderArn!);
    const p = await oidcByArn(ctx, input.OpenIDConnectProviderArn!);
    if (p.ClientIDList.includes(input.ClientID!)) return;
    const ids = [...p.ClientIDList, input.ClientID!];
    checkClientIds(ids);
    await ctx.tx.update<OidcProviderRecord>(ctx.caller.account, KIND.oidcProvider, p.Arn, { ...p, ClientIDList: ids });
    ctx.recordResource('AWS::IAM::OIDCProvider', p.Arn);
  },

  async RemoveClientIDFromOpenIDConnectProvider(input: RemoveClientIDFromOpenIDConnectProviderCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('iam:RemoveClientIDFromOpenIDConnectProvider', input.OpenIDConnectProviderArn!);
    const p = await oidcByArn(ctx, input.OpenIDConnectProviderArn!);
    await ctx.tx.update<OidcProviderRecord>(ctx.caller.account, KIND.oidcProvider, p.Arn, { ...p, ClientIDList: p.ClientIDList.filter((c) => c !== input.ClientID) });
    ctx.recordResource('AWS::IAM::OIDCProvider', p.Arn);
  },

  async UpdateOpenIDConnectProviderThumbprint(input: UpdateOpenIDConnectProviderThumbprintCommandInput, ctx: ServiceContext): Promise<void> {
    await ctx.authorize('iam:UpdateOpenIDConnectProviderThumbprint', input.OpenIDConnectProviderArn!);
    const p = await oidcByArn(ctx, input.OpenIDConnectProviderArn!);
    checkThumbprints(input.ThumbprintList);
    await ctx.tx.update<OidcProviderRecord>(ctx.caller.account, KIND.oidcProvider, p.Arn, { ...p, ThumbprintList: [...(input.ThumbprintList ?? [])] });
    ctx.recordResource('AWS::IAM::OIDCProvider', p.Arn);
  },
};
