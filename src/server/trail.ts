/**
 * CloudTrail: every API call, allowed or denied, becomes an event in CloudTrail's record
 * format (eventVersion 1.09). Events are buffered and written in batches, as CloudTrail
 * itself delivers events after the call; LookupEvents flushes first, so a caller always
 * finds its own calls.
 */
import { randomUUID } from 'node:crypto';
import type { AwsError } from '../models/errors.js';
import type { Caller } from '../auth/caller.js';
import type { EventRecord, Store } from '../store/index.js';
import type { ServiceDefinition } from '../services/types.js';
import type { IncomingCall } from './pipeline.js';
import type { ServiceModel } from '../models/index.js';

export interface CallRecord {
  readonly routed: { readonly service: ServiceDefinition; readonly model: ServiceModel };
  readonly operation: string;
  readonly caller: Caller;
  readonly input: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly error?: AwsError;
  readonly call: Pick<IncomingCall, 'sourceIp' | 'headers'>;
  readonly requestId: string;
  readonly now: Date;
  readonly region: string;
  readonly resources: readonly { readonly type: string; readonly name: string }[];
  readonly readOnly: boolean;
  /** A call a service made: the service's principal (`clientvpn.amazonaws.com`). */
  readonly invokedBy?: string;
}

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** CloudTrail writes member names in camelCase, dates as ISO strings; `omitted` members not at all. */
function camelize(v: unknown, sensitive: ReadonlySet<string>, omitted: ReadonlySet<string>): unknown {
  if (v === null || v === undefined) return v;
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return HIDDEN;
  if (Array.isArray(v)) return v.map((x) => camelize(x, sensitive, omitted));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || omitted.has(k)) continue;
      out[k[0]!.toLowerCase() + k.slice(1)] = sensitive.has(k) ? HIDDEN : camelize(x, sensitive, omitted);
    }
    return out;
  }
  return v;
}

/** requestParameters / responseElements: null when nothing is left to show. */
function elements(v: Record<string, unknown> | undefined, sensitive: ReadonlySet<string>, omitted: ReadonlySet<string>): unknown {
  if (!v) return null;
  const out = camelize(v, sensitive, omitted) as Record<string, unknown>;
  return Object.keys(out).length ? out : null;
}

const NONE: ReadonlySet<string> = new Set();

/** `userIdentity` by principal type. */
export function userIdentity(c: Caller, invokedBy?: string): Record<string, unknown> {
  const base: Record<string, unknown> = { principalId: c.userId, arn: c.arn, accountId: c.account, ...(c.accessKeyId ? { accessKeyId: c.accessKeyId } : {}) };
  let id: Record<string, unknown>;
  switch (c.type) {
    case 'Account':
      id = { type: 'Root', ...base };
      break;
    case 'User':
      id = { type: 'IAMUser', ...base, userName: c.userName };
      break;
    case 'AssumedRole':
    case 'FederatedUser':
      id = {
        type: c.type,
        ...base,
        sessionContext: {
          ...(c.roleArn ? { sessionIssuer: { type: 'Role', principalId: c.roleId, arn: c.roleArn, accountId: c.account, userName: c.roleName } } : {}),
          attributes: { creationDate: c.tokenIssueTime, mfaAuthenticated: c.mfaAuthenticated ? 'true' : 'false' },
          ...(c.sourceIdentity ? { sourceIdentity: c.sourceIdentity } : {}),
        },
      };
      break;
    case 'Anonymous':
      id = { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
      break;
  }
  if (invokedBy) id.invokedBy = invokedBy;
  return id;
}

/**
 * The unsigned STS calls (AssumeRoleWithSAML / WithWebIdentity) are recorded with the
 * federated identity AWS records: a `SAMLUser` or `WebIdentityUser`, named by the subject
 * the identity provider asserted.
 */
function federatedIdentity(r: CallRecord): Record<string, unknown> {
  const out = r.output ?? {};
  if (r.operation === 'AssumeRoleWithSAML') {
    const subject = typeof out.Subject === 'string' ? out.Subject : undefined;
    const issuer = typeof out.Issuer === 'string' ? out.Issuer : undefined;
    return { type: 'SAMLUser', principalId: subject && issuer ? `${issuer}:${subject}` : '', ...(subject ? { userName: subject } : {}), identityProvider: r.input.PrincipalArn };
  }
  if (r.operation === 'AssumeRoleWithWebIdentity') {
    const subject = typeof out.SubjectFromWebIdentityToken === 'string' ? out.SubjectFromWebIdentityToken : undefined;
    const provider = typeof out.Provider === 'string' ? out.Provider : undefined;
    const audience = typeof out.Audience === 'string' ? out.Audience : undefined;
    return { type: 'WebIdentityUser', principalId: subject ? `${provider ?? ''}:${audience ?? ''}:${subject}` : '', ...(subject ? { userName: subject } : {}), ...(provider ? { identityProvider: provider } : {}) };
  }
  return { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
}

/** LookupEvents' `Username`: the user, the role session's name, or `root`. */
function username(c: Caller): string | undefined {
  if (c.type === 'User') return c.userName;
  if (c.type === 'Account') return 'root';
  return c.sessionName;
}

export class Trail {
  private buffer: EventRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly flushMs = 25,
  ) {}

  record(r: CallRecord): void {
    const options = r.routed.service.trail;
    const data = options?.dataEvents?.includes(r.operation) ?? false;
    // Data events are logged for authenticated, authorized requests only (Lambda's
    // CloudTrail page: "CloudTrail does not log requests that fail authentication ... or
    // requests with credentials that are not authorized to invoke the function").
    if (data && r.error?.options.status === 403) return;
    const sensitive = new Set(r.routed.service.sensitive ?? []);
    const omitted = options?.omitted ? new Set(options.omitted) : NONE;
    const eventName = options?.eventNames?.[r.operation] ?? r.operation;
    // Unsigned calls (AssumeRoleWithSAML/WebIdentity) belong to the account of the role they assume.
    const assumed = typeof r.output?.AssumedRoleUser === 'object' ? (r.output.AssumedRoleUser as { Arn?: string }).Arn : undefined;
    const account = r.caller.type === 'Anonymous' ? (assumed?.split(':')[4] ?? 'anonymous') : r.caller.account;
    const event = {
      eventVersion: '1.09',
      userIdentity: r.caller.type === 'Anonymous' ? federatedIdentity(r) : userIdentity(r.caller, r.invokedBy),
      eventTime: r.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: r.routed.service.eventSource,
      eventName,
      awsRegion: r.region,
      sourceIPAddress: r.invokedBy ?? r.call.sourceIp,
      userAgent: r.invokedBy ?? r.call.headers['user-agent'] ?? '',
      ...(r.error ? { errorCode: options?.errorCodes?.[r.error.code] ?? r.error.code, errorMessage: r.error.message } : {}),
      requestParameters: elements(r.input, sensitive, omitted),
      responseElements: r.error || r.readOnly ? null : elements(r.output, sensitive, omitted),
      requestID: r.requestId,
      eventID: randomUUID(),
      readOnly: r.readOnly,
      ...(r.resources.length ? { resources: r.resources.map((x) => ({ type: x.type, ARN: x.name.startsWith('arn:') ? x.name : undefined, accountId: account })) } : {}),
      eventType: 'AwsApiCall',
      managementEvent: !data,
      recipientAccountId: account,
      eventCategory: data ? 'Data' : 'Management',
    };
    this.buffer.push({
      eventId: event.eventID,
      account,
      eventTime: event.eventTime,
      eventName,
      eventSource: r.routed.service.eventSource,
      readOnly: r.readOnly,
      ...(data ? { management: false } : {}),
      ...(username(r.caller) ? { username: username(r.caller)! } : {}),
      ...(r.caller.accessKeyId ? { accessKeyId: r.caller.accessKeyId } : {}),
      resources: r.resources,
      event,
    });
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Write what is buffered; resolves once it is in the store. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length > 0) await this.store.putEvents(batch);
    });
    return this.flushing;
  }
}
