/**
 * What the STS operations share: AWS's errors, role lookup by ARN, durations, session
 * policies and tags (with the packed-size check), and issuing a session: temporary
 * credentials registered with the credential store, with a snapshot of the caller they
 * stand for, so that later requests signed with them really act as that session.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { AwsError, COMMON_ERRORS } from '../../models/errors.js';
import { parsePolicy, policySize } from '../../policy/index.js';
import { KIND, type RoleRecord } from '../iam/records.js';
import { managedDocument } from '../iam/managed.js';
import type { Caller } from '../../auth/caller.js';
import type { Credentials } from '../../auth/credentials.js';
import { newSecret } from '../../auth/credentials.js';
import type { Tx } from '../../store/index.js';

export type Out<T> = Omit<T, '$metadata'>;
/** Tags and policy descriptors as inputs carry them (the SDK's types make every member optional). */
export type InputTag = { readonly Key?: string; readonly Value?: string };
export type InputPolicyArn = { readonly arn?: string };

// ---------------------------------------------------------------------------------
// Errors, with the codes and statuses of the STS model.

export const validationError = (message: string): AwsError => new AwsError('ValidationError', message, { status: 400 });
export const malformedPolicy = (message: string): AwsError => new AwsError('MalformedPolicyDocument', message, { status: 400 });
export const packedPolicyTooLarge = (percent: number): AwsError =>
  new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`, { status: 400 });
export const invalidIdentityToken = (message: string): AwsError => new AwsError('InvalidIdentityToken', message, { status: 400 });
export const idpRejectedClaim = (message: string): AwsError => new AwsError('IDPRejectedClaim', message, { status: 403 });
/** For web identity tokens and SAML assertions (signed requests get `ExpiredToken`). */
export const expiredTokenException = (message: string): AwsError => new AwsError('ExpiredTokenException', message, { status: 400 });
/** For a region the account has not activated. Gatehouse keeps no per-account region state yet, so nothing raises it. */
export const regionDisabled = (account: string): AwsError =>
  new AwsError('RegionDisabledException', `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`, { status: 403 });
export const accessDenied = (message: string): AwsError => COMMON_ERRORS.accessDenied(message);

/** The "1 validation error detected" wording of awsQuery services, for checks the model cannot express. */
export function constraintError(value: string, member: string, constraint: string): AwsError {
  return validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

// ---------------------------------------------------------------------------------
// ARNs and roles.

/** `arn:aws:iam::<account>:role/<path><name>`: path `/` or `/.../`, name `[\w+=,.@-]{1,64}`. */
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/;

export function parseRoleArn(arn: string): { account: string; path: string; name: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { account: m[1]!, path: m[2]!, name: m[3]! } : undefined;
}

/** The role an ARN names, or undefined. The ARN must match exactly: name case and path included. */
export async function findRole(tx: Tx, arn: string): Promise<RoleRecord | undefined> {
  const p = parseRoleArn(arn);
  if (!p) return undefined;
  const role = await tx.getByName<RoleRecord>(p.account, KIND.role, p.name);
  return role && role.Arn === arn ? role : undefined;
}

/** Record the role's use (`RoleLastUsed` in GetRole), as AWS does for every session it issues. */
export async function touchRole(tx: Tx, account: string, role: RoleRecord, now: Date, region: string): Promise<void> {
  await tx.update<RoleRecord>(account, KIND.role, role.RoleId, { ...role, RoleLastUsed: { LastUsedDate: now.toISOString(), Region: region } });
}

export const sessionArn = (account: string, roleName: string, sessionName: string): string => `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;

// ---------------------------------------------------------------------------------
// Durations.

/**
 * A role session's duration: 900 s up to the role's MaxSessionDuration (default 3600 s);
 * at most one hour when a role session assumes a role (role chaining).
 */
export function roleSessionDuration(requested: number | undefined, role: RoleRecord, chained: boolean): number {
  const duration = requested ?? 3600;
  if (chained && duration > 3600) throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  if (duration > role.MaxSessionDuration) throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  return duration;
}

// ---------------------------------------------------------------------------------
// Session policies and tags.

/** The packed-size budget AWS compresses session policies, policy ARNs and tags into. */
const PACKED_LIMIT = 2048;
/** Plain-text session policies may hold 2,048 characters (white space excluded). */
const PLAINTEXT_LIMIT = 2048;

export interface SessionPolicies {
  /** The inline session policy's JSON, as passed. */
  readonly policy?: string;
  readonly policyArns: readonly string[];
}

/** Validate the inline session policy and the managed session policies (up to 10, in `account`). */
export async function checkSessionPolicies(tx: Tx, account: string, policy: string | undefined, arns: readonly InputPolicyArn[] | undefined): Promise<SessionPolicies> {
  if (policy !== undefined) {
    const parsed = parsePolicy(policy, 'session');
    if (!parsed.document) throw malformedPolicy(parsed.errors[0]?.message ?? 'Syntax errors in policy.');
  }
  const list = (arns ?? []).map((a) => a.arn ?? '');
  if (list.length > 10) throw constraintError(`[${list.join(', ')}]`, 'policyArns', 'Member must have length less than or equal to 10');
  for (const arn of list) {
    if (!/^arn:aws:iam::(\d{12}|aws):policy\//.test(arn)) throw validationError(`Invalid ARN ${arn}: the session policy must be an IAM managed policy ARN.`);
    // Gatehouse's choice (AWS does not document the error): a managed session policy that
    // does not resolve is refused rather than silently ignored, which would widen the session.
    if (!(await managedDocument(tx, account, arn))) throw malformedPolicy(`Policy ${arn} does not exist or is not attachable.`);
  }
  return { ...(policy !== undefined ? { policy } : {}), policyArns: list };
}

/**
 * `PackedPolicySize`: how much of the packed budget the session policy, the policy ARNs
 * and the session tags use, in percent; over 100 is PackedPolicyTooLarge. AWS's own
 * packing is not published; Gatehouse compresses the same material with DEFLATE, which
 * gives figures of the same order, and also refuses a plain-text policy over 2,048
 * characters.
 */
export function packedPolicySize(policies: SessionPolicies, tags: Readonly<Record<string, string>>): number {
  let minified = '';
  if (policies.policy !== undefined) {
    try {
      minified = JSON.stringify(JSON.parse(policies.policy));
    } catch {
      minified = policies.policy;
    }
  }
  const parts = [minified, ...policies.policyArns, ...Object.entries(tags).map(([k, v]) => `${k}=${v}`)];
  const packed = deflateRawSync(Buffer.from(parts.join('\n'), 'utf8')).length;
  let percent = Math.ceil((packed * 100) / PACKED_LIMIT);
  const plain = policies.policy !== undefined ? policySize(policies.policy) : 0;
  if (plain > PLAINTEXT_LIMIT) percent = Math.max(percent, Math.ceil((plain * 100) / PLAINTEXT_LIMIT));
  if (percent > 100) throw packedPolicyTooLarge(percent);
  return percent;
}

export interface SessionTags {
  readonly tags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
}

/**
 * Session tags: at most 50, keys unique regardless of case, transitive keys among them.
 * A chained session inherits its parent's transitive tags, which the request cannot
 * override.
 */
export function sessionTags(tags: readonly InputTag[] | undefined, transitive: readonly string[] | undefined, parent?: Caller): SessionTags {
  const out: Record<string, string> = {};
  const lower = new Set<string>();
  const inheritedKeys = parent?.transitiveTagKeys ?? [];
  const inherited = new Map(inheritedKeys.map((k) => [k.toLowerCase(), k]));
  for (const k of inheritedKeys) {
    const v = parent?.sessionTags?.[k];
    if (v !== undefined) out[k] = v;
  }
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    const l = key.toLowerCase();
    if (lower.has(l)) throw validationError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    if (inherited.has(l)) throw validationError(`The session tag key ${key} conflicts with a transitive tag key inherited from the calling session.`);
    lower.add(l);
    out[key] = t.Value ?? '';
  }
  const keys = [...inheritedKeys];
  for (const k of transitive ?? []) {
    if (!lower.has(k.toLowerCase())) throw validationError(`The transitive tag key ${k} must be one of the session tag keys of the request.`);
    if (!keys.some((x) => x.toLowerCase() === k.toLowerCase())) keys.push(k);
  }
  if (Object.keys(out).length > 50) throw constraintError(`${Object.keys(out).length}`, 'tags', 'Member must have length less than or equal to 50');
  return { tags: out, transitiveTagKeys: keys };
}

/** `aws:RequestTag/*`, `aws:TagKeys` and `sts:TransitiveTagKeys` for the tags a request passes. */
export function tagContext(tags: readonly InputTag[] | undefined, transitive: readonly string[] | undefined): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {};
  if (tags?.length) {
    ctx['aws:TagKeys'] = tags.map((t) => t.Key ?? '');
    for (const t of tags) ctx[`aws:RequestTag/${t.Key ?? ''}`] = t.Value ?? '';
  }
  if (transitive?.length) ctx['sts:TransitiveTagKeys'] = [...transitive];
  return ctx;
}

// ---------------------------------------------------------------------------------
// Issuing temporary credentials.

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A temporary access key id in AWS's current form: `ASIA` and 16 base-32 characters
 * whose first 48 bits carry a marker bit and the account id (bits 46-7), as AWS's keys
 * do since 2019; GetAccessKeyInfo reads it back.
 */
export function sessionAccessKeyId(account: string): string {
  const bytes = randomBytes(10);
  const z = (1n << 47n) | (BigInt(account) << 7n) | BigInt(bytes[5]! & 0x7f);
  for (let i = 0; i < 6; i++) bytes[i] = Number((z >> BigInt(8 * (5 - i))) & 0xffn);
  return `ASIA${base32(bytes)}`;
}

/** The account an access key id encodes, when it is in the current form. */
export function accountOfAccessKeyId(keyId: string): string | undefined {
  const body = keyId.slice(4);
  if (body.length < 10 || !/^[A-Z2-7]+$/.test(body)) return undefined;
  let z = 0n;
  for (const c of body.slice(0, 10)) z = (z << 5n) | BigInt(BASE32.indexOf(c));
  // 10 characters = 50 bits; the first 48 are the 6 bytes AWS reads.
  const first48 = z >> 2n;
  if (!((first48 >> 47n) & 1n)) return undefined;
  return String((first48 & 0x7fffffffff80n) >> 7n).padStart(12, '0');
}

/** An opaque session token, about as long as AWS's (which start with the same bytes). */
function sessionToken(): string {
  return `IQoJb3JpZ2luX2Vj${randomBytes(420).toString('base64')}`;
}

/** `aws:TokenIssueTime` and CloudTrail dates: ISO 8601 to the second. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface IssuedSession {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: Date;
}

/** What a session stands for; the token, its issue time and expiration are added here. */
export type SessionCaller = Omit<Caller, 'accessKeyId' | 'sessionToken' | 'tokenIssueTime' | 'expiration'>;

/**
 * Issue temporary credentials for `caller`, valid `durationSeconds` from `now`, and
 * register them: requests signed with them resolve to this caller until they expire.
 */
export async function issueSession(tx: Tx, credentials: Credentials, caller: SessionCaller, now: Date, durationSeconds: number): Promise<IssuedSession> {
  const issued = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const expiration = new Date(issued.getTime() + durationSeconds * 1000);
  const accessKeyId = sessionAccessKeyId(caller.account);
  const secret = newSecret();
  const token = sessionToken();
  await credentials.put(tx, {
    accessKeyId,
    account: caller.account,
    kind: 'session',
    status: 'Active',
    secret,
    sessionToken: token,
    expiration: expiration.toISOString(),
    caller: { ...caller, sessionToken: token, tokenIssueTime: isoSeconds(issued), expiration: expiration.toISOString() },
  });
  return { AccessKeyId: accessKeyId, SecretAccessKey: secret, SessionToken: token, Expiration: expiration };
}

/** The session-policy part of a caller snapshot: present (even empty) when policies were passed. */
export function sessionPolicyFields(p: SessionPolicies, always = false): Pick<Caller, 'sessionPolicies' | 'sessionPolicyArns'> {
  if (!always && p.policy === undefined && p.policyArns.length === 0) return {};
  return { sessionPolicies: p.policy !== undefined ? [p.policy] : [], ...(p.policyArns.length ? { sessionPolicyArns: [...p.policyArns] } : {}) };
}

/** The tag part of a caller snapshot. */
export function sessionTagFields(t: SessionTags): Pick<Caller, 'sessionTags' | 'transitiveTagKeys'> {
  return {
    ...(Object.keys(t.tags).length ? { sessionTags: { ...t.tags } } : {}),
    ...(t.transitiveTagKeys.length ? { transitiveTagKeys: [...t.transitiveTagKeys] } : {}),
  };
}
