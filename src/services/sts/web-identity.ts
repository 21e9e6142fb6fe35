/**
 * sts:AssumeRoleWithWebIdentity (unsigned): an OpenID Connect ID token (a JWT) becomes a
 * role session. The token's issuer must be an IAM OIDC provider of the role's account
 * (or one of the providers AWS knows without one: Google, Amazon Cognito), its audience
 * one of the provider's client ids, and it must not have expired; then the role's trust
 * policy decides, with the token's claims as `<issuer>:aud`, `<issuer>:sub`... keys.
 *
 * Gatehouse's limits: the token's signature is not checked (AWS fetches the issuer's
 * keys over the internet; IAM's provider records hold none), and OAuth 2.0 access tokens
 * (Facebook, Login with Amazon via ProviderId) cannot be verified, so they are refused.
 */
import type { AssumeRoleWithWebIdentityCommandInput, AssumeRoleWithWebIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { ContextInput } from '../../policy/index.js';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceContext } from '../types.js';
import { expiredTokenException, findRole, invalidIdentityToken, parseRoleArn, sessionTags, validationError, type InputTag, type Out } from './common.js';
import { assumeFederated } from './federated.js';
import { findOidcProvider, providerHost } from './providers.js';

export interface Jwt {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

const NOT_A_JWT = 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)';

export function parseJwt(token: string): Jwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalidIdentityToken(NOT_A_JWT);
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) throw new Error('not an object');
    return { header, payload };
  } catch {
    throw invalidIdentityToken(NOT_A_JWT);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Providers AWS accepts without an IAM OIDC provider; trust policies name them bare. */
const WELL_KNOWN = new Set(['accounts.google.com', 'cognito-identity.amazonaws.com']);

/** Session tags a token carries (`https://aws.amazon.com/tags`). */
function tokenTags(payload: Record<string, unknown>): { tags: InputTag[]; transitive: string[] } {
  const claim = payload['https://aws.amazon.com/tags'];
  if (!isObject(claim)) return { tags: [], transitive: [] };
  const principalTags = isObject(claim.principal_tags) ? claim.principal_tags : {};
  const tags = Object.entries(principalTags).map(([Key, v]) => ({ Key, Value: strings(v)[0] ?? '' }));
  return { tags, transitive: strings(claim.transitive_tag_keys) };
}

export function webIdentityHandlers(credentials: Credentials): Record<string, Handler> {
  return {
    async AssumeRoleWithWebIdentity(input: AssumeRoleWithWebIdentityCommandInput, ctx: ServiceContext): Promise<Out<AssumeRoleWithWebIdentityCommandOutput>> {
      const roleArn = input.RoleArn!;
      const parsedArn = parseRoleArn(roleArn);
      if (!parsedArn) throw validationError('Request ARN is invalid');
      const { header, payload } = parseJwt(input.WebIdentityToken!);
      if (str(header.alg) === undefined || str(header.alg)!.toLowerCase() === 'none') throw invalidIdentityToken('The ID Token provided is not signed.');

      // The issuer: an IAM OIDC provider of the role's account, or a provider AWS knows.
      const issuer = str(payload.iss);
      if (!issuer) throw invalidIdentityToken(NOT_A_JWT);
      const found = await findOidcProvider(ctx.tx, parsedArn.account, issuer);
      const host = providerHost(issuer);
      if (!found && !WELL_KNOWN.has(host)) throw invalidIdentityToken(`No OpenIDConnect provider found in your account for ${issuer}`);
      const provider = found?.arn ?? host;

      // The audience: one of the provider's client ids (azp, when present, is the client).
      const audiences = strings(payload.aud);
      const azp = str(payload.azp);
      let audience = azp ?? audiences[0];
      if (found) {
        const clients = found.provider.ClientIDList ?? [];
        audience = [azp, ...audiences].find((a) => a !== undefined && clients.includes(a));
        if (audience === undefined) throw invalidIdentityToken('Incorrect token audience');
      }
      if (audience === undefined) throw invalidIdentityToken('Incorrect token audience');

      const exp = payload.exp;
      if (typeof exp !== 'number') throw invalidIdentityToken('The ID Token provided has no expiration time (exp).');
      const now = Math.floor(ctx.now.getTime() / 1000);
      if (now >= exp) throw expiredTokenException(`Token expired: current date/time ${now} must be before the expiration date/time${exp}`);
      const subject = str(payload.sub);
      if (!subject) throw invalidIdentityToken('The ID Token provided has no subject (sub).');

      // Condition keys: `<provider>:aud` is azp when present (then `:oaud` is aud).
      const claims: Record<string, ContextInput[string]> = {
        [`${host}:aud`]: audience,
        [`${host}:sub`]: subject,
      };
      if (azp !== undefined && audiences.length) claims[`${host}:oaud`] = audiences.length === 1 ? audiences[0]! : audiences;
      const amr = strings(payload.amr);
      if (amr.length) claims[`${host}:amr`] = amr;
      const email = str(payload.email);
      if (email !== undefined) claims[`${host}:email`] = email;

      const fromToken = tokenTags(payload);
      const tags = sessionTags(fromToken.tags, fromToken.transitive);
      const sourceIdentity = str(payload['https://aws.amazon.com/source_identity']);
      const role = await findRole(ctx.tx, roleArn);
      const session = await assumeFederated(ctx, credentials, {
        action: 'sts:AssumeRoleWithWebIdentity',
        role,
        roleArn,
        provider,
        sessionName: input.RoleSessionName!,
        claims,
        tags,
        ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
        durationSeconds: input.DurationSeconds,
        policy: input.Policy,
        policyArns: input.PolicyArns,
      });
      return {
        Credentials: session.credentials,
        SubjectFromWebIdentityToken: subject,
        AssumedRoleUser: { AssumedRoleId: session.caller.userId, Arn: session.caller.arn },
        ...(session.packed !== undefined ? { PackedPolicySize: session.packed } : {}),
        Provider: provider,
        Audience: audience,
        ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
      };
    },
  };
}
